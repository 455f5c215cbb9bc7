// The output-variable recorder (named extra columns) and explicit particle-size classes from a cell design.
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class OutputAndSizeClassTests
{
    private static readonly ModelOptions Small = new() { PointsNegative = 8, PointsSeparator = 4, PointsPositive = 8, PointsParticle = 8 };

    [Fact]
    public void RecorderIntegratesTheDischargeCapacityLikeTheResult()
    {
        var model = ModelFactory.Create(ParameterSets.Get("Marquis2019"), Small with { Model = ModelKind.Spme });
        var recorder = OutputRecorder.Create(["discharge_capacity", "open_circuit_voltage", "cell_temperature"], model);
        var values = new double[3];
        var runner = new ExperimentRunner { OutputPeriod = 60, SampleRecorded = _ => recorder.Record(values) };
        var result = runner.Run(model, Experiment.Parse("Discharge at 1C for 10 minutes; Rest for 2 minutes; Charge at C/2 for 4 minutes"));
        // Both are the trapezoid of the same rows: equal to round-off (the result sums the same products).
        Assert.Equal(result.DischargeCapacity(), values[0], 12);
        Assert.Equal(model.OpenCircuitVoltage(), values[1], 12);
        Assert.Equal(298.15, values[2]);
    }

    [Fact]
    public void RecorderNamesEveryUnknownOrUnsupportedVariable()
    {
        var spm = ModelFactory.Create(ParameterSets.Get("Marquis2019"), Small with { Model = ModelKind.Spm });
        var ex = Assert.Throws<ArgumentException>(() => OutputRecorder.Create(["cell_temperature", "temperature", "total_heating"], spm));
        Assert.Contains("[1] 'temperature' is not an output variable", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[2] 'total_heating' needs a DFN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneExplicitClassIsTheSetsParticle()
    {
        // A design class with the set's radius and the whole volume reproduces the default single class exactly.
        var set = ParameterSets.Get("Marquis2019");
        var radius = set.Scalar("Positive particle radius [m]");
        const string experiment = "Discharge at 1C for 15 minutes";
        var plain = Reference.Run(set, ModelKind.Dfn, experiment, Small);
        var design = Reference.Run(set, ModelKind.Dfn, experiment, Small with { PositiveSizes = [new SizeClass("d50", radius, 1.0)] });
        Assert.Equal(plain.Samples.Select(s => s.Voltage), design.Samples.Select(s => s.Voltage));
        var cell = CellParameters.From(set, Small with { PositiveSizes = [new SizeClass("small", 0.5 * radius, 0.25), new SizeClass("large", 1.5 * radius, 0.75)] });
        Assert.Equal(["small", "large"], cell.Positive.Classes.Select(c => c.Id));
        // Each class keeps its share of the active volume and a surface area 3 eps_k / R_k.
        var eps = set.Scalar("Positive electrode active material volume fraction");
        Assert.Equal(0.25 * eps, cell.Positive.Classes[0].VolumeFraction, 15);
        Assert.Equal(3 * 0.75 * eps / (1.5 * radius), cell.Positive.Classes[1].SurfaceAreaPerVolume, 6);
    }

    [Fact]
    public void ExplicitClassesAreCheckedAllAtOnce()
    {
        var problems = OptionTable.Validate(new ModelOptions
        {
            PositiveSizes = [new SizeClass("a", 1e-6, 0.5), new SizeClass("a", -1e-6, 0.3)],
            NegativeSizes = [new SizeClass("", 2e-6, 1.0)],
            NegativeSizeClasses = 3,
        });
        Assert.Contains(problems, p => p.Contains("positive size class 'a': radius -1E-06 m", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("positive size classes: id 'a' appears 2 times", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("positive size classes: the volume shares sum to 0.8", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("negative size class 0: the id is empty", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("negative size classes: give either explicit classes or a class count (3)", StringComparison.Ordinal));
    }
}
