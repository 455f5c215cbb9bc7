// Capacity-to-end-of-life forecast: a linear fade trend with its prediction band, optionally fused with a physics fade rate.
using MathNet.Numerics.Distributions;

namespace DigitalTwin.Estimation.Forecast;

/// <summary>What capacity loss is attributed to (the contract's degradation mechanisms).</summary>
public enum DegradationMechanism
{
    Trend = 1,
    ParticleCracking = 2,
    ContactLoss = 3,
    BinderFailure = 4,
    LithiumInventory = 5,
}

/// <summary>
/// The physics states' view of fade: the SOH loss rate implied by the loss of active material (cracking, contact loss,
/// binder failure) and the loss attributed to each mechanism so far.
/// </summary>
/// <param name="SlopePerCycle">SOH change per cycle (negative for fade) [1/cycle].</param>
/// <param name="SlopeStd">Standard uncertainty of that slope [1/cycle].</param>
/// <param name="LossByMechanism">Fraction of nominal capacity lost per mechanism so far [dimensionless].</param>
public sealed record PhysicsFade(double SlopePerCycle, double SlopeStd, IReadOnlyDictionary<DegradationMechanism, double> LossByMechanism);

/// <summary>Forecast settings.</summary>
/// <param name="EndOfLifeSoh">End of life as a state of health [dimensionless].</param>
/// <param name="BandProbability">Probability covered by the band [dimensionless].</param>
/// <param name="Window">Most recent cycles the trend is fitted to [count].</param>
/// <param name="TrajectoryPoints">Points of the returned trajectory [count].</param>
/// <param name="MaxHorizonCycles">Beyond this many cycles the end of life is reported as not reached (+∞) [count].</param>
public sealed record ForecastOptions(double EndOfLifeSoh = 0.8, double BandProbability = 0.9, int Window = 100, int TrajectoryPoints = 50, int MaxHorizonCycles = 100_000);

/// <summary>A capacity forecast. Cycles to end of life count from <see cref="LastCycle"/>; +∞ when the band never reaches it.</summary>
public sealed record ForecastResult(
    int LastCycle,
    double EndOfLifeSoh,
    double BandProbability,
    double SlopePerCycle,
    double SlopeStd,
    double ResidualStd,
    double CyclesToEndOfLifeMedian,
    double CyclesToEndOfLifeLower,
    double CyclesToEndOfLifeUpper,
    IReadOnlyList<int> TrajectoryCycle,
    IReadOnlyList<double> SohMedian,
    IReadOnlyList<double> SohLower,
    IReadOnlyList<double> SohUpper,
    IReadOnlyDictionary<DegradationMechanism, double> Contributions,
    string Method)
{
    /// <summary>Fewer than three cycles: no trend can be fitted with an uncertainty.</summary>
    public static ForecastResult Insufficient(int lastCycle, ForecastOptions o) =>
        new(lastCycle, o.EndOfLifeSoh, o.BandProbability, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, [], [], [], [], new Dictionary<DegradationMechanism, double>(), "insufficient data (fewer than 3 cycles)");
}

/// <summary>
/// Fits SOH = a + b·n to the most recent cycles by least squares. The band is the Student-t prediction interval
/// s·√(1 + 1/N + (n − n̄)²/Sxx) (a new measured cycle falls inside it with the band probability); cycles to end of life
/// are where the median and the band edges cross the end-of-life SOH. With a physics fade rate, the slope is the
/// inverse-variance mean of the trend's and the physics' slopes, anchored at the fitted present SOH.
/// </summary>
public static class CapacityForecaster
{
    /// <summary>The band at one cycle: median and the band's edges [dimensionless]; NaN with fewer than three cycles.</summary>
    public static (double Median, double Lower, double Upper) Predict(IReadOnlyList<(int Cycle, double Soh)> history, ForecastOptions options, PhysicsFade? physics, int cycle)
    {
        var fit = Fit(history, options, physics);
        if (fit is null)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        var m = fit.Median(cycle);
        var w = fit.HalfWidth(cycle);
        return (m, m - w, m + w);
    }

