// Query results: one frame per series (or one combined frame), columns per field. In bucketed
// mode Values holds the mean and Min/Max/Count the rest; in raw mode only Values (NaN = absent).
namespace DigitalTwin.TimeSeries;

public sealed class SeriesResult
{
    public SeriesResult(string measurement, long bucketNs, IReadOnlyList<SeriesFrame> series)
    {
        Measurement = measurement;
        BucketNs = bucketNs;
        Series = series;
    }

    public string Measurement { get; }

    /// <summary>Bucket width in nanoseconds; 0 for raw points.</summary>
    public long BucketNs { get; }

    public IReadOnlyList<SeriesFrame> Series { get; }
}

public sealed class SeriesFrame
{
    public SeriesFrame(IReadOnlyDictionary<string, string> tags, long[] times, IReadOnlyDictionary<string, FieldColumn> fields)
    {
        Tags = tags;
        Times = times;
        Fields = fields;
    }

    public IReadOnlyDictionary<string, string> Tags { get; }

    /// <summary>Point times, or bucket starts, in nanoseconds since the Unix epoch.</summary>
    public long[] Times { get; }

    public IReadOnlyDictionary<string, FieldColumn> Fields { get; }
}

public sealed class FieldColumn
{
    public FieldColumn(double[] values, double[]? min = null, double[]? max = null, long[]? count = null, string?[]? text = null)
    {
        Values = values;
        Min = min;
        Max = max;
        Count = count;
        Text = text;
    }

    /// <summary>Raw value, or the bucket mean; NaN where the field has no value.</summary>
    public double[] Values { get; }

    public double[]? Min { get; }

    public double[]? Max { get; }

    public long[]? Count { get; }

    /// <summary>String values (raw mode, string fields).</summary>
    public string?[]? Text { get; }
}
