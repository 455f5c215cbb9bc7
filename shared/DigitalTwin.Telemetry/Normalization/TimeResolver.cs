// Turns local wall-clock stamps into UTC. Where a file also has test time (the instrument's monotonic
// clock), UTC = anchor + elapsed test time, and the wall clock only picks the anchor: this resolves the
// repeated hour when daylight saving ends and gives sub-second resolution to 1-s wall clocks.
namespace DigitalTwin.Telemetry.Normalization;

internal sealed class TimeResolver
{
    private const long TicksPerMicro = 10;
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    private readonly TimeZoneInfo? _zone;
    private readonly ProblemLog _log;
    private long _cachedHour = long.MinValue;
    private long _cachedOffset;
    private bool _cachedSimple;

    private bool _anchored;
    private long _anchorUtcTicks;
    private double _anchorTestTime;
    private long _lastUtcTicks = long.MinValue;
    private long _pendingDiscrepancy = long.MinValue;
    private long _pendingLine;

    public TimeResolver(TimeZoneInfo? zone, ProblemLog log)
    {
        _zone = zone;
        _log = log;
    }

    public long FirstUtcTicks { get; private set; } = long.MinValue;

    /// <summary>Re-anchors on the next wall clock (a new run restarts its test time).</summary>
    public void Reset() => _anchored = false;

    /// <summary>UTC µs since the Unix epoch; <paramref name="testTime"/> may be NaN.</summary>
    public long Resolve(long wallTicks, bool isUtc, double testTime, long line)
    {
        long utc;
        if (isUtc || _zone is null)
        {
            utc = wallTicks;
            if (!double.IsNaN(testTime))
            {
                utc = Anchor(utc, utc, testTime, line);
            }
        }
        else
        {
            var (first, second, kind) = Candidates(wallTicks);
            if (kind == 2)
            {
                _log.Warn(line, "time", ProblemCodes.TimeZone, $"wall time {new DateTime(wallTicks):yyyy-MM-dd HH:mm:ss} does not exist in {_zone.Id} (clocks jumped forward); read with the offset before the change");
            }

            long predicted;
            if (_anchored && !double.IsNaN(testTime))
            {
                predicted = _anchorUtcTicks + (long)Math.Round((testTime - _anchorTestTime) * TimeSpan.TicksPerSecond);
            }
            else
            {
                predicted = _lastUtcTicks == long.MinValue ? first : _lastUtcTicks;
            }

            // Of two readings of a repeated hour, take the one the instrument's own clock predicts.
            var chosen = kind == 1 && Math.Abs(second - predicted) < Math.Abs(first - predicted) ? second : first;
            if (kind == 1 && !_anchored && _lastUtcTicks == long.MinValue)
            {
                _log.Warn(line, "time", ProblemCodes.TimeZone, $"first wall time {new DateTime(wallTicks):yyyy-MM-dd HH:mm:ss} is ambiguous in {_zone.Id} (daylight saving ends); took the earlier reading");
            }

            utc = double.IsNaN(testTime) ? chosen : Anchor(chosen, predicted, testTime, line);
        }

        if (FirstUtcTicks == long.MinValue)
        {
            FirstUtcTicks = utc;
        }

        _lastUtcTicks = utc;
        return (utc - UnixEpochTicks) / TicksPerMicro;
    }

    /// <summary>UTC µs from a known start plus test time (files whose rows carry no clock).</summary>
    public long FromStart(long startTicks, bool isUtc, double testTime, long line)
    {
        if (!_anchored)
        {
            Resolve(startTicks, isUtc, double.NaN, line);
            _anchored = true;
            _anchorUtcTicks = _lastUtcTicks;
            _anchorTestTime = 0;
        }

        var utc = _anchorUtcTicks + (long)Math.Round(testTime * TimeSpan.TicksPerSecond);
        return (utc - UnixEpochTicks) / TicksPerMicro;
    }

    private long Anchor(long wallUtc, long predicted, double testTime, long line)
    {
        if (!_anchored)
        {
            _anchored = true;
            _anchorUtcTicks = wallUtc;
            _anchorTestTime = testTime;
            return wallUtc;
        }

        var fromTestTime = _anchorUtcTicks + (long)Math.Round((testTime - _anchorTestTime) * TimeSpan.TicksPerSecond);
        var tolerance = (5 * TimeSpan.TicksPerSecond) + (long)(Math.Abs(testTime - _anchorTestTime) * 1e-4 * TimeSpan.TicksPerSecond);
        if (Math.Abs(wallUtc - fromTestTime) <= tolerance)
        {
            _pendingDiscrepancy = long.MinValue;
            return fromTestTime;
        }

        // The wall clock moved differently from test time (a pause, a clock set). One odd stamp is a glitch;
        // a second row with the same offset means the clock really moved: trust the wall clock from there.
        var discrepancy = wallUtc - fromTestTime;
        if (_pendingDiscrepancy == long.MinValue || Math.Abs(discrepancy - _pendingDiscrepancy) > 2 * TimeSpan.TicksPerSecond)
        {
            _pendingDiscrepancy = discrepancy;
            _pendingLine = line;
            return fromTestTime;
        }

        _log.Warn(_pendingLine, "time", ProblemCodes.BadTime, $"wall clock and test time disagree by {discrepancy / (double)TimeSpan.TicksPerSecond:0.###} s from this row on; timestamps follow the wall clock from line {line}");
        _pendingDiscrepancy = long.MinValue;
        _anchorUtcTicks = wallUtc;
        _anchorTestTime = testTime;
        return wallUtc;
    }

    /// <summary>UTC readings of a local time: kind 0 unique, 1 ambiguous (two readings), 2 invalid (in the spring gap).</summary>
    private (long First, long Second, int Kind) Candidates(long localTicks)
    {
        var zone = _zone!;
        var hour = localTicks / TimeSpan.TicksPerHour;
        if (hour == _cachedHour && _cachedSimple)
        {
            var u = localTicks - _cachedOffset;
            return (u, u, 0);
        }

        var local = new DateTime(localTicks, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            var before = zone.GetUtcOffset(local.AddHours(-3)).Ticks;
            _cachedHour = long.MinValue;
            return (localTicks - before, localTicks - before, 2);
        }

        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            var a = localTicks - offsets.Max().Ticks;
            var b = localTicks - offsets.Min().Ticks;
            _cachedHour = long.MinValue;
            return (a, b, 1);
        }

        var offset = zone.GetUtcOffset(local).Ticks;
        var hourStart = new DateTime(hour * TimeSpan.TicksPerHour, DateTimeKind.Unspecified);
        var hourEnd = hourStart.AddHours(1).AddTicks(-1);
        _cachedHour = hour;
        _cachedOffset = offset;
        _cachedSimple = !zone.IsAmbiguousTime(hourStart) && !zone.IsInvalidTime(hourStart) && !zone.IsAmbiguousTime(hourEnd)
            && !zone.IsInvalidTime(hourEnd) && zone.GetUtcOffset(hourStart).Ticks == offset && zone.GetUtcOffset(hourEnd).Ticks == offset;
        return (localTicks - offset, localTicks - offset, 0);
    }
}
