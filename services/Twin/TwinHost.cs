// Wires the Twin host once: grain store, grain host with the twin's grains, solver clients, API keys, gRPC endpoint,
// the subscription to Ingest's log and the time-series output.
using System.Runtime.CompilerServices;
using DigitalTwin.Contracts.Dem.V1;
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Contracts.Twin.V1;
using DigitalTwin.Contracts.Viscoplastic.V1;
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Rpc;
using DigitalTwin.Twin;
using DigitalTwin.Twin.Access;
using DigitalTwin.Twin.Grains;
using DigitalTwin.Twin.Ingest;
using DigitalTwin.Twin.Series;
using DigitalTwin.TimeSeries.Influx;
using DigitalTwin.TimeSeries.Remote;
using DigitalTwin.TimeSeries.Rpc;
using DigitalTwin.Twin.Solvers;
using DigitalTwin.ServiceDefaults;

namespace DigitalTwin.Services.Twin;

/// <summary>
/// Settings (section <c>Twin</c>, or environment variables <c>Twin__StorageProvider</c>, …): storage provider and
/// connection string, solver addresses, API keys, whether reads are open. Address and port are the service
/// defaults' (<c>Rpc:Address</c>, <c>Rpc:Port</c>; 0 = any free port). The grains' <see cref="TwinOptions"/> share
/// the section (TwinConfiguration; README lists every key).
/// </summary>
public sealed record TwinHostSettings
{
    public GrainStoreProvider StorageProvider { get; init; } = GrainStoreProvider.Sqlite;

    /// <summary>SQLite file path or Npgsql connection string.</summary>
    public string StorageConnectionString { get; init; } = Path.Combine("artifacts", "run", "twin.db");

    public string? ElectrochemAddress { get; init; }

    public string? MechanicsAddress { get; init; }

    public string? ViscoplasticAddress { get; init; }

    /// <summary>The DEM service's gRPC base address; empty = the electrodes run no packing studies.</summary>
    public string? DemAddress { get; init; }

    /// <summary>API keys, separated by commas.</summary>
    public string ApiKeys { get; init; } = "";

    public bool ReadsOpen { get; init; } = true;

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Coalesce concurrent solver calls of many cells into batch requests (group commit; on by default).</summary>
    public bool SolverBatching { get; init; } = true;

    /// <summary>
    /// Grain state writes: WriteBehind (default) stages them and flushes every <see cref="WriteBehindPeriod"/> in one
    /// transaction; Ingest's log replays what a crash rolls back, and gRPC writes are acknowledged after a flush.
    /// </summary>
    public StateWriteMode StateWrites { get; init; } = StateWriteMode.WriteBehind;

    /// <summary>Time between write-behind flushes: a grain's state is serialized once per period however many samples it took.</summary>
    public TimeSpan WriteBehindPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Ingest's gRPC base address (e.g. http://127.0.0.1:5107); empty = no subscription.</summary>
    public string? IngestAddress { get; init; }

    /// <summary>Sent as x-api-key on the subscription (needed when Ingest closes its reads).</summary>
    public string? IngestApiKey { get; init; }

    /// <summary>Base address of an InfluxDB-v1-compatible /write endpoint (InfluxDB, the Dashboard); empty = no series output.</summary>
    public string? SeriesUrl { get; init; }

    public string SeriesDatabase { get; init; } = "digitaltwin";

    /// <summary>Sent as the password of basic authentication (InfluxDB 1.x; the Dashboard accepts it as its write key).</summary>
    public string? SeriesApiKey { get; init; }

    /// <summary>Folder of the series output's on-disk buffer; default: next to the grain store.</summary>
    public string? SeriesBufferDirectory { get; init; }
}

public static class TwinHost
{
    /// <summary>The Twin service's default port on 127.0.0.1.</summary>
    public const int DefaultPort = 5080;

