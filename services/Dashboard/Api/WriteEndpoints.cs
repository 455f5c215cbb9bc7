// InfluxDB-compatible write endpoints, so other processes (the twin, Ingest, `twin series demo`)
// write into the store this host owns with an InfluxDbStore pointed here: v1 POST /write and
// v2 POST /api/v2/write, line protocol, optional gzip, optional API key, InfluxDB's error shapes.
using System.IO.Compression;
using System.Text;
using DigitalTwin.Services.Dashboard.Live;
using DigitalTwin.TimeSeries.LineProtocol;
using DigitalTwin.TimeSeries.Points;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Services.Dashboard.Api;

internal static class WriteEndpoints
{
    private const int MaxBodyBytes = 25_000_000;

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/write", (HttpContext context, LiveSink sink, TimeProvider time, IOptions<DashboardOptions> options) =>
            WriteAsync(context, sink, time, options.Value, v2: false));
        routes.MapPost("/api/v2/write", (HttpContext context, LiveSink sink, TimeProvider time, IOptions<DashboardOptions> options) =>
            WriteAsync(context, sink, time, options.Value, v2: true));
        routes.MapGet("/ping", () => Results.NoContent());
    }

    private static async Task<IResult> WriteAsync(HttpContext context, LiveSink sink, TimeProvider time, DashboardOptions options, bool v2)
    {
        if (!Authorized(context.Request, options.WriteApiKey))
        {
            return Error(v2, StatusCodes.Status401Unauthorized, "unauthorized", "unauthorized access: send the write API key as 'Authorization: Token KEY'");
        }

        long multiplier;
        try
        {
            multiplier = LineProtocolReader.PrecisionMultiplier(context.Request.Query["precision"].ToString());
        }
        catch (ArgumentException ex)
        {
            return Error(v2, StatusCodes.Status400BadRequest, "invalid", ex.Message);
        }

        var body = await ReadBodyAsync(context.Request);
        if (body is null)
        {
            return Error(v2, StatusCodes.Status413RequestEntityTooLarge, "request too large", $"body larger than {MaxBodyBytes} bytes");
        }

        var batch = new PointBatch(Math.Max(16, body.Length / 64));
        var errors = new List<LineProtocolError>();
        new LineProtocolReader().Parse(body, batch, multiplier, TimeUnits.ToNanoseconds(time.GetUtcNow()), errors);
        if (batch.Count > 0)
        {
            try
            {
                await sink.WriteAsync(batch, context.RequestAborted);
            }
            catch (ArgumentException ex)
            {
                return Error(v2, StatusCodes.Status400BadRequest, "invalid", "partial write: " + ex.Message + $" dropped={batch.Count + errors.Count}");
            }
        }

        if (errors.Count > 0)
        {
            var shown = string.Join("; ", errors.Take(20));
            return Error(v2, StatusCodes.Status400BadRequest, "invalid", $"partial write: unable to parse {shown} dropped={errors.Count}");
        }

        return Results.NoContent();
    }

    private static bool Authorized(HttpRequest request, string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return true;
        }

        var header = request.Headers.Authorization.ToString();
        if (header == "Token " + key || header == "Bearer " + key || request.Query["p"] == key)
        {
            return true;
        }

        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..]));
                return pair.EndsWith(":" + key, StringComparison.Ordinal);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return false;
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request)
    {
        var source = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(request.Body, CompressionMode.Decompress)
            : request.Body;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static IResult Error(bool v2, int status, string code, string message) =>
        v2 ? Results.Json(new { code, message }, statusCode: status) : Results.Json(new { error = message }, statusCode: status);
}
