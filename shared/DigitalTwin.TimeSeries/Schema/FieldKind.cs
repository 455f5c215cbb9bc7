// The four value types a field can hold, the same four InfluxDB line protocol has.
namespace DigitalTwin.TimeSeries.Schema;

public enum FieldKind
{
    /// <summary>64-bit IEEE float (line protocol `1.5`).</summary>
    Float,

    /// <summary>Signed 64-bit integer (line protocol `15i`).</summary>
    Integer,

    /// <summary>true/false.</summary>
    Boolean,

    /// <summary>UTF-8 text (line protocol `"text"`).</summary>
    String,
}
