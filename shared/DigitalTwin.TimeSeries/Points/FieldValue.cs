// One field of a point: name, kind and value, stored without boxing (the number's bits in a long).
using System.Globalization;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.TimeSeries.Points;

public readonly struct FieldValue
{
    private readonly long _bits;

    private FieldValue(string name, FieldKind kind, long bits, string? text)
    {
        Name = name;
        Kind = kind;
        _bits = bits;
        Text = text;
    }

    public string Name { get; }

    public FieldKind Kind { get; }

    /// <summary>The string value (String fields only).</summary>
    public string? Text { get; }

    public double Float => Kind == FieldKind.Float ? BitConverter.Int64BitsToDouble(_bits) : _bits;

    public long Integer => Kind == FieldKind.Float ? (long)BitConverter.Int64BitsToDouble(_bits) : _bits;

    public bool Boolean => _bits != 0;

    /// <summary>The value as a number: floats and integers as they are, booleans 0/1, strings NaN.</summary>
    public double AsDouble => Kind switch
    {
        FieldKind.Float => BitConverter.Int64BitsToDouble(_bits),
        FieldKind.String => double.NaN,
        _ => _bits,
    };

    internal long RawBits => _bits;

    public static FieldValue FromFloat(string name, double value) => new(name, FieldKind.Float, BitConverter.DoubleToInt64Bits(value), null);

    public static FieldValue FromInteger(string name, long value) => new(name, FieldKind.Integer, value, null);

    public static FieldValue FromBoolean(string name, bool value) => new(name, FieldKind.Boolean, value ? 1 : 0, null);

    public static FieldValue FromString(string name, string value) => new(name, FieldKind.String, 0, value);

    internal static FieldValue FromRaw(string name, FieldKind kind, long bits, string? text) => new(name, kind, bits, text);

    public bool SameValue(in FieldValue other) =>
        Kind == other.Kind && (Kind == FieldKind.String ? Text == other.Text : _bits == other._bits);

    public override string ToString() => Kind switch
    {
        FieldKind.Float => $"{Name}={Float.ToString("R", CultureInfo.InvariantCulture)}",
        FieldKind.Integer => $"{Name}={_bits}i",
        FieldKind.Boolean => $"{Name}={(Boolean ? "true" : "false")}",
        _ => $"{Name}=\"{Text}\"",
    };
}
