// JSON shapes of the REST API (snake_case on the wire). Times are seconds since the Unix epoch
// (what uPlot plots), missing values are null.
using System.Text.Json.Serialization;
using DigitalTwin.TimeSeries;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.Services.Dashboard.Api;

public sealed record FieldMeta(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("display_unit")] string DisplayUnit,
    [property: JsonPropertyName("scale")] double Scale,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("description")] string Description)
{
    public static FieldMeta Of(string measurement, string field)
    {
        var definition = Measurements.Find(measurement)?.FindField(field);
        return definition is null
            ? new FieldMeta("unknown", "", "", 1, field, field, "not in the schema catalog")
            : Of(definition);
    }

    public static FieldMeta Of(FieldDefinition f) =>
        new(f.Kind.ToString().ToLowerInvariant(), f.Unit, f.DisplayUnit, f.DisplayScale, f.Title, f.AxisLabel, f.Description);
}

public sealed record SeriesResponse(
    [property: JsonPropertyName("measurement")] string Measurement,
    [property: JsonPropertyName("bucket_s")] double BucketSeconds,
    [property: JsonPropertyName("from")] double From,
    [property: JsonPropertyName("to")] double To,
    [property: JsonPropertyName("fields")] IReadOnlyDictionary<string, FieldMeta> Fields,
    [property: JsonPropertyName("series")] IReadOnlyList<FrameDto> Series);

public sealed record FrameDto(
    [property: JsonPropertyName("tags")] IReadOnlyDictionary<string, string> Tags,
    [property: JsonPropertyName("t")] double[] Times,
    [property: JsonPropertyName("fields")] IReadOnlyDictionary<string, ColumnDto> Fields)
{
    public static FrameDto Of(SeriesFrame frame) => new(
        frame.Tags,
        [.. frame.Times.Select(t => Math.Round(t / 1e6) / 1e3)],
        frame.Fields.ToDictionary(f => f.Key, f => ColumnDto.Of(f.Value)));
}

public sealed record ColumnDto(
    [property: JsonPropertyName("values")] double?[] Values,
    [property: JsonPropertyName("min"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double?[]? Min,
    [property: JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double?[]? Max,
    [property: JsonPropertyName("count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long[]? Count,
    [property: JsonPropertyName("text"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string?[]? Text)
{
    public static ColumnDto Of(FieldColumn column) =>
        new(Nullable(column.Values), column.Min is null ? null : Nullable(column.Min), column.Max is null ? null : Nullable(column.Max), column.Count, column.Text);

    private static double?[] Nullable(double[] values) => [.. values.Select(v => double.IsFinite(v) ? v : (double?)null)];
}

public sealed record LatestDto(
    [property: JsonPropertyName("tags")] IReadOnlyDictionary<string, string> Tags,
    [property: JsonPropertyName("t")] double Time,
    [property: JsonPropertyName("fields")] IReadOnlyDictionary<string, object?> Fields);

public sealed record FleetRow(
    [property: JsonPropertyName("cell")] string Cell,
    [property: JsonPropertyName("lot")] string? Lot,
    [property: JsonPropertyName("chemistry")] string? Chemistry,
    [property: JsonPropertyName("fabrication_pressure")] double? FabricationPressure,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("cycle")] long? Cycle,
    [property: JsonPropertyName("soh")] double? Soh,
    [property: JsonPropertyName("soc")] double? Soc,
    [property: JsonPropertyName("voltage")] double? Voltage,
    [property: JsonPropertyName("current")] double? Current,
    [property: JsonPropertyName("temperature")] double? Temperature,
    [property: JsonPropertyName("residual")] double? Residual,
    [property: JsonPropertyName("eol_cycle")] double? EolCycle,
    [property: JsonPropertyName("last_seen")] double? LastSeen,
    [property: JsonPropertyName("alerts")] IReadOnlyList<AlertDto> Alerts);

public sealed record AlertDto(
    [property: JsonPropertyName("cell")] string Cell,
    [property: JsonPropertyName("lot")] string? Lot,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("value")] double? Value,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("unit")] string? Unit,
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("t")] double Time);

public sealed record FleetResponse(
    [property: JsonPropertyName("now")] double Now,
    [property: JsonPropertyName("cells")] IReadOnlyList<FleetRow> Cells,
    [property: JsonPropertyName("lots")] IReadOnlyList<string> Lots,
    [property: JsonPropertyName("source")] string Source);
