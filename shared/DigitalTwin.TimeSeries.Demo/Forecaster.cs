// Capacity forecast from the SOH history: a least-squares line through the recent cycles (trend)
// and the same line plus the loss of active material the particle damage implies (physics).
// The band is the 90 % prediction interval of the fit. A demo stand-in for the twin's forecaster.
namespace DigitalTwin.TimeSeries.Demo;

public sealed record ForecastPoint(int Cycle, double Median, double Low, double High);

public sealed record ForecastResult(string Method, IReadOnlyList<ForecastPoint> Curve, double EolMedian, double EolLow, double EolHigh);

public static class Forecaster
{
    public const double EndOfLife = 0.8;
    private const double Z90 = 1.645;

    /// <summary>Forecast from (cycle, soh) pairs; extraLoss(c) adds a method-specific loss at future cycle c.</summary>
    public static ForecastResult Forecast(string method, IReadOnlyList<(int Cycle, double Soh)> history, Func<int, double> extraLoss, int points = 40)
    {
        var recent = history.Skip(Math.Max(0, history.Count - 60)).ToList();
        var n = recent.Count;
        var meanX = recent.Average(p => (double)p.Cycle);
        var meanY = recent.Average(p => p.Soh);
        var sxx = recent.Sum(p => (p.Cycle - meanX) * (p.Cycle - meanX));
        var slope = sxx > 0 ? recent.Sum(p => (p.Cycle - meanX) * (p.Soh - meanY)) / sxx : 0;
        slope = Math.Min(slope, -1e-6);
        var intercept = meanY - (slope * meanX);
        var residual = n > 2 ? Math.Sqrt(recent.Sum(p => Math.Pow(p.Soh - (intercept + (slope * p.Cycle)), 2)) / (n - 2)) : 0.002;
        var now = history[^1].Cycle;

        double Median(int c) => intercept + (slope * c) - extraLoss(c);
        double Half(int c) => Z90 * residual * Math.Sqrt(1 + (1.0 / n) + ((c - meanX) * (c - meanX) / Math.Max(sxx, 1))) + (1.2e-4 * (c - now));

        var eolMedian = Crossing(now, c => Median(c));
        var eolLow = Crossing(now, c => Median(c) - Half(c));
        var eolHigh = Crossing(now, c => Median(c) + Half(c));
        var last = (int)Math.Min(now + 3000, Math.Max(eolHigh, eolMedian) + 20);
        var step = Math.Max(1, (last - now) / points);
        var curve = new List<ForecastPoint>();
        for (var c = now + step; c <= last; c += step)
        {
            curve.Add(new ForecastPoint(c, Math.Max(0, Median(c)), Math.Max(0, Median(c) - Half(c)), Math.Min(1, Median(c) + Half(c))));
        }

        return new ForecastResult(method, curve, eolMedian, eolLow, eolHigh);
    }

    private static double Crossing(int from, Func<int, double> soh)
    {
        for (var c = from; c < from + 20_000; c++)
        {
            if (soh(c) <= EndOfLife)
            {
                return c;
            }
        }

        return from + 20_000;
    }
}
