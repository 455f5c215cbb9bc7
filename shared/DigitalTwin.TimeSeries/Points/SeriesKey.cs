// Identity of a series: measurement plus sorted tags, with its line-protocol text computed once
// so writers reuse it for every point (a cell's key is created once, not per sample).
using System.Text;
using DigitalTwin.TimeSeries.LineProtocol;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.TimeSeries.Points;

public sealed class SeriesKey : IEquatable<SeriesKey>
{
    // A backslash before a separator is ambiguous in line protocol (InfluxDB's parser reads it as an escape).
    private const string Forbidden = "\\\n\r";

    private readonly KeyValuePair<string, string>[] _tags;
    private readonly int _hash;

    private SeriesKey(string measurement, KeyValuePair<string, string>[] sortedTags)
    {
        Measurement = measurement;
        _tags = sortedTags;
        var text = new StringBuilder(Escaping.EscapeMeasurement(measurement));
        foreach (var (key, value) in sortedTags)
        {
            text.Append(',').Append(Escaping.EscapeKey(key)).Append('=').Append(Escaping.EscapeKey(value));
        }

        Key = text.ToString();
        KeyUtf8 = Encoding.UTF8.GetBytes(Key);
        _hash = Key.GetHashCode(StringComparison.Ordinal);
    }

    public string Measurement { get; }

    /// <summary>Tags sorted by key (ordinal), as InfluxDB orders them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags => _tags;

    /// <summary>Canonical line-protocol series key, e.g. <c>telemetry,cell=c1,lot=L7</c>.</summary>
    public string Key { get; }

    internal byte[] KeyUtf8 { get; }

    public string? Tag(string name)
    {
        foreach (var (key, value) in _tags)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }

    public string? Tag(TagDefinition tag) => Tag(tag.Name);

    public static SeriesKey Create(string measurement, IEnumerable<KeyValuePair<string, string>> tags)
    {
        ArgumentException.ThrowIfNullOrEmpty(measurement);
        if (measurement.AsSpan().IndexOfAny(Forbidden) >= 0)
        {
            throw new ArgumentException($"Measurement '{measurement}' contains a line break or a backslash, which line protocol cannot carry.", nameof(measurement));
        }

        var sorted = tags.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 0; i < sorted.Length; i++)
        {
            var (key, value) = sorted[i];
            if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(value))
            {
                throw new ArgumentException($"Series '{measurement}': tag keys and values must be non-empty (got '{key}'='{value}').", nameof(tags));
            }

            if (i > 0 && sorted[i - 1].Key == key)
            {
                throw new ArgumentException($"Series '{measurement}': tag '{key}' given twice.", nameof(tags));
            }

            if (key.AsSpan().IndexOfAny(Forbidden) >= 0 || value.AsSpan().IndexOfAny(Forbidden) >= 0)
            {
                throw new ArgumentException($"Series '{measurement}': tag '{key}'='{value}' contains a line break or a backslash, which line protocol cannot carry.", nameof(tags));
            }
        }

        return new SeriesKey(measurement, sorted);
    }

    /// <summary>A key for a catalog measurement; every tag must belong to it.</summary>
    public static SeriesKey Create(MeasurementDefinition measurement, params ReadOnlySpan<(TagDefinition Tag, string Value)> tags)
    {
        var pairs = new KeyValuePair<string, string>[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            if (!measurement.HasTag(tags[i].Tag.Name))
            {
                throw new ArgumentException($"Measurement '{measurement.Name}' has no tag '{tags[i].Tag.Name}'.", nameof(tags));
            }

            pairs[i] = new(tags[i].Tag.Name, tags[i].Value);
        }

        return Create(measurement.Name, pairs);
    }

    public bool Equals(SeriesKey? other) => other is not null && (ReferenceEquals(this, other) || (_hash == other._hash && Key == other.Key));

    public override bool Equals(object? obj) => Equals(obj as SeriesKey);

    public override int GetHashCode() => _hash;

    public override string ToString() => Key;
}
