// The Ingest service process: configuration (Ingest:* keys, see docs/ingest.md), then the host runs until stopped.
// An explicit internal entry point, so projects that reference this one (tests, benchmarks) see no Program type.
namespace DigitalTwin.Services.Ingest;

internal static class Program
{
    public static async Task Main(string[] args)
    {
        var app = IngestHost.Build(args);
        await IngestHost.StartAsync(app, Console.Out);
        await app.WaitForShutdownAsync();
    }
}
