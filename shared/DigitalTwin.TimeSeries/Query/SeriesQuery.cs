// What to read: one measurement's fields over [From, To), filtered by tags (per cell, per lot),
// downsampled to at most MaxPoints buckets, or raw points.
using DigitalTwin.TimeSeries.Points;

namespace DigitalTwin.TimeSeries;

public sealed record SeriesQuery
{
    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    public required string Measurement { get; init; }

    /// <summary>Fields to return; numeric fields are aggregated, string/boolean fields only in raw mode.</summary>
    public required IReadOnlyList<string> Fields { get; init; }

    /// <summary>Tag equality filters, e.g. cell=c1 or lot=L7.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = NoTags;

    /// <summary>Start of the range, nanoseconds since the Unix epoch (inclusive).</summary>
    public required long FromNs { get; init; }

    /// <summary>End of the range, nanoseconds since the Unix epoch (exclusive).</summary>
    public required long ToNs { get; init; }

    /// <summary>Upper bound on buckets per series; the bucket width is the next "nice" width above span / MaxPoints.</summary>
    public int MaxPoints { get; init; } = 1000;

    /// <summary>Raw points instead of buckets (at most <see cref="Downsampling.RawLimitFactor"/> × MaxPoints, the latest).</summary>
    public bool Raw { get; init; }

    /// <summary>Aggregate all matching series into one (e.g. a whole lot); bucketed mode only.</summary>
    public bool Combine { get; init; }

    /// <summary>Keep only points where this integer field equals the value (e.g. a forecast's issued_cycle); raw mode.</summary>
    public FieldEquals? Where { get; init; }

    public static SeriesQuery Range(string measurement, IReadOnlyList<string> fields, DateTimeOffset from, DateTimeOffset to,
        IReadOnlyDictionary<string, string>? tags = null, int maxPoints = 1000) => new()
        {
            Measurement = measurement,
            Fields = fields,
            FromNs = TimeUnits.ToNanoseconds(from),
            ToNs = TimeUnits.ToNanoseconds(to),
            Tags = tags ?? NoTags,
            MaxPoints = maxPoints,
        };

    internal void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Measurement))
        {
            problems.Add("measurement is empty");
        }

        if (Fields.Count == 0)
        {
            problems.Add("no fields requested");
        }

        if (ToNs <= FromNs)
        {
            problems.Add($"empty range: to ({ToNs}) must be after from ({FromNs})");
        }

        if (MaxPoints is < 1 or > 100_000)
        {
            problems.Add($"max points {MaxPoints} outside 1..100000");
        }

        if (Combine && (Raw || Where is not null))
        {
            problems.Add("combine works on buckets, not with raw or where");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid series query: " + string.Join("; ", problems) + ".");
        }
    }
}

public sealed record FieldEquals(string Field, long Value);

/// <summary>The latest point of each series matching the tags.</summary>
public sealed record LatestQuery
{
    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    public required string Measurement { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = NoTags;

    /// <summary>Fields to return; null returns every field of the point.</summary>
    public IReadOnlyList<string>? Fields { get; init; }
}

public sealed record LatestPoint(IReadOnlyDictionary<string, string> Tags, long TimestampNs, IReadOnlyList<FieldValue> Fields)
{
    public FieldValue? Field(string name)
    {
        foreach (var field in Fields)
        {
            if (field.Name == name)
            {
                return field;
            }
        }

        return null;
    }
}
