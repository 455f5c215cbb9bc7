// SOH and resistance fade per cycle; the end-of-life forecast against a known linear fade, its band's coverage, physics fusion.
using DigitalTwin.Estimation.Cycles;
using DigitalTwin.Estimation.Forecast;
using DigitalTwin.Estimation.Health;

namespace DigitalTwin.Estimation.Tests;

public sealed class HealthAndForecastTests
{
    private static CycleRecord Cycle(int n, double dischargeAh, double resistance) =>
        new(n, 0, 0, 3600, dischargeAh, dischargeAh, dischargeAh, dischargeAh, 0, 0, 3, 4.2, resistance, double.NaN, 100);

    [Fact]
    public void Soh_is_capacity_over_nominal_and_partial_cycles_do_not_count()
    {
        var state = HealthState.Empty;
        state = HealthTracker.Add(state, Cycle(1, 4.9, 0.020), 5.0, new HealthOptions());
        state = HealthTracker.Add(state, Cycle(2, 1.0, 0.030), 5.0, new HealthOptions());
        state = HealthTracker.Add(state, Cycle(3, 4.5, 0.025), 5.0, new HealthOptions());

        Assert.Equal(2, state.QualifiedCycles);
        Assert.Equal(0.9, state.Latest!.Soh, 12);
        Assert.Equal(1.25, state.Latest.ResistanceRatio, 12);
        Assert.Equal([1, 3], state.Recent.Select(p => p.Cycle));
    }

    [Fact]
    public void A_noise_free_linear_fade_is_forecast_exactly()
    {
        // SOH = 1 − 0.001·n reaches 0.8 at n = 200; from cycle 100 that is 100 cycles.
        var history = Enumerable.Range(1, 100).Select(n => (n, 1 - (0.001 * n))).ToList();
        var f = CapacityForecaster.Forecast(history, new ForecastOptions());
        Assert.Equal(-0.001, f.SlopePerCycle, 12);
        Assert.Equal(100, f.CyclesToEndOfLifeMedian, 6);
        Assert.Equal(100, f.CyclesToEndOfLifeLower, 6);
        Assert.Equal(100, f.CyclesToEndOfLifeUpper, 6);
    }

    [Fact]
    public void The_band_covers_the_next_measured_cycle_with_its_probability()
    {
        // Monte Carlo: SOH = 1 − 0.001·n + N(0, 0.002²); the 90 % prediction band at the next cycle must hold it in
        // about 90 % of 600 trials (binomial standard error 1.2 %, tolerance ±4 %).
        var random = new Random(11);
        var inside = 0;
        const int Trials = 600;
        for (var trial = 0; trial < Trials; trial++)
        {
            var history = Enumerable.Range(1, 30).Select(n => (n, 1 - (0.001 * n) + (0.002 * Gaussian(random)))).ToList();
            var (_, lower, upper) = CapacityForecaster.Predict(history, new ForecastOptions(), null, 31);
            var next = 1 - (0.001 * 31) + (0.002 * Gaussian(random));
            inside += next >= lower && next <= upper ? 1 : 0;
        }

        Assert.InRange(inside / (double)Trials, 0.86, 0.94);
    }

    [Fact]
    public void Noisy_fade_forecasts_the_end_of_life_inside_its_band()
    {
        var random = new Random(3);
        var history = Enumerable.Range(1, 100).Select(n => (n, 1 - (0.001 * n) + (0.002 * Gaussian(random)))).ToList();
        var f = CapacityForecaster.Forecast(history, new ForecastOptions());

        // True remaining life 100 cycles; the fitted slope's standard error is 0.002/√Sxx ≈ 6.9e-6 per cycle, so the
        // median lands within about ±5 cycles; the band must bracket the truth.
        Assert.InRange(f.CyclesToEndOfLifeMedian, 90, 110);
        Assert.True(f.CyclesToEndOfLifeLower < 100 && f.CyclesToEndOfLifeUpper > 100, $"band [{f.CyclesToEndOfLifeLower}, {f.CyclesToEndOfLifeUpper}] brackets 100");
        Assert.True(f.CyclesToEndOfLifeLower < f.CyclesToEndOfLifeMedian && f.CyclesToEndOfLifeMedian < f.CyclesToEndOfLifeUpper);
    }

    [Fact]
    public void No_fade_means_no_end_of_life_and_too_few_cycles_mean_no_forecast()
    {
        var flat = Enumerable.Range(1, 50).Select(n => (n, 0.95 + (n % 2 == 0 ? 0.001 : -0.001))).ToList();
        Assert.True(double.IsPositiveInfinity(CapacityForecaster.Forecast(flat, new ForecastOptions()).CyclesToEndOfLifeMedian));
        Assert.True(double.IsNaN(CapacityForecaster.Forecast([(1, 1.0), (2, 0.99)], new ForecastOptions()).CyclesToEndOfLifeMedian));
    }

    [Fact]
    public void A_precise_physics_fade_rate_dominates_the_slope_and_is_attributed()
    {
        var random = new Random(5);
        var history = Enumerable.Range(1, 20).Select(n => (n, 1 - (0.001 * n) + (0.004 * Gaussian(random)))).ToList();
        var physics = new PhysicsFade(-0.002, 1e-7, new Dictionary<DegradationMechanism, double> { [DegradationMechanism.ParticleCracking] = 0.01 });
        var f = CapacityForecaster.Forecast(history, new ForecastOptions(), physics);

        // Inverse-variance weights: the trend's slope error (~1.5e-4) is 1500× the physics one, so the slope is −0.002 within 1e-6.
        Assert.Equal(-0.002, f.SlopePerCycle, 6);
        Assert.Equal(0.01, f.Contributions[DegradationMechanism.ParticleCracking], 12);
        Assert.StartsWith("trend+physics", f.Method, StringComparison.Ordinal);
    }

    internal static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
