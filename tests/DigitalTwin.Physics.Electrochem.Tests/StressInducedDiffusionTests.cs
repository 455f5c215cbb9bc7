// Stress-induced diffusion option (PyBaMM "stress-induced diffusion"): the particle diffusivity D (1 + theta (c - c_0))
// with theta = Omega/(RT) 2 Omega E / (9(1 - nu)) (Ai et al. 2020 eq. 12), its parameters, and lithium conservation
// with it and the lumped thermal model together.
using System.Globalization;
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;
using Xunit.Abstractions;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class StressInducedDiffusionTests(ITestOutputHelper output)
{
    private static readonly ModelOptions Small = new() { PointsNegative = 10, PointsSeparator = 5, PointsPositive = 10, PointsParticle = 12 };

    // theta written out from Ai2020's scalars (parameter_sets.md section 1): Omega/(R T) 2 Omega E / (9 (1 - nu)).
    private static string Inline(ParameterSet set, string side, string diffusivity, double temperature)
    {
        var omega = set.Scalar($"{side} electrode partial molar volume [m3.mol-1]");
        var e = set.Scalar($"{side} electrode Young's modulus [Pa]");
        var nu = set.Scalar($"{side} electrode Poisson's ratio");
        var cmax = set.Scalar($"Maximum concentration in {side.ToLowerInvariant()} electrode [mol.m-3]");
        var theta = omega / (Constants.R * temperature) * 2 * omega * e / (9 * (1 - nu));
        return $"({diffusivity}) * (1 + {(theta * cmax).ToString("R", CultureInfo.InvariantCulture)} * sto)";
    }

    [Theory]
    [InlineData(ModelKind.Spm)]
    [InlineData(ModelKind.Dfn)]
    public void OptionEqualsTheDiffusivityWrittenOut(ModelKind kind)
    {
        // Same run twice: the option on, and the option off with D(1 + theta c) typed into the set (c_0 = 0 in Ai2020).
        var set = ParameterSets.Get("Ai2020Paper");
        var written = set.With("Ai2020Paper, D written out", new Dictionary<string, object>
        {
            ["Negative particle diffusivity [m2.s-1]"] = Inline(set, "Negative", "3.9e-14 * exp(5000/R*(1/298.15 - 1/T))", 298.15),
            ["Positive particle diffusivity [m2.s-1]"] = Inline(set, "Positive", "5.387e-15 * exp(5000/R*(1/298.15 - 1/T))", 298.15),
        });
        const string experiment = "Discharge at 2C for 10 minutes; Rest for 5 minutes";
        var on = Reference.Run(set, kind, experiment, Small with { StressInducedDiffusion = "true" }, 30);
        var typed = Reference.Run(written, kind, experiment, Small, 30);
        var off = Reference.Run(set, kind, experiment, Small, 30);
        var difference = on.Samples.Zip(typed.Samples, (a, b) => Math.Abs(a.Voltage - b.Voltage)).Max();
        var surface = on.Samples.Zip(typed.Samples, (a, b) => Math.Abs(a.NegativeSurface - b.NegativeSurface)).Max();
        // At the end of the discharge the faster diffusion keeps the negative surface closer to its mean.
        var end = on.Samples.Count(s => s.Time <= 600) - 1;
        var gapOn = on.Samples[end].NegativeAverage - on.Samples[end].NegativeSurface;
        var gapOff = off.Samples[end].NegativeAverage - off.Samples[end].NegativeSurface;
        output.WriteLine($"{kind}: |V_on - V_typed| <= {difference:E2} V, surface stoichiometry {surface:E2}; negative surface gap {gapOn:E4} (on) vs {gapOff:E4} (off)");
        // Identical arithmetic up to the order of floating-point operations: 1e-9 V and 1e-10 in stoichiometry.
        Assert.True(difference < 1e-9, $"voltage differs by {difference:E3} V");
        Assert.True(surface < 1e-10, $"surface stoichiometry differs by {surface:E3}");
        // Ai2020 graphite: theta c = 1.846e-5 x 24108 = 0.45, so the gradient must shrink by roughly 1/1.4.
        Assert.InRange(gapOn / gapOff, 0.6, 0.8);
    }

    [Fact]
    public void OptionNamesEveryMissingMechanicsParameter()
    {
        // Marquis2019 has no particle mechanics: both electrodes' Omega, E and nu are reported in one error.
        var ex = Assert.Throws<ParameterSetException>(() => ModelFactory.Create(ParameterSets.Get("Marquis2019"), Small with { StressInducedDiffusion = "true" }));
        foreach (var side in new[] { "Negative", "Positive" })
        {
            foreach (var name in new[] { "partial molar volume [m3.mol-1]", "Young's modulus [Pa]", "Poisson's ratio" })
            {
                Assert.Contains(ex.Problems, p => p.Contains($"{side} electrode {name}", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void OptionsAreCheckedAgainstTheModel()
    {
        var problems = OptionTable.Validate(new ModelOptions { Model = ModelKind.Spm, Thermal = "lumped", StressInducedDiffusion = "true", ParticleTransport = "uniform profile" });
        Assert.Contains(problems, p => p.Contains("'lumped' is implemented for the DFN only", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("needs particle transport 'Fickian'", StringComparison.Ordinal));
        Assert.Contains(OptionTable.Validate(new ModelOptions { StressInducedDiffusion = "maybe" }), p => p.Contains("'stress-induced diffusion' = 'maybe'", StringComparison.Ordinal));
    }

    [Fact]
    public void LumpedThermalAndStressInducedDiffusionConserveLithium()
    {
        // Issue 3 verification 2 for the new options: 1e-9 relative over a charge-discharge cycle.
        var options = Small with { Model = ModelKind.Dfn, Thermal = "lumped", StressInducedDiffusion = "true" };
        var model = ModelFactory.Create(ParameterSets.Get("Ai2020Paper"), options);
        var before = model.LithiumInventory();
        var result = new ExperimentRunner().Run(model, Experiment.Parse("Discharge at 2C until 3.3 V; Rest for 10 minutes; Charge at 1C until 4.1 V; Hold at 4.1 V until C/20"));
        var drift = Math.Abs(model.LithiumInventory() - before) / before;
        output.WriteLine($"{result.AcceptedSteps} steps, final temperature {result.Samples[^1].Temperature:F2} K, relative lithium drift {drift:E2}");
        Assert.Equal(4, result.Steps.Count);
        Assert.True(drift <= 1e-9, $"drift {drift:E3}");
    }
}
