// The Ingest service in-process on loopback ports chosen by the OS, with its own data folder and one API key.
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Services.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DigitalTwin.Ingest.Tests.Support;

public sealed class IngestServer : IAsyncDisposable
{
    public const string Key = "test-key-7f3a";

    private readonly WebApplication _app;
    private readonly List<RpcChannel> _channels = [];

    private IngestServer(WebApplication app, string dataDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
        var endpoints = app.Services.GetRequiredService<IngestEndpoints>();
        GrpcAddress = endpoints.GrpcAddress;
        HttpAddress = endpoints.HttpAddress;
    }

    public Uri GrpcAddress { get; }

    public Uri HttpAddress { get; }

    public string DataDirectory { get; }

    public static CallOptions WithKey => new(Headers: [new Metadata.Entry("x-api-key", Key)]);

    public static async Task<IngestServer> StartAsync(string dataDirectory, Action<IngestServiceOptions>? configure = null)
    {
        var app = IngestHost.Build(
            [$"--Ingest:DataDirectory={dataDirectory}", $"--Ingest:ApiKeys:0={Key}", "--Ingest:GrpcPort=0", "--Ingest:HttpPort=0"],
            configure);
        await Within.Await(IngestHost.StartAsync(app, TextWriter.Null), "the Ingest host to start");
        return new IngestServer(app, dataDirectory);
    }

    public TelemetryServiceClient Client()
    {
        var channel = RpcChannel.ForAddress(GrpcAddress, new RpcChannelOptions { MaxReceiveMessageSize = 64 << 20, InitialStreamWindowSize = 8 << 20 });
        _channels.Add(channel);
        return new TelemetryServiceClient(channel);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _channels)
        {
            c.Dispose();
        }

        await Within.Await(_app.StopAsync(), "the Ingest host to stop");
        await _app.DisposeAsync();
    }
}
