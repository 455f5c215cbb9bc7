// In-memory state of one stored series: identity, newest time, the head (points committed to the
// write-ahead log but not yet in chunks), rollup buckets not yet on disk, and the latest point.
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.TimeSeries.Embedded;

internal sealed class SeriesState
{
    public SeriesState(long id, SeriesKey key)
    {
        Id = id;
        Key = key;
        Tags = key.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var levels = RollupLevels.Widths.Length;
        Open = new RollupBucket?[levels];
        Pending = new List<RollupBucket>[levels];
        for (var level = 0; level < levels; level++)
        {
            Pending[level] = [];
        }

        LastClosed = new long[levels];
        Array.Fill(LastClosed, long.MinValue);
    }

    public long Id { get; }

    public SeriesKey Key { get; }

    public IReadOnlyDictionary<string, string> Tags { get; }

    /// <summary>Field kinds seen in this series (a later write with another kind is refused).</summary>
    public Dictionary<int, FieldKind> FieldKinds { get; } = [];

    public bool Recovered { get; set; }

    /// <summary>Newest time stored (on disk or in the head), or long.MinValue when the series is empty.</summary>
    public long HighWater { get; set; } = long.MinValue;

    /// <summary>Points newer than everything before them, appended in place (ascending); replaced, never reused, at checkpoint.</summary>
    public PointColumns? Head { get; set; }

    /// <summary>Points at or before the newest time when written; merged, deduplicated and re-rolled at checkpoint.</summary>
    public List<PointColumns> HeadLate { get; } = [];

    /// <summary>Per level, the bucket still receiving points.</summary>
    public RollupBucket?[] Open { get; }

    /// <summary>Per level, closed buckets not yet written (they go to disk at the next checkpoint).</summary>
    public List<RollupBucket>[] Pending { get; }

    /// <summary>Per level, the start of the newest closed bucket, on disk or pending (long.MinValue: none).</summary>
    public long[] LastClosed { get; }

    public long LastTime => LastPoint is null ? long.MinValue : LastPoint.Times[LastRow];

    /// <summary>The newest point: a row of a column set that is never modified (no copy per write).</summary>
    public PointColumns? LastPoint { get; set; }

    public int LastRow { get; set; }

    public bool HasUnsaved => Head is { Count: > 0 } || HeadLate.Count > 0 || Pending.Any(p => p.Count > 0);

    public void Forget()
    {
        Recovered = false;
        HighWater = long.MinValue;
        Head = null;
        HeadLate.Clear();
        Array.Clear(Open);
        foreach (var pending in Pending)
        {
            pending.Clear();
        }

        Array.Fill(LastClosed, long.MinValue);
        LastPoint = null;
        LastRow = 0;
    }

    public bool Matches(IReadOnlyDictionary<string, string> filter)
    {
        foreach (var (key, value) in filter)
        {
            if (!Tags.TryGetValue(key, out var mine) || mine != value)
            {
                return false;
            }
        }

        return true;
    }
}