    public static async Task<WebApplication> BuildAsync(string[] args)
    {
        var app = SolverHost.Create(args, o =>
        {
            o.ServiceName = "twin";
            o.Port = DefaultPort;
        });
        var (settings, options) = TwinConfiguration.Read(app.Configuration);

        var store = await new GrainStoreOptions { Provider = settings.StorageProvider, ConnectionString = settings.StorageConnectionString }.CreateAsync(CancellationToken.None);
        var time = TimeProvider.System;
        var policy = SolverCallPolicy.Default;
        var channels = new List<RpcChannel>();
        RpcChannel? Channel(string? address)
        {
            if (string.IsNullOrWhiteSpace(address))
            {
                return null;
            }

            var channel = RpcChannel.ForAddress(address);
            channels.Add(channel);
            return channel;
        }

        var batching = settings.SolverBatching ? SolverBatching.Default : null;
        var solvers = new SolverSet(
            Channel(settings.ElectrochemAddress) is { } e ? new RpcElectrochemSolver(new ElectrochemServiceClient(e), policy, time, batching) : null,
            Channel(settings.MechanicsAddress) is { } m ? new RpcMechanicsSolver(new MechanicsServiceClient(m), policy, time, batching) : null,
            Channel(settings.ViscoplasticAddress) is { } v ? new RpcBinderSolver(new ViscoplasticServiceClient(v), policy, time, batching) : null,
            Channel(settings.DemAddress) is { } d ? new RpcDemSolver(new DemServiceClient(d), policy, time) : null);
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        InfluxDbStore? seriesStore = null;
        TwinSeriesWriter? seriesWriter = null;
        HttpClient? seriesHttp = null;
        SeriesQueryEndpoint? seriesQuery = null;
        if (!string.IsNullOrWhiteSpace(settings.SeriesUrl))
        {
            // Basic authentication with the key as password: InfluxDB 1.x takes user:password, the Dashboard its write key.
            seriesStore = new InfluxDbStore(new InfluxDbOptions
            {
                Endpoint = new Uri(settings.SeriesUrl),
                Database = settings.SeriesDatabase,
                Username = string.IsNullOrEmpty(settings.SeriesApiKey) ? null : "twin",
                Password = string.IsNullOrEmpty(settings.SeriesApiKey) ? null : settings.SeriesApiKey,
                BufferDirectory = settings.SeriesBufferDirectory ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.StorageConnectionString)) ?? ".", "twin-series-buffer"),
            }, logger: loggers.CreateLogger<InfluxDbStore>());
            seriesWriter = new TwinSeriesWriter(seriesStore, new TwinSeriesOptions(), time, loggers.CreateLogger("DigitalTwin.Twin.Series"));

            // QuerySeries reads InfluxDB with InfluxQL, or the Dashboard's own store through its /api/v1/query.
            seriesHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            seriesQuery = new SeriesQueryEndpoint(seriesHttp, new Uri(settings.SeriesUrl.TrimEnd('/') + "/"), seriesStore);
        }

        var services = new TwinServices(solvers, options, seriesWriter, loggers.CreateLogger("DigitalTwin.Twin.Dem"));
        var grains = new LocalGrainHost(store, new GrainHostOptions { IdleTimeout = settings.IdleTimeout, StateWrites = settings.StateWrites, WriteBehindPeriod = settings.WriteBehindPeriod }, time, loggers)
            .AddTwinGrains(services);
        var access = new ApiKeyPolicy(settings.ApiKeys.Split(',', StringSplitOptions.RemoveEmptyEntries), settings.ReadsOpen);
        app.MapRpcService(TwinServiceBase.Bind(new TwinGrpcService(grains.GrainFactory, access, services.Updates, seriesQuery is null ? null : new TwinSeriesQuery(seriesQuery, time), grains.FlushStateAsync)));
        await grains.StartAsync(CancellationToken.None);

        var ingest = StartIngest(app, settings, grains.GrainFactory, time, channels);
        app.Lifetime.ApplicationStopping.Register(() => ingest?.Stop());
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            // DEM studies stop first (they stay pending in their electrodes), grains write their state on the way out;
            // then the store and the solver channels close.
            services.PackingStudies?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            grains.StopAsync().GetAwaiter().GetResult();
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            seriesWriter?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            seriesStore?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            seriesHttp?.Dispose();
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        });
        return app;
    }

    private static readonly ConditionalWeakTable<WebApplication, IngestConsumer> Consumers = [];

    /// <summary>Where the host's Ingest subscription stands; null when no IngestAddress is configured.</summary>
    public static IngestConsumerStatus? IngestStatus(WebApplication app) => Consumers.TryGetValue(app, out var c) ? c.Status : null;

    /// <summary>The running Ingest subscription, if one is configured.</summary>
    private sealed class IngestRun(CancellationTokenSource stop, Task running)
    {
        public void Stop()
        {
            // Stop taking new batches and wait for the ones in flight, so the grains stop with them applied.
            stop.Cancel();
            running.Wait(TimeSpan.FromSeconds(30));
        }
    }

    private static IngestRun? StartIngest(WebApplication app, TwinHostSettings settings, Grains.IGrainFactory grains, TimeProvider time, List<RpcChannel> channels)
    {
        if (string.IsNullOrWhiteSpace(settings.IngestAddress))
        {
            return null;
        }

        var channel = RpcChannel.ForAddress(settings.IngestAddress, new RpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
        channels.Add(channel);
        var client = new TelemetryServiceClient(channel);
        var headers = string.IsNullOrEmpty(settings.IngestApiKey) ? null : new Metadata { { "x-api-key", settings.IngestApiKey } };
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DigitalTwin.Twin.Ingest");
        var consumer = new IngestConsumer((after, ct) => Subscribe(client, headers, after, ct), grains, new IngestConsumerOptions(), time, logger);
        var stop = new CancellationTokenSource();
        var running = Task.Run(() => consumer.RunAsync(stop.Token));
        var run = new IngestRun(stop, running);
        Consumers.AddOrUpdate(app, consumer);
        return run;
    }

    private static async IAsyncEnumerable<SubscribeResponse> Subscribe(TelemetryServiceClient client, Metadata? headers, ulong after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = client.Subscribe(new SubscribeRequest { AfterPosition = after, Follow = true }, new CallOptions(headers, null, cancellationToken));
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return call.ResponseStream.Current;
        }
    }
}
