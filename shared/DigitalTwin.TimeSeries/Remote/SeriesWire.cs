// The JSON shape of the Dashboard's POST /api/v1/query: a SeriesQuery in, a SeriesResult out, lossless
// (nanosecond times, mean/min/max/count per bucket, raw text), so a remote reader answers like the store.
using System.Text.Json.Serialization;

namespace DigitalTwin.TimeSeries.Remote;

/// <summary>A <see cref="SeriesQuery"/> on the wire.</summary>
public sealed record SeriesQueryWire
{
    [JsonPropertyName("measurement")]
    public required string Measurement { get; init; }

    [JsonPropertyName("fields")]
    public required IReadOnlyList<string> Fields { get; init; }

    [JsonPropertyName("tags")]
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Start of the range [ns since the Unix epoch], inclusive.</summary>
    [JsonPropertyName("from_ns")]
    public long FromNs { get; init; }

    /// <summary>End of the range [ns since the Unix epoch], exclusive.</summary>
    [JsonPropertyName("to_ns")]
    public long ToNs { get; init; }

    [JsonPropertyName("max_points")]
    public int MaxPoints { get; init; } = 1000;

    [JsonPropertyName("raw")]
    public bool Raw { get; init; }

    [JsonPropertyName("combine")]
    public bool Combine { get; init; }

    [JsonPropertyName("where_field")]
    public string? WhereField { get; init; }

    [JsonPropertyName("where_value")]
    public long? WhereValue { get; init; }

    public static SeriesQueryWire From(SeriesQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new()
        {
            Measurement = query.Measurement, Fields = query.Fields, Tags = query.Tags, FromNs = query.FromNs, ToNs = query.ToNs,
            MaxPoints = query.MaxPoints, Raw = query.Raw, Combine = query.Combine, WhereField = query.Where?.Field, WhereValue = query.Where?.Value,
        };
    }

    /// <summary>The query, or every problem of the request at once.</summary>
    public SeriesQuery ToQuery()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Measurement))
        {
            problems.Add("'measurement' is required");
        }

        if (Fields is null || Fields.Count == 0)
        {
            problems.Add("'fields' must name at least one field");
        }

        if ((WhereField is null) != (WhereValue is null))
        {
            problems.Add("'where_field' and 'where_value' go together");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid series query: " + string.Join("; ", problems) + ".");
        }

        return new SeriesQuery
        {
            Measurement = Measurement, Fields = Fields!, Tags = Tags ?? new Dictionary<string, string>(), FromNs = FromNs, ToNs = ToNs,
            MaxPoints = MaxPoints, Raw = Raw, Combine = Combine, Where = WhereField is null ? null : new FieldEquals(WhereField, WhereValue!.Value),
        };
    }
}

/// <summary>A <see cref="SeriesResult"/> on the wire; NaN travels as null.</summary>
public sealed record SeriesResultWire(
    [property: JsonPropertyName("measurement")] string Measurement,
    [property: JsonPropertyName("bucket_ns")] long BucketNs,
    [property: JsonPropertyName("series")] IReadOnlyList<SeriesFrameWire> Series)
{
    public static SeriesResultWire From(SeriesResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(result.Measurement, result.BucketNs, [.. result.Series.Select(f => new SeriesFrameWire(f.Tags, f.Times,
            f.Fields.ToDictionary(c => c.Key, c => new FieldColumnWire(Nullable(c.Value.Values)!, Nullable(c.Value.Min), Nullable(c.Value.Max), c.Value.Count, c.Value.Text))))]);
    }

    public SeriesResult ToResult() => new(Measurement, BucketNs, [.. Series.Select(f => new SeriesFrame(f.Tags, f.Times,
        f.Fields.ToDictionary(c => c.Key, c => new FieldColumn(Doubles(c.Value.Values)!, Doubles(c.Value.Min), Doubles(c.Value.Max), c.Value.Count, c.Value.Text))))]);

    private static double?[]? Nullable(double[]? values) => values?.Select(v => double.IsNaN(v) ? (double?)null : v).ToArray();

    private static double[]? Doubles(double?[]? values) => values?.Select(v => v ?? double.NaN).ToArray();
}

public sealed record SeriesFrameWire(
    [property: JsonPropertyName("tags")] IReadOnlyDictionary<string, string> Tags,
    [property: JsonPropertyName("t_ns")] long[] Times,
    [property: JsonPropertyName("fields")] IReadOnlyDictionary<string, FieldColumnWire> Fields);

public sealed record FieldColumnWire(
    [property: JsonPropertyName("values")] double?[] Values,
    [property: JsonPropertyName("min"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double?[]? Min,
    [property: JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double?[]? Max,
    [property: JsonPropertyName("count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long[]? Count,
    [property: JsonPropertyName("text"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string?[]? Text);
