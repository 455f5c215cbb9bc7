// Speed designed in: a time step of every model allocates nothing (plain arrays allocated once per model).
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class AllocationTests
{
    [Theory]
    [InlineData(ModelKind.Spm)]
    [InlineData(ModelKind.Spme)]
    [InlineData(ModelKind.Dfn)]
    public void StepsAllocateNothing(ModelKind kind)
    {
        var model = ModelFactory.Create(ParameterSets.Get("Marquis2019"), ModelOptions.For(kind));
        var control = Control.Amps(model.Cell.OneC);
        Assert.Equal(StepStatus.Converged, model.Initialise(control));
        for (var k = 0; k < 5; k++)
        {
            Assert.Equal(StepStatus.Converged, model.TryStep(10, control, 2));
            model.ErrorNorm(10);
            model.Accept(10);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var k = 0; k < 50; k++)
        {
            model.TryStep(10, control, 2);
            model.ErrorNorm(10);
            model.Accept(10);
        }

        // Exactly zero bytes: any allocation in the step path is a regression.
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ThermalStepsAllocateNothingOnceTheirTemperaturesAreTabulated()
    {
        // The lumped model builds a table slice the first time the temperature enters a new 0.25 K band; replaying
        // the same steps from the same state then visits only built slices and must allocate nothing.
        var options = ModelOptions.For(ModelKind.Dfn) with { Thermal = "lumped", StressInducedDiffusion = "true" };
        var model = ModelFactory.Create(ParameterSets.Get("Ai2020Paper"), options);
        var control = Control.Amps(2 * model.Cell.OneC);
        Assert.Equal(StepStatus.Converged, model.Initialise(control));
        var start = model.ExportState();
        void Steps()
        {
            for (var k = 0; k < 30; k++)
            {
                model.TryStep(10, control, 2);
                model.ErrorNorm(10);
                model.Accept(10);
            }
        }

        Steps();
        model.ImportState(start);
        model.Initialise(control);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Steps();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(model.CellTemperature > 300, $"the cell should have warmed (T = {model.CellTemperature:F2} K)");
    }
}
