// Server-sent events: GET /api/v1/stream?cell=C&measurements=telemetry,twin_state. Without a cell,
// the newest point per series of the fleet; with one, every point of that cell. A comment line
// every 15 s keeps proxies from closing an idle stream.
using DigitalTwin.Services.Dashboard.Live;

namespace DigitalTwin.Services.Dashboard.Api;

internal static class StreamEndpoints
{
    private static readonly string[] DefaultMeasurements = ["telemetry", "twin_state", "alert", "cell_info", "cycle_summary", "eol_forecast"];

    public static void Map(IEndpointRouteBuilder routes) => routes.MapGet("/api/v1/stream", StreamAsync);

    private static async Task StreamAsync(HttpContext context, LiveHub hub, TimeProvider time)
    {
        var cell = context.Request.Query["cell"].ToString();
        var requested = context.Request.Query["measurements"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var measurements = new HashSet<string>(requested.Length > 0 ? requested : DefaultMeasurements, StringComparer.Ordinal);
        var response = context.Response;
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var subscriber = hub.Subscribe(cell.Length > 0 ? cell : null, measurements);
        var aborted = context.RequestAborted;
        try
        {
            await response.WriteAsync($"retry: 2000\nevent: hello\ndata: {{\"subscribers\":{hub.Subscribers}}}\n\n", aborted);
            await response.Body.FlushAsync(aborted);
            var reader = subscriber.Messages.Reader;
            while (!aborted.IsCancellationRequested)
            {
                using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                heartbeat.CancelAfter(TimeSpan.FromSeconds(15));
                string message;
                try
                {
                    message = await reader.ReadAsync(heartbeat.Token);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await response.WriteAsync(": ping\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                    continue;
                }

                await response.WriteAsync("event: points\ndata: " + message + "\n\n", aborted);
                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The browser left.
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // The host is stopping.
        }
        finally
        {
            hub.Unsubscribe(subscriber);
        }
    }
}
