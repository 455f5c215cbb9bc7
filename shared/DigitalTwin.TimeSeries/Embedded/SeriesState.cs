// In-memory state of one stored series: identity, newest time, open rollup buckets and the
// latest point. Derived from the file on first use (raw chunks are the truth).
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
        Open = new RollupBucket?[RollupLevels.Widths.Length];
        LastPersisted = new long[RollupLevels.Widths.Length];
        Array.Fill(LastPersisted, long.MinValue);
    }

    public long Id { get; }

    public SeriesKey Key { get; }

    public IReadOnlyDictionary<string, string> Tags { get; }

    /// <summary>Field kinds seen in this series (a later write with another kind is refused).</summary>
    public Dictionary<int, FieldKind> FieldKinds { get; } = [];

    public bool Recovered { get; set; }

    /// <summary>Newest stored time, or long.MinValue when the series has no points.</summary>
    public long HighWater { get; set; } = long.MinValue;

    /// <summary>Per level, the bucket still receiving points (not yet on disk).</summary>
    public RollupBucket?[] Open { get; }

    /// <summary>Per level, the start of the newest bucket on disk (long.MinValue: none).</summary>
    public long[] LastPersisted { get; }

    public long LastTime { get; set; } = long.MinValue;

    public FieldValue[] LastFields { get; set; } = [];

    public void Forget()
    {
        Recovered = false;
        HighWater = long.MinValue;
        Array.Clear(Open);
        Array.Fill(LastPersisted, long.MinValue);
        LastTime = long.MinValue;
        LastFields = [];
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
