// Per-type radius scale over time (swelling with lithiation, shrinking on delithiation): a fix that
// sets R_i = R0_i * s_type(t) each step, piecewise linear between (time, scale) points, constant density.
namespace DigitalTwin.Physics.Dem;

public sealed class RadiusSchedule
{
    private readonly double[] _times;
    private readonly double[] _scales;

    /// <param name="times">Increasing times [s].</param>
    /// <param name="scales">Radius scale s = R/R0 at those times [-].</param>
    public RadiusSchedule(double[] times, double[] scales)
    {
        var problems = new List<string>();
        if (times.Length == 0 || times.Length != scales.Length)
        {
            problems.Add($"radius schedule: times ({times.Length}) and scales ({scales.Length}) must be non-empty and of equal length");
        }

        for (var k = 1; k < times.Length; k++)
        {
            if (!(times[k] > times[k - 1]))
            {
                problems.Add($"radius schedule: times[{k}] = {times[k]} s must exceed times[{k - 1}] = {times[k - 1]} s");
            }
        }

        for (var k = 0; k < scales.Length; k++)
        {
            if (!(scales[k] > 0.5 && scales[k] < 2.0))
            {
                problems.Add($"radius schedule: scales[{k}] = {scales[k]} must be in (0.5, 2)");
            }
        }

        DemInputException.ThrowIfAny(problems);
        _times = times;
        _scales = scales;
    }

    /// <summary>A linear ramp from <paramref name="from"/> at t0 to <paramref name="to"/> at t0 + duration, then held.</summary>
    public static RadiusSchedule Ramp(double t0, double duration, double from, double to) =>
        new([t0, t0 + duration], [from, to]);

    public double ScaleAt(double t)
    {
        if (t <= _times[0])
        {
            return _scales[0];
        }

        for (var k = 1; k < _times.Length; k++)
        {
            if (t <= _times[k])
            {
                var a = (t - _times[k - 1]) / (_times[k] - _times[k - 1]);
                return _scales[k - 1] + a * (_scales[k] - _scales[k - 1]);
            }
        }

        return _scales[^1];
    }

    public double EndTime => _times[^1];
}
