// The fleet overview and alert list, composed from the latest points of several measurements
// (cell_info, telemetry, twin_state, eol_forecast, alert): one request per page refresh.
using DigitalTwin.TimeSeries;
using DigitalTwin.TimeSeries.Schema;
using Microsoft.Extensions.Options;
using M = DigitalTwin.TimeSeries.Schema.Measurements;

namespace DigitalTwin.Services.Dashboard.Api;

internal static class FleetEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1");
        api.MapGet("/fleet", FleetAsync);
        api.MapGet("/alerts", AlertsAsync);
    }

    private static async Task<IResult> FleetAsync(HttpContext context, ITimeSeriesStore store, TimeProvider time, IOptions<DashboardOptions> options)
    {
        var now = time.GetUtcNow();
        var p = new QueryParameters(context.Request.Query, now);
        var filter = p.Tags();
        var cancel = context.RequestAborted;
        var info = ByCell(await store.LatestAsync(new LatestQuery { Measurement = M.CellInfo.Measurement.Name, Tags = filter }, cancel));
        var telemetry = ByCell(await store.LatestAsync(new LatestQuery { Measurement = M.Telemetry.Measurement.Name, Tags = filter }, cancel));
        var twin = ByCell(await store.LatestAsync(new LatestQuery { Measurement = M.TwinState.Measurement.Name, Tags = filter }, cancel));
        var eol = (await store.LatestAsync(new LatestQuery { Measurement = M.EolForecast.Measurement.Name, Tags = filter }, cancel))
            .GroupBy(Cell).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Tags.GetValueOrDefault("method") == "physics" ? 0 : 1).First());
        var alerts = (await ActiveAlertsAsync(store, filter, cancel)).GroupBy(a => a.Cell).ToDictionary(g => g.Key, g => (IReadOnlyList<AlertDto>)[.. g]);

        var offlineAfter = options.Value.OfflineAfter;
        var rows = new List<FleetRow>();
        foreach (var cell in info.Keys.Union(telemetry.Keys).Order(StringComparer.Ordinal))
        {
            info.TryGetValue(cell, out var i);
            telemetry.TryGetValue(cell, out var t);
            twin.TryGetValue(cell, out var s);
            eol.TryGetValue(cell, out var e);
            var lastSeen = t?.TimestampNs / 1e9;
            rows.Add(new FleetRow(cell,
                i?.Tags.GetValueOrDefault("lot") ?? t?.Tags.GetValueOrDefault("lot"),
                i?.Field(M.CellInfo.Chemistry.Name)?.Text,
                Number(i, M.CellInfo.FabricationPressure),
                Status(i, t, now, offlineAfter),
                t?.Field(M.Telemetry.Cycle.Name)?.Integer,
                Number(s, M.TwinState.Soh), Number(s, M.TwinState.Soc), Number(t, M.Telemetry.Voltage), Number(t, M.Telemetry.Current),
                Number(t, M.Telemetry.Temperature), Number(s, M.TwinState.VoltageResidual), Number(e, M.EolForecast.EolCycleMedian),
                lastSeen, alerts.GetValueOrDefault(cell) ?? []));
        }

        return Results.Json(new FleetResponse(now.ToUnixTimeMilliseconds() / 1e3, rows,
            [.. rows.Select(r => r.Lot).OfType<string>().Distinct().Order(StringComparer.Ordinal)], options.Value.Store));
    }

    private static async Task<IResult> AlertsAsync(HttpContext context, ITimeSeriesStore store, TimeProvider time)
    {
        var p = new QueryParameters(context.Request.Query, time.GetUtcNow());
        var all = p.Text("active") is "false" or "0";
        var alerts = all ? await AllAlertsAsync(store, p.Tags(), context.RequestAborted) : await ActiveAlertsAsync(store, p.Tags(), context.RequestAborted);
        return Results.Json(alerts);
    }

    /// <summary>The newest state of every (cell, severity, code) series that is active, most severe first.</summary>
    internal static async Task<List<AlertDto>> ActiveAlertsAsync(ITimeSeriesStore store, IReadOnlyDictionary<string, string> filter, CancellationToken cancel)
    {
        var latest = await store.LatestAsync(new LatestQuery { Measurement = M.Alert.Measurement.Name, Tags = filter }, cancel);
        return [.. latest.Where(a => a.Field(M.Alert.Active.Name)?.Boolean == true).Select(ToAlert)
            .OrderBy(a => Rank(a.Severity)).ThenByDescending(a => a.Time)];
    }

    private static async Task<List<AlertDto>> AllAlertsAsync(ITimeSeriesStore store, IReadOnlyDictionary<string, string> filter, CancellationToken cancel)
    {
        var query = new SeriesQuery
        {
            Measurement = M.Alert.Measurement.Name,
            Fields = [M.Alert.Message.Name, M.Alert.Value.Name, M.Alert.Threshold.Name, M.Alert.Unit.Name, M.Alert.Active.Name],
            Tags = filter,
            FromNs = 0,
            ToNs = long.MaxValue / 2,
            Raw = true,
            MaxPoints = 100,
        };
        var result = await store.QueryAsync(query, cancel);
        var alerts = new List<AlertDto>();
        foreach (var frame in result.Series)
        {
            for (var i = 0; i < frame.Times.Length; i++)
            {
                alerts.Add(new AlertDto(frame.Tags.GetValueOrDefault("cell") ?? "", frame.Tags.GetValueOrDefault("lot"),
                    frame.Tags.GetValueOrDefault("severity") ?? "info", frame.Tags.GetValueOrDefault("code") ?? "",
                    frame.Fields[M.Alert.Message.Name].Text?[i] ?? "", Finite(frame.Fields[M.Alert.Value.Name].Values[i]),
                    Finite(frame.Fields[M.Alert.Threshold.Name].Values[i]), frame.Fields[M.Alert.Unit.Name].Text?[i],
                    frame.Fields[M.Alert.Active.Name].Values[i] > 0.5, frame.Times[i] / 1e9));
            }
        }

        return [.. alerts.OrderByDescending(a => a.Time)];
    }

    private static AlertDto ToAlert(LatestPoint a) => new(
        a.Tags.GetValueOrDefault("cell") ?? "", a.Tags.GetValueOrDefault("lot"), a.Tags.GetValueOrDefault("severity") ?? "info",
        a.Tags.GetValueOrDefault("code") ?? "", a.Field(M.Alert.Message.Name)?.Text ?? "", a.Field(M.Alert.Value.Name)?.Float,
        a.Field(M.Alert.Threshold.Name)?.Float, a.Field(M.Alert.Unit.Name)?.Text, a.Field(M.Alert.Active.Name)?.Boolean ?? false, a.TimestampNs / 1e9);

    private static int Rank(string severity) => severity switch { "critical" => 0, "warning" => 1, _ => 2 };

    private static string Status(LatestPoint? info, LatestPoint? telemetry, DateTimeOffset now, TimeSpan offlineAfter)
    {
        if (telemetry is null)
        {
            return info?.Field(M.CellInfo.Status.Name)?.Text ?? "registered";
        }

        if (now - Points(telemetry.TimestampNs) > offlineAfter)
        {
            return "offline";
        }

        return telemetry.Field(M.Telemetry.StepType.Name)?.Text switch
        {
            "cc_charge" or "cv_charge" => "charging",
            "cc_discharge" or "cv_discharge" => "discharging",
            "rest" => "resting",
            "eis" => "eis",
            _ => "cycling",
        };
    }

    private static DateTimeOffset Points(long ns) => DigitalTwin.TimeSeries.Points.TimeUnits.FromNanoseconds(ns);

    private static Dictionary<string, LatestPoint> ByCell(IReadOnlyList<LatestPoint> points) =>
        points.GroupBy(Cell).ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.TimestampNs).First());

    private static string Cell(LatestPoint point) => point.Tags.GetValueOrDefault("cell") ?? "";

    private static double? Number(LatestPoint? point, FieldDefinition field) =>
        point?.Field(field.Name) is { } value && value.Kind is FieldKind.Float or FieldKind.Integer ? Finite(value.AsDouble) : null;

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
