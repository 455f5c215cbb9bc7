// Entry point of the Twin host: configuration in, grains and the Twin gRPC service up, until stopped.
using DigitalTwin.Services.Twin;

await using var app = await TwinHost.BuildAsync(args);
await app.RunAsync();
