// REST query API over the store: the schema catalog, series over a time range (downsampled,
// raw, per cell, per lot, combined), the latest point of each series, tag values, and POST /query
// (the store's own query and result, lossless, for other processes such as the Twin's QuerySeries).
using DigitalTwin.TimeSeries;
using DigitalTwin.TimeSeries.Remote;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.Services.Dashboard.Api;

internal static class SeriesEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1");
        api.MapGet("/schema", () => Results.Json(Measurements.All.Select(m => new
        {
            name = m.Name,
            description = m.Description,
            timestamp = m.Timestamp,
            tags = m.Tags.Select(t => new { name = t.Name, description = t.Description }),
            fields = m.Fields.ToDictionary(f => f.Name, FieldMeta.Of),
        })));
        api.MapGet("/series", SeriesAsync);
        api.MapPost("/query", QueryAsync);
        api.MapGet("/latest", LatestAsync);
        api.MapGet("/tags/{measurement}/{tag}", TagsAsync);
    }

    private static async Task<IResult> SeriesAsync(HttpContext context, ITimeSeriesStore store, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var p = new QueryParameters(context.Request.Query, now);
        var measurement = p.Required("measurement");
        var fields = p.List("fields");
        var to = p.Time("to", now);
        var from = p.Time("from", to - TimeSpan.FromHours(1));
        var points = p.Integer("points", 1000, 1, 100_000);
        var where = p.Text("where");
        FieldEquals? filter = null;
        if (where is not null)
        {
            var parts = where.Split(':', 2);
            if (parts.Length == 2 && long.TryParse(parts[1], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                filter = new FieldEquals(parts[0], value);
            }
            else
            {
                return Problem($"'where' = '{where}' must be field:integer, e.g. issued_cycle:120");
            }
        }

        if (fields.Count == 0 && Measurements.Find(measurement) is { } known)
        {
            fields = [.. known.Fields.Select(f => f.Name)];
        }

        if (p.Problems.Count > 0)
        {
            return Problem(p.Problems);
        }

        var query = new SeriesQuery
        {
            Measurement = measurement,
            Fields = fields,
            Tags = p.Tags(),
            FromNs = QueryParameters.Nanoseconds(from),
            ToNs = QueryParameters.Nanoseconds(to),
            MaxPoints = points,
            Raw = p.Flag("raw") || filter is not null,
            Combine = p.Flag("combine"),
            Where = filter,
        };
        SeriesResult result;
        try
        {
            result = await store.QueryAsync(query, context.RequestAborted);
        }
        catch (ArgumentException ex)
        {
            return Problem(ex.Message);
        }

        var plan = Downsampling.Plan(query);
        return Results.Json(new SeriesResponse(measurement, plan.BucketNs / 1e9, plan.FromNs / 1e9, plan.ToNs / 1e9,
            fields.ToDictionary(f => f, f => FieldMeta.Of(measurement, f)),
            [.. result.Series.Select(FrameDto.Of)]));
    }

    /// <summary>A SeriesQuery as JSON in, the store's SeriesResult out (nanosecond times, buckets with min/max/count).</summary>
    private static async Task<IResult> QueryAsync(HttpContext context, ITimeSeriesStore store)
    {
        SeriesQueryWire? wire;
        try
        {
            wire = await context.Request.ReadFromJsonAsync<SeriesQueryWire>(context.RequestAborted);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return Problem($"the body is not a series query: {ex.Message}");
        }

        if (wire is null)
        {
            return Problem("the body is not a series query: empty");
        }

        try
        {
            var result = await store.QueryAsync(wire.ToQuery(), context.RequestAborted);
            return Results.Json(SeriesResultWire.From(result));
        }
        catch (ArgumentException ex)
        {
            return Problem(ex.Message);
        }
    }

    private static async Task<IResult> LatestAsync(HttpContext context, ITimeSeriesStore store, TimeProvider time)
    {
        var p = new QueryParameters(context.Request.Query, time.GetUtcNow());
        var measurement = p.Required("measurement");
        var fields = p.List("fields");
        if (p.Problems.Count > 0)
        {
            return Problem(p.Problems);
        }

        var latest = await store.LatestAsync(new LatestQuery { Measurement = measurement, Tags = p.Tags(), Fields = fields.Count > 0 ? fields : null }, context.RequestAborted);
        return Results.Json(latest.Select(ToDto));
    }

    private static async Task<IResult> TagsAsync(HttpContext context, string measurement, string tag, ITimeSeriesStore store, TimeProvider time)
    {
        var p = new QueryParameters(context.Request.Query, time.GetUtcNow());
        return Results.Json(await store.TagValuesAsync(measurement, tag, p.Tags(), context.RequestAborted));
    }

    internal static LatestDto ToDto(LatestPoint point) => new(point.Tags, point.TimestampNs / 1e9,
        point.Fields.ToDictionary(f => f.Name, f => f.Kind switch
        {
            FieldKind.Float => (object?)f.Float,
            FieldKind.Integer => f.Integer,
            FieldKind.Boolean => f.Boolean,
            _ => f.Text,
        }));

    internal static IResult Problem(params IEnumerable<string> problems)
    {
        var list = problems.ToList();
        return Results.Json(new { error = string.Join("; ", list), problems = list }, statusCode: StatusCodes.Status400BadRequest);
    }
}
