// The SOC filter on synthetic data from the reduced model with Chen2020 (LG M50) OCPs: convergence, consistency, resistance tracking.
using DigitalTwin.Estimation.Filtering;

namespace DigitalTwin.Estimation.Tests;

public sealed class SocFilterTests
{
    /// <summary>
    /// LG M50 open-circuit potentials and stoichiometry window from Chen et al., J. Electrochem. Soc. 167 (2020) 080534,
    /// as implemented in PyBaMM (graphite_LGM50_ocp_Chen2020, nmc_LGM50_ocp_Chen2020; shared/data/reference/parameter_sets.md);
    /// stoichiometries at 0 %/100 % SOC from the paper's Table VII. Capacity 5 A.h (nominal); τ = R²/D with
    /// R+ = 5.22 µm, D+ = 4e-15 m²/s and R− = 5.86 µm, D− = 3.3e-14 m²/s (Chen2020).
    /// </summary>
    internal static readonly ReducedSpmParameters Chen2020 = new(
        PositiveOcp: y => (-0.8090 * y) + 4.4875 - (0.0428 * Math.Tanh(18.5138 * (y - 0.5542))) - (17.7326 * Math.Tanh(15.7890 * (y - 0.3117))) + (17.5842 * Math.Tanh(15.9308 * (y - 0.3120))),
        NegativeOcp: x => (1.9793 * Math.Exp(-39.3631 * x)) + 0.2482 - (0.0909 * Math.Tanh(29.8538 * (x - 0.1234))) - (0.04478 * Math.Tanh(14.9159 * (x - 0.2769))) - (0.0205 * Math.Tanh(30.4444 * (x - 0.6103))),
        PositiveStoichiometryAt0: 0.9084,
        PositiveStoichiometryAt100: 0.2661,
        NegativeStoichiometryAt0: 0.0279,
        NegativeStoichiometryAt100: 0.9014,
        CapacityAh: 5.0,
        PositiveDiffusionTime: 5.22e-6 * 5.22e-6 / 4e-15,
        NegativeDiffusionTime: 5.86e-6 * 5.86e-6 / 3.3e-14,
        PositiveExchangeCurrent: 20,
        NegativeExchangeCurrent: 30);

    private const double Dt = 1.0;
    private const double VoltageNoise = 0.005;

    /// <summary>Truth by the model's own equations at 10× finer steps; current: 1C discharge, rest, C/2 charge, rest, repeated.</summary>
    private static List<(double Current, double Voltage, double Soc)> Simulate(double startSoc, Func<int, double> resistance, int seconds, int seed)
    {
        var random = new Random(seed);
        var p = Chen2020;
        double soc = startSoc, leadP = 0, leadN = 0;
        var output = new List<(double, double, double)>(seconds);
        for (var k = 0; k < seconds; k++)
        {
            var phase = k % 5400;
            var current = phase < 1800 ? -5.0 : phase < 2400 ? 0 : phase < 4800 ? 2.5 : 0;
            for (var sub = 0; sub < 10; sub++)
            {
                var h = Dt / 10;
                soc += current * h / (3600 * p.CapacityAh);
                var (sp, sn) = ReducedSpm.SteadyLead(p, current);
                leadP = sp + ((leadP - sp) * Math.Exp(-h * ReducedSpm.SlowestModeEigenvalue / p.PositiveDiffusionTime));
                leadN = sn + ((leadN - sn) * Math.Exp(-h * ReducedSpm.SlowestModeEigenvalue / p.NegativeDiffusionTime));
            }

            var v = ReducedSpm.Voltage(p, soc, leadP, leadN, resistance(k), current) + (VoltageNoise * HealthAndForecastTests.Gaussian(random));
            output.Add((current, v, soc));
        }

        return output;
    }

    private static (List<SocFilterStep> Steps, List<double> Truth) Track(double startSoc, double guessSoc, Func<int, double> resistance, int seconds, int seed)
    {
        var data = Simulate(startSoc, resistance, seconds, seed);
        var options = new SocFilterOptions(VoltageNoiseStd: VoltageNoise);
        var state = SocFilterState.Start(guessSoc, 0.01, options);
        var steps = new List<SocFilterStep>(seconds);
        var previous = 0.0;
        foreach (var (current, voltage, _) in data)
        {
            var step = SocFilter.Step(state, Chen2020, options, Dt, previous, current, voltage);
            steps.Add(step);
            state = step.State;
            previous = current;
        }

        return (steps, data.Select(d => d.Soc).ToList());
    }

    [Fact]
    public void Soc_converges_from_a_wrong_start_and_stays_within_its_own_uncertainty()
    {
        // Start 0.25 off (truth 0.9, guess 0.65); after one 90-minute cycle the error must be below 0.02 and the
        // normalized error squared (e/σ)² averaged over the second cycle must be consistent: a χ²(1) mean of 1, accepted in [0.1, 3].
        var (steps, truth) = Track(0.9, 0.65, _ => 0.02, 10800, seed: 1);
        var error = steps[5399].State.Soc - truth[5399];
        Assert.True(Math.Abs(error) < 0.02, $"SOC error after one cycle {error:F4}");

        var nees = Enumerable.Range(5400, 5400).Average(k => Math.Pow((steps[k].State.Soc - truth[k]) / steps[k].State.SocStd, 2));
        Assert.InRange(nees, 0.1, 3.0);
        Assert.True(Math.Abs(steps[^1].State.Soc - truth[^1]) < 0.01, $"final SOC error {steps[^1].State.Soc - truth[^1]:F4}");
    }

    [Fact]
    public void Resistance_follows_a_step_as_it_fades()
    {
        // R0 rises from 20 mΩ to 30 mΩ at 3 h (resistance fade); after three more hours the estimate must be within 10 % of 30 mΩ.
        var (steps, _) = Track(0.9, 0.9, k => k < 10800 ? 0.020 : 0.030, 21600, seed: 2);
        Assert.InRange(steps[10799].State.Resistance, 0.018, 0.022);
        Assert.InRange(steps[^1].State.Resistance, 0.027, 0.033);
    }

    [Fact]
    public void The_covariance_stays_symmetric_and_positive()
    {
        var (steps, _) = Track(0.5, 0.2, _ => 0.02, 3600, seed: 3);
        foreach (var step in steps.Where((_, i) => i % 97 == 0))
        {
            var p = step.State.Covariance;
            Assert.True(p[0] > 0 && p[3] > 0, "positive diagonal");
            Assert.Equal(p[1], p[2], 15);
            Assert.True((p[0] * p[3]) - (p[1] * p[2]) > 0, "positive determinant");
        }
    }

    [Fact]
    public void Parameter_problems_are_all_reported()
    {
        var bad = Chen2020 with { CapacityAh = -1, PositiveStoichiometryAt0 = 0.2, Temperature = 0 };
        var problems = bad.Problems();
        Assert.Contains(problems, p => p.Contains("CapacityAh", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("delithiate", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Temperature", StringComparison.Ordinal));
        Assert.Empty(Chen2020.Problems());
    }
}
