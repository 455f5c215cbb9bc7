// A loopback InfluxDB v2 write endpoint in front of a real influxd 1.x (Debian ships 1.6, which
// has no /api/v2/write). It does what InfluxDB 1.8's compatibility endpoint does: checks the
// token, maps bucket "db[/rp]" and precision onto v1 /write and answers in the v2 error format.
// It can also fail on purpose (503 with Retry-After, 413 above a size) to test retries.
using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.TimeSeries.Tests;

internal sealed class InfluxV2Shim : IAsyncDisposable
{
    private static readonly string[] Precisions = ["ns", "us", "ms", "s"];
    private readonly WebApplication _app;
    private readonly HttpClient _upstream = new();
    private readonly Uri _influx;
    private readonly string _token;
    private int _failuresLeft;

    private InfluxV2Shim(Uri influx, string token)
    {
        _influx = influx;
        _token = token;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/api/v2/write", (Func<HttpContext, Task<IResult>>)WriteAsync);
    }

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Bodies above this size get 413 (0 = no limit).</summary>
    public int MaxBodyBytes { get; set; }

    private int _requests;
    private int _accepted;

    public int Requests => Volatile.Read(ref _requests);

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Things a real InfluxDB 2 would have objected to but the shim lets through.</summary>
    public List<string> Problems { get; } = [];

    public static async Task<InfluxV2Shim> StartAsync(Uri influx, string token)
    {
        var shim = new InfluxV2Shim(influx, token);
        await shim._app.StartAsync();
        var address = shim._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        shim.Endpoint = new Uri(address.TrimEnd('/') + "/");
        return shim;
    }

    /// <summary>The next <paramref name="count"/> writes answer 503 with Retry-After: 0.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    private async Task<IResult> WriteAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization != $"Token {_token}")
        {
            return Error(HttpStatusCode.Unauthorized, "unauthorized", "unauthorized access");
        }

        var org = request.Query["org"].ToString();
        var orgId = request.Query["orgID"].ToString();
        var bucket = request.Query["bucket"].ToString();
        var precision = request.Query["precision"].ToString();
        if (org.Length == 0 && orgId.Length == 0)
        {
            return Error(HttpStatusCode.BadRequest, "invalid", "Please provide either orgID or org");
        }

        if (bucket.Length == 0)
        {
            return Error(HttpStatusCode.BadRequest, "invalid", "bucket is required");
        }

        if (precision.Length > 0 && !Precisions.Contains(precision))
        {
            return Error(HttpStatusCode.BadRequest, "invalid", $"invalid precision \"{precision}\"");
        }

        if (!request.ContentType?.StartsWith("text/plain", StringComparison.Ordinal) ?? true)
        {
            lock (Problems)
            {
                Problems.Add($"content type '{request.ContentType}'");
            }
        }

        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            context.Response.Headers.RetryAfter = "0";
            return Error(HttpStatusCode.ServiceUnavailable, "unavailable", "service unavailable (injected)");
        }

        using var body = new MemoryStream();
        var source = request.Headers.ContentEncoding.ToString() == "gzip" ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
        await source.CopyToAsync(body);
        if (MaxBodyBytes > 0 && body.Length > MaxBodyBytes)
        {
            return Error(HttpStatusCode.RequestEntityTooLarge, "request too large", $"body {body.Length} > {MaxBodyBytes} bytes");
        }

        // Bucket "db/rp" -> v1 db and rp; precision maps 1:1 except "us" -> "u".
        var slash = bucket.IndexOf('/', StringComparison.Ordinal);
        var database = slash < 0 ? bucket : bucket[..slash];
        var query = $"write?db={Uri.EscapeDataString(database)}&precision={(precision is "" or "ns" ? "n" : precision == "us" ? "u" : precision)}";
        if (slash >= 0)
        {
            query += "&rp=" + Uri.EscapeDataString(bucket[(slash + 1)..]);
        }

        using var content = new ByteArrayContent(body.ToArray());
        using var response = await _upstream.PostAsync(new Uri(_influx, query), content);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            Interlocked.Increment(ref _accepted);
            return Results.NoContent();
        }

        return response.StatusCode == HttpStatusCode.NotFound
            ? Error(HttpStatusCode.NotFound, "not found", $"bucket \"{bucket}\" not found")
            : Error(response.StatusCode, "invalid", text);
    }

    private static IResult Error(HttpStatusCode status, string code, string message) =>
        Results.Json(new { code, message }, statusCode: (int)status);
}
