// High-rate and high-power steps from rest: the consistent initial state is reached by walking the imposed current or
// power up from the previous state (ExperimentRunner), so the run ends at a physical event instead of failing at t = 0.
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using Xunit.Abstractions;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class HighRateStartTests(ITestOutputHelper output)
{
    private static SimulationResult Run(ModelKind kind, string experiment) => Reference.Run("Marquis2019", kind, experiment);

    [Theory]
    [InlineData(ModelKind.Dfn, 8.0)]
    [InlineData(ModelKind.Dfn, 20.0)]
    [InlineData(ModelKind.Dfn, 10.0)]
    public void HighRateDischargeRunsToTheCutOff(ModelKind kind, double rate)
    {
        // Before the continuation the DFN's first Newton solve failed from 8C up (6C ran). Marquis2019's OCV at the
        // start is 3.8518 V (parameter_sets.md sanity numbers): the loaded cell starts below it and above the 3.105 V cut-off.
        var r = Run(kind, $"Discharge at {rate}C until 3.105 V");
        output.WriteLine($"{kind} {rate}C: starts at {r.Samples[0].Voltage:F4} V, ends at {r.Samples[^1].Time:F1} s: {r.Steps[0].Reason}");
        Assert.InRange(r.Samples[0].Voltage, 3.105, 3.8518);
        Assert.Contains("voltage reached", r.Steps[0].Reason);
        // The event is located to the root-finder tolerance (1 uV, as ExperimentTests.VoltageCutOffIsLocatedInsideTheStep).
        Assert.Equal(3.105, r.Samples[^1].Voltage, 1e-6);
    }

    [Theory]
    [InlineData(ModelKind.Spm)]
    [InlineData(ModelKind.Spme)]
    [InlineData(ModelKind.Dfn)]
    public void HighPowerDischargeHoldsThePowerToTheCutOff(ModelKind kind)
    {
        // 50 W is ≈ 19C for this 0.68 A.h, ≈ 3.8 V cell; P = I V within the Newton tolerance x 1e4 (as PowerStepsHoldThePower).
        var r = Run(kind, "Rest for 1 minute; Discharge at 50 W until 3.105 V");
        output.WriteLine($"{kind} 50 W: {r.Samples.Count} samples, ends at {r.Samples[^1].Time:F1} s: {r.Steps[^1].Reason}");
        var loaded = r.Samples.Where(s => s.Step == 2).Skip(1).ToList();
        Assert.True(loaded.Count >= 3, $"{loaded.Count} samples under load");
        Assert.All(loaded, s => Assert.Equal(50.0, s.Current * s.Voltage, 4));
        Assert.Contains("voltage reached", r.Steps[^1].Reason);
    }
}
