// A batch of points in flat arrays (no object per point), the unit every sink writes.
// Built with batch.Add(series, time).Float(Telemetry.Voltage, 3.71).Float(Telemetry.Current, 1.2).
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.TimeSeries.Points;

public sealed class PointBatch
{
    private SeriesKey[] _series;
    private long[] _time;
    private int[] _fieldStart;
    private FieldValue[] _fields;
    private int _count;
    private int _fieldCount;

    public PointBatch(int capacity = 256)
    {
        capacity = Math.Max(capacity, 4);
        _series = new SeriesKey[capacity];
        _time = new long[capacity];
        _fieldStart = new int[capacity + 1];
        _fields = new FieldValue[capacity * 4];
    }

    public int Count => _count;

    public int FieldCount => _fieldCount;

    public SeriesKey Series(int index) => _series[CheckIndex(index)];

    /// <summary>Timestamp in nanoseconds since the Unix epoch (UTC).</summary>
    public long Timestamp(int index) => _time[CheckIndex(index)];

    public ReadOnlySpan<FieldValue> Fields(int index)
    {
        CheckIndex(index);
        var end = index + 1 < _count ? _fieldStart[index + 1] : _fieldCount;
        return _fields.AsSpan(_fieldStart[index], end - _fieldStart[index]);
    }

    /// <summary>Starts a point; add its fields on the returned writer.</summary>
    public PointWriter Add(SeriesKey series, long timestampNs)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (_count == _series.Length)
        {
            var size = _series.Length * 2;
            Array.Resize(ref _series, size);
            Array.Resize(ref _time, size);
            Array.Resize(ref _fieldStart, size + 1);
        }

        _series[_count] = series;
        _time[_count] = timestampNs;
        _fieldStart[_count] = _fieldCount;
        _count++;
        return new PointWriter(this, _count - 1);
    }

    public PointWriter Add(SeriesKey series, DateTimeOffset timestamp) => Add(series, TimeUnits.ToNanoseconds(timestamp));

    /// <summary>Copies point <paramref name="index"/> of another batch into this one.</summary>
    public void AddFrom(PointBatch source, int index)
    {
        Add(source.Series(index), source.Timestamp(index));
        foreach (ref readonly var field in source.Fields(index))
        {
            Append(field);
        }
    }

    public void Clear()
    {
        Array.Clear(_series, 0, _count);
        Array.Clear(_fields, 0, _fieldCount);
        _count = 0;
        _fieldCount = 0;
    }

    /// <summary>Throws naming every point that has no field (line protocol needs at least one).</summary>
    public void Validate()
    {
        List<string>? problems = null;
        for (var i = 0; i < _count; i++)
        {
            if (Fields(i).IsEmpty)
            {
                (problems ??= []).Add($"point {i} ({_series[i].Key} at {_time[i]} ns) has no field");
                if (problems.Count >= 20)
                {
                    break;
                }
            }
        }

        if (problems is not null)
        {
            throw new InvalidOperationException("Invalid point batch: " + string.Join("; ", problems) + ".");
        }
    }

    internal void Append(in FieldValue field)
    {
        if (_fieldCount == _fields.Length)
        {
            Array.Resize(ref _fields, _fields.Length * 2);
        }

        _fields[_fieldCount++] = field;
    }

    internal bool LastPointHasField(int point, string name)
    {
        for (var i = _fieldStart[point]; i < _fieldCount; i++)
        {
            if (_fields[i].Name == name)
            {
                return true;
            }
        }

        return false;
    }

    private int CheckIndex(int index) =>
        (uint)index < (uint)_count ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"Batch holds {_count} points.");
}

/// <summary>Adds fields to the point just started; valid until the next <see cref="PointBatch.Add(SeriesKey, long)"/>.</summary>
public readonly struct PointWriter
{
    private readonly PointBatch _batch;
    private readonly int _point;

    internal PointWriter(PointBatch batch, int point)
    {
        _batch = batch;
        _point = point;
    }

    /// <summary>A float field; NaN means "no value" and adds nothing, ±∞ is refused.</summary>
    public PointWriter Float(string name, double value)
    {
        if (double.IsNaN(value))
        {
            return this;
        }

        if (double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value,
                $"Field '{name}' of {_batch.Series(_point).Key}: infinite values cannot be stored.");
        }

        return Append(FieldValue.FromFloat(name, value));
    }

    public PointWriter Integer(string name, long value) => Append(FieldValue.FromInteger(name, value));

    public PointWriter Boolean(string name, bool value) => Append(FieldValue.FromBoolean(name, value));

    public PointWriter String(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Append(FieldValue.FromString(name, value));
    }

    public PointWriter Float(FieldDefinition field, double value) => Float(Checked(field, FieldKind.Float), value);

    public PointWriter Integer(FieldDefinition field, long value) => Integer(Checked(field, FieldKind.Integer), value);

    public PointWriter Boolean(FieldDefinition field, bool value) => Boolean(Checked(field, FieldKind.Boolean), value);

    public PointWriter String(FieldDefinition field, string value) => String(Checked(field, FieldKind.String), value);

    private string Checked(FieldDefinition field, FieldKind kind)
    {
        if (field.Kind != kind)
        {
            throw new ArgumentException($"Field {field} is {field.Kind}, written as {kind}.", nameof(field));
        }

        var series = _batch.Series(_point);
        if (field.Measurement.Name != series.Measurement)
        {
            throw new ArgumentException($"Field {field} written to a '{series.Measurement}' series.", nameof(field));
        }

        return field.Name;
    }

    private PointWriter Append(in FieldValue field)
    {
        if (string.IsNullOrEmpty(field.Name) || field.Name.AsSpan().IndexOfAny("\\\n\r") >= 0)
        {
            throw new ArgumentException($"Field name '{field.Name}' must be non-empty, without line breaks or backslashes (line protocol cannot carry them).", nameof(field));
        }

        if (_batch.LastPointHasField(_point, field.Name))
        {
            throw new ArgumentException($"Field '{field.Name}' given twice for one point of {_batch.Series(_point).Key}.", nameof(field));
        }

        _batch.Append(field);
        return this;
    }
}
