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
}
