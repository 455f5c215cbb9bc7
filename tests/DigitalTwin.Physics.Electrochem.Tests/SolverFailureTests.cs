// Issue 3: a solve that cannot converge throws SolverException naming the step, the time, the variable and the
// reason; it never returns a result (or another exception type) that looks like a normal run.
using System.Text.RegularExpressions;
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;
using Xunit.Abstractions;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class SolverFailureTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ModelKind.Spm, "Hold at 1.0 V until C/50", "Surface potential difference [V]")]
    [InlineData(ModelKind.Spm, "Hold at 5.5 V until C/50", "Surface potential difference [V]")]
    [InlineData(ModelKind.Dfn, "Hold at 5.5 V until C/50", "Potentials [V]")]
    public void InfeasibleVoltageHoldFailsAtTheStartWithWhereAndWhy(ModelKind kind, string experiment, string variable)
    {
        // Marquis2019 rests at 3.8518 V (parameter_sets.md). Holding 1.0 V or 5.5 V asks for a current far beyond what the
        // kinetics and electrolyte can carry, so the Newton solve for the consistent initial state cannot converge.
        var ex = Assert.Throws<SolverException>(() => Reference.Run("Marquis2019", kind, experiment));
        output.WriteLine($"{kind}: {ex.Message} (Time {ex.Time}, Variable {ex.Variable})");
        Assert.Equal(0.0, ex.Time);
        Assert.Equal(variable, ex.Variable);
        Assert.StartsWith($"Step 1 \"{experiment}\": could not find a consistent initial state at t = 0 s", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Newton did not converge", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ModelKind.Spm)]
    [InlineData(ModelKind.Spme)]
    public void DiffusivityThatTurnsNaNMidDischargeFailsThereWithWhereAndWhy(ModelKind kind)
    {
        // A fitted D_s(sto) with a log term is defined only below sto = 0.8; the positive electrode starts at
        // sto = 30730.76/51217.93 = 0.6 (Marquis2019 set) and passes 0.8 during a 1C discharge, so the solve must fail there.
        var set = ParameterSets.Get("Marquis2019").With("D_s undefined above sto 0.8", new Dictionary<string, object>
        {
            ["Positive particle diffusivity [m2.s-1]"] = "1e-13 * (1 - 0.1 * log(0.8 - sto))",
        });
        const string experiment = "Discharge at 1C until 3.0 V";
        var samples = new List<Sample>();
        var runner = new ExperimentRunner { SampleRecorded = samples.Add };
        var model = ModelFactory.Create(set, ModelOptions.For(kind));
        var ex = Assert.Throws<SolverException>(() => runner.Run(model, Experiment.Parse(experiment)));
        var last = samples[^1];
        output.WriteLine($"{kind}: {ex.Message} (Time {ex.Time}, Variable {ex.Variable}); last sample t = {last.Time} s, positive surface sto {last.PositiveSurface}");
        Assert.Equal("Surface potential difference [V]", ex.Variable);
        Assert.StartsWith($"Step 1 \"{experiment}\": the solve failed at t = {ex.Time:G8} s", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the kinetics have no solution", ex.Message, StringComparison.Ordinal);
        // Mid-run, at the last accepted state (no step beyond it converges), where the surface has reached the 0.8 at which
        // D_s stops existing: within 0.01, as the surface value is extrapolated past the nodes where D_s is evaluated.
        Assert.True(last.Time > 0, $"last sample at {last.Time} s");
        Assert.Equal(last.Time, ex.Time);
        Assert.InRange(last.PositiveSurface, 0.79, 0.81);
    }

    [Fact]
    public void DfnHoldFarBelowRestNamesTheFunctionThatFailsAndWhere()
    {
        // Holding 1.0 V from 3.8518 V at rest drives the first Newton update far past full lithiation of the negative
        // surface, where the standard j0 ~ sqrt(c_s_max - c_s_surf) (Marquis2019 set) has no real value: the solve must
        // say it is that function, with its arguments, at t = 0 in the negative electrode.
        const string experiment = "Hold at 1.0 V until C/50";
        var ex = Assert.Throws<SolverException>(() => Reference.Run("Marquis2019", ModelKind.Dfn, experiment));
        output.WriteLine($"{ex.Message} (Time {ex.Time}, Variable {ex.Variable})");
        Assert.Equal(0.0, ex.Time);
        Assert.Equal("Negative electrode exchange-current density [A.m-2]", ex.Variable);
        Assert.StartsWith($"Step 1 \"{experiment}\": could not find a consistent initial state at t = 0 s: singular Jacobian at t = 0 s: negative electrode exchange-current density [A.m-2] \"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(c_s_max - c_s_surf)**0.5", ex.Message, StringComparison.Ordinal);
        Assert.Contains("in the negative electrode at x = ", ex.Message, StringComparison.Ordinal);
        var args = Regex.Match(ex.Message, @"c_s_surf = (?<cs>[0-9.eE+-]+), c_s_max = (?<cmax>[0-9.eE+-]+)");
        Assert.True(args.Success, ex.Message);
        Assert.True(Parse(args.Groups["cs"].Value) > Parse(args.Groups["cmax"].Value), ex.Message);
    }

    [Fact]
    public void DfnDiffusivityThatTurnsNaNNamesTheFunctionAndItsArguments()
    {
        // Same D_s(sto) as above: log(0.8 - sto) is not finite for sto >= 0.8, so the DFN must name that function and an
        // argument sto in [0.8, 0.81] (the surface shell passes 0.8 first) in the positive electrode.
        var set = ParameterSets.Get("Marquis2019").With("D_s undefined above sto 0.8", new Dictionary<string, object>
        {
            ["Positive particle diffusivity [m2.s-1]"] = "1e-13 * (1 - 0.1 * log(0.8 - sto))",
        });
        const string experiment = "Discharge at 1C until 3.0 V";
        var model = ModelFactory.Create(set, ModelOptions.For(ModelKind.Dfn));
        var ex = Assert.Throws<SolverException>(() => new ExperimentRunner().Run(model, Experiment.Parse(experiment)));
        output.WriteLine($"{ex.Message} (Time {ex.Time}, Variable {ex.Variable})");
        Assert.True(ex.Time > 0, $"failed at {ex.Time} s");
        Assert.Equal("Positive particle diffusivity [m2.s-1]", ex.Variable);
        Assert.StartsWith($"Step 1 \"{experiment}\": the solve failed at t = {ex.Time:G8} s (Positive particle diffusivity [m2.s-1]): ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("positive particle diffusivity [m2.s-1] \"1e-13 * (1 - 0.1 * log(0.8 - sto))\" at (sto = ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("in the positive electrode at x = ", ex.Message, StringComparison.Ordinal);
        var sto = Regex.Match(ex.Message, @"\(sto = (?<sto>[0-9.eE+-]+), T = ");
        Assert.True(sto.Success, ex.Message);
        Assert.InRange(Parse(sto.Groups["sto"].Value), 0.8, 0.81);
    }

    private static double Parse(string s) => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
}