    public static ForecastResult Forecast(IReadOnlyList<(int Cycle, double Soh)> history, ForecastOptions options, PhysicsFade? physics = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        var lastCycle = history.Count > 0 ? history[^1].Cycle : 0;
        var fit = Fit(history, options, physics);
        if (fit is null)
        {
            return ForecastResult.Insufficient(lastCycle, options);
        }

        var (median, halfWidth, slope, combinedStd, s, method, a, b) = (fit.Median, fit.HalfWidth, fit.Slope, fit.SlopeStd, fit.ResidualStd, fit.Method, fit.Intercept, fit.TrendSlope);
        var eol = options.EndOfLifeSoh;
        var horizon = (double)lastCycle + options.MaxHorizonCycles;
        var medianCross = Crossing(c => median(c) - eol, lastCycle, horizon);
        var lowerCross = Crossing(c => median(c) - halfWidth(c) - eol, lastCycle, horizon);
        var upperCross = Crossing(c => median(c) + halfWidth(c) - eol, lastCycle, horizon);

        var end = double.IsFinite(upperCross) ? upperCross : double.IsFinite(medianCross) ? 2 * medianCross - lastCycle : lastCycle + 10.0 * options.Window;
        var count = Math.Max(2, options.TrajectoryPoints);
        var cycles = new int[count];
        var med = new double[count];
        var lo = new double[count];
        var hi = new double[count];
        for (var i = 0; i < count; i++)
        {
            var c = (int)Math.Round(lastCycle + (end - lastCycle) * i / (count - 1));
            cycles[i] = c;
            med[i] = median(c);
            lo[i] = med[i] - halfWidth(c);
            hi[i] = med[i] + halfWidth(c);
        }

        var contributions = new Dictionary<DegradationMechanism, double>();
        var totalLoss = Math.Max(0, 1 - (a + b * lastCycle));
        var attributed = 0.0;
        foreach (var (mechanism, loss) in physics?.LossByMechanism ?? new Dictionary<DegradationMechanism, double>())
        {
            contributions[mechanism] = loss;
            attributed += loss;
        }

        contributions[DegradationMechanism.Trend] = Math.Max(0, totalLoss - attributed);
        return new ForecastResult(lastCycle, eol, options.BandProbability, slope, combinedStd, s,
            medianCross - lastCycle, lowerCross - lastCycle, upperCross - lastCycle, cycles, med, lo, hi, contributions, method);
    }

    private sealed record FitResult(Func<double, double> Median, Func<double, double> HalfWidth, double Slope, double SlopeStd, double ResidualStd, string Method, double Intercept, double TrendSlope);

    private static FitResult? Fit(IReadOnlyList<(int Cycle, double Soh)> history, ForecastOptions options, PhysicsFade? physics)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        var points = history.TakeLast(options.Window).ToArray();
        var lastCycle = history.Count > 0 ? history[^1].Cycle : 0;
        if (points.Length < 3)
        {
            return null;
        }

        var n = points.Length;
        var meanX = points.Average(p => (double)p.Cycle);
        var meanY = points.Average(p => p.Soh);
        double sxx = 0, sxy = 0;
        foreach (var (c, y) in points)
        {
            sxx += (c - meanX) * (c - meanX);
            sxy += (c - meanX) * (y - meanY);
        }

        if (sxx <= 0)
        {
            return null;
        }

        var b = sxy / sxx;
        var a = meanY - b * meanX;
        var sse = points.Sum(p => Math.Pow(p.Soh - (a + b * p.Cycle), 2));
        var s = Math.Sqrt(sse / (n - 2));
        var t = StudentT.InvCDF(0, 1, n - 2, 0.5 + options.BandProbability / 2);
        var slopeStd = s / Math.Sqrt(sxx);

        Func<double, double> median;
        Func<double, double> halfWidth;
        string method;
        double slope;
        double combinedStd;
        if (physics is { SlopeStd: > 0 } && double.IsFinite(physics.SlopePerCycle))
        {
            var wTrend = slopeStd > 0 ? 1 / (slopeStd * slopeStd) : 1e30;
            var wPhysics = 1 / (physics.SlopeStd * physics.SlopeStd);
            slope = (wTrend * b + wPhysics * physics.SlopePerCycle) / (wTrend + wPhysics);
            combinedStd = Math.Sqrt(1 / (wTrend + wPhysics));
            var anchor = a + b * lastCycle;
            var anchorVar = s * s * (1.0 / n + Math.Pow(lastCycle - meanX, 2) / sxx);
            median = c => anchor + slope * (c - lastCycle);
            halfWidth = c => t * Math.Sqrt(s * s + anchorVar + Math.Pow(combinedStd * (c - lastCycle), 2));
            method = "trend+physics (inverse-variance slope)";
        }
        else
        {
            slope = b;
            combinedStd = slopeStd;
            median = c => a + b * c;
            halfWidth = c => t * s * Math.Sqrt(1 + 1.0 / n + Math.Pow(c - meanX, 2) / sxx);
            method = "linear trend, Student-t prediction band";
        }

        return new FitResult(median, halfWidth, slope, combinedStd, s, method, a, b);
    }

    /// <summary>First cycle in [from, to] where f falls to zero (bisection after a coarse scan); +∞ if it never does; from if already there.</summary>
    internal static double Crossing(Func<double, double> f, double from, double to)
    {
        if (f(from) <= 0)
        {
            return from;
        }

        const int Scan = 256;
        var previous = from;
        for (var k = 1; k <= Scan; k++)
        {
            // Geometric spacing: fine near the present, coarse far out.
            var x = from + (to - from) * Math.Pow((double)k / Scan, 3);
            if (f(x) <= 0)
            {
                double lo = previous, hi = x;
                for (var i = 0; i < 60; i++)
                {
                    var mid = 0.5 * (lo + hi);
                    if (f(mid) > 0)
                    {
                        lo = mid;
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                return 0.5 * (lo + hi);
            }

            previous = x;
        }

        return double.PositiveInfinity;
    }
}
