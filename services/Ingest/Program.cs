// The Ingest service process: configuration (Ingest:* keys, see docs/ingest.md), then the host runs until stopped.
using DigitalTwin.Services.Ingest;

var app = IngestHost.Build(args);
await IngestHost.StartAsync(app, Console.Out);
await app.WaitForShutdownAsync();
