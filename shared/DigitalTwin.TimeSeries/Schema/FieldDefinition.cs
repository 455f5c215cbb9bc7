// A field of a measurement with its unit (STYLE §6): the stored unit, the unit shown on
// dashboards with its scale, and the matching Grafana unit id.
namespace DigitalTwin.TimeSeries.Schema;

public sealed class FieldDefinition
{
    private FieldDefinition(string name, FieldKind kind, string title, string unit, string description,
        string displayUnit, double displayScale, string grafanaUnit)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(unit);
        Name = name;
        Kind = kind;
        Title = title;
        Unit = unit;
        Description = description;
        DisplayUnit = displayUnit;
        DisplayScale = displayScale;
        GrafanaUnit = grafanaUnit;
    }

    /// <summary>Field key as stored (snake_case).</summary>
    public string Name { get; }

    public FieldKind Kind { get; }

    /// <summary>Short human name, e.g. "Voltage".</summary>
    public string Title { get; }

    /// <summary>Unit of the stored value: SI, or the unit Ingest normalizes to (Ah, Wh, °C); "1" = dimensionless.</summary>
    public string Unit { get; }

    public string Description { get; }

    /// <summary>Unit a dashboard axis shows; stored value × <see cref="DisplayScale"/> is in this unit.</summary>
    public string DisplayUnit { get; }

    public double DisplayScale { get; }

    /// <summary>Grafana unit id for panels showing the stored value.</summary>
    public string GrafanaUnit { get; }

    /// <summary>The measurement this field belongs to (set when the measurement is defined).</summary>
    public MeasurementDefinition Measurement { get; internal set; } = null!;

    /// <summary>Name with the stored unit, e.g. "Voltage [V]".</summary>
    public string Label => $"{Title} [{Unit}]";

    /// <summary>Axis label with the display unit, e.g. "Hoop stress at surface [MPa]".</summary>
    public string AxisLabel => $"{Title} [{DisplayUnit}]";

    public bool IsNumeric => Kind is FieldKind.Float or FieldKind.Integer;

    public static FieldDefinition Float(string name, string title, string unit, string description, string grafanaUnit,
        string? displayUnit = null, double displayScale = 1) =>
        new(name, FieldKind.Float, title, unit, description, displayUnit ?? unit, displayScale, grafanaUnit);

    public static FieldDefinition Integer(string name, string title, string description, string unit = "1",
        string grafanaUnit = "none") =>
        new(name, FieldKind.Integer, title, unit, description, unit, 1, grafanaUnit);

    public static FieldDefinition Boolean(string name, string title, string description) =>
        new(name, FieldKind.Boolean, title, "1", description, "1", 1, "bool");

    public static FieldDefinition Text(string name, string title, string description) =>
        new(name, FieldKind.String, title, "text", description, "text", 1, "string");

    public override string ToString() => $"{Measurement?.Name}.{Name}";
}
