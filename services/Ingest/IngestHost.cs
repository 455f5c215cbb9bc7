// Builds and starts the Ingest host: configuration, the log (recovered before the ports open), the gRPC service
// with health and reflection on an HTTP/2 port, and the plain HTTP upload endpoints on an HTTP/1.1 port.
using System.Net;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Telemetry.Log;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DigitalTwin.Services.Ingest;

public static class IngestHost
{
    /// <summary>The host, not yet started; <paramref name="configure"/> may adjust the bound options (tests).</summary>
    public static WebApplication Build(string[] args, Action<IngestServiceOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var options = builder.Configuration.GetSection(IngestServiceOptions.Section).Get<IngestServiceOptions>() ?? new IngestServiceOptions();
        configure?.Invoke(options);
        options.DataDirectory = Path.GetFullPath(options.DataDirectory);
        var endpoints = new IngestEndpoints();
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(endpoints);
        builder.Services.AddSingleton<ApiKeyGuard>();
        builder.Services.AddSingleton(_ => TelemetryLog.Open(new TelemetryLogOptions
        {
            Directory = Path.Combine(options.DataDirectory, "log"),
            SegmentBytes = options.SegmentBytes,

            // The flusher overlaps the fsync with writing, so a short queue keeps the writer busy: ~8 batch payloads
            // (8192 rows, ~0.9 MB each) in memory at most, queued or in the group being written.
            QueueCapacity = 4,
            MaxGroupBytes = 4 << 20,
        }));
        builder.Services.AddSingleton<FileIngestor>();
        builder.Services.AddSingleton<TelemetryServer>();
        builder.Services.AddParentExitWatch();
        builder.Services.AddRpcServer(o =>
        {
            o.MaxReceiveMessageSize = options.MaxMessageBytes;
            o.EnableDetailedErrors = true;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes;
            // Flow-control windows bound what Kestrel buffers ahead of the service (loopback needs little to stay busy).
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 << 20;
            var address = IPAddress.Parse(options.Host);
            kestrel.Listen(address, options.GrpcPort, o =>
            {
                o.Protocols = HttpProtocols.Http2;
                endpoints.Grpc = o;
            });
            kestrel.Listen(address, options.HttpPort, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                endpoints.Http = o;
            });
        });

        var app = builder.Build();
        app.MapRpcService(TelemetryServiceBase.Bind(app.Services.GetRequiredService<TelemetryServer>()));
        app.MapRpcHealth();
        app.MapRpcReflection();
        HttpEndpoints.Map(app);
        return app;
    }

    /// <summary>Checks the keys, recovers the log, opens the ports and writes one line saying where everything is.</summary>
    public static async Task StartAsync(WebApplication app, TextWriter output)
    {
        app.Services.GetRequiredService<ApiKeyGuard>();
        var log = app.Services.GetRequiredService<TelemetryLog>();
        var spool = app.Services.GetRequiredService<FileIngestor>().SpoolDirectory;
        if (Directory.Exists(spool))
        {
            Directory.Delete(spool, recursive: true);
        }

        await app.StartAsync();
        var endpoints = app.Services.GetRequiredService<IngestEndpoints>();
        var r = log.Recovery;
        var tail = r.TruncatedBytes > 0 ? $", cut a torn tail of {r.TruncatedBytes} bytes ({r.TruncationReason})" : string.Empty;
        await output.WriteLineAsync(
            $"ingest: grpc {endpoints.GrpcAddress} http {endpoints.HttpAddress} log {log.Directory}: {r.Records} records in {r.Segments} segments recovered in {r.Elapsed.TotalMilliseconds:0} ms{tail}");
        await output.FlushAsync();
    }
}

/// <summary>The listening endpoints, known once Kestrel has bound them (port 0 picks a free port).</summary>
public sealed class IngestEndpoints
{
    internal ListenOptions? Grpc { get; set; }

    internal ListenOptions? Http { get; set; }

    public Uri GrpcAddress => Address(Grpc);

    public Uri HttpAddress => Address(Http);

    private static Uri Address(ListenOptions? o) =>
        o?.IPEndPoint is { } ep ? new Uri($"http://{(ep.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : ep.Address)}:{ep.Port}") : throw new InvalidOperationException("the host has not started");
}
