// Entry point of the Twin host: configuration in, grains, the Twin gRPC service and the Ingest subscription up, until stopped.
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Services.Twin;

await using var app = await TwinHost.BuildAsync(args);
await app.StartAsync();

// One plain line for scripts and tests that start the host with port 0.
Console.WriteLine($"twin: grpc {string.Join(", ", app.GetRpcAddresses())}");
await app.WaitForShutdownAsync();
