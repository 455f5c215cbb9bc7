// Least-squares slope of an evenly spaced series (used for "residual growing" per cycle).
namespace DigitalTwin.Estimation.Alerts;

public static class Trend
{
    /// <summary>Slope per step of y against 0, 1, 2, …; NaN with fewer than <paramref name="minimumPoints"/> finite points.</summary>
    public static double Slope(IReadOnlyList<double> values, int minimumPoints = 3)
    {
        ArgumentNullException.ThrowIfNull(values);
        double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                continue;
            }

            n++;
            sx += i;
            sy += values[i];
            sxx += (double)i * i;
            sxy += i * values[i];
        }

        var d = (n * sxx) - (sx * sx);
        return n < minimumPoints || d <= 0 ? double.NaN : ((n * sxy) - (sx * sy)) / d;
    }
}
