// Wires the Twin host once: grain store, grain host with the twin's grains, solver clients, API keys, gRPC endpoint.
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Contracts.Twin.V1;
using DigitalTwin.Contracts.Viscoplastic.V1;
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Rpc;
using DigitalTwin.Twin;
using DigitalTwin.Twin.Access;
using DigitalTwin.Twin.Grains;
using DigitalTwin.Twin.Solvers;
using DigitalTwin.ServiceDefaults;

namespace DigitalTwin.Services.Twin;

/// <summary>
/// Settings (section <c>Twin</c>, or environment variables <c>Twin__StorageProvider</c>, …): storage provider and
/// connection string, solver addresses, API keys, whether reads are open. Address and port are the service
/// defaults' (<c>Rpc:Address</c>, <c>Rpc:Port</c>; 0 = any free port).
/// </summary>
public sealed record TwinHostSettings
{
    public GrainStoreProvider StorageProvider { get; init; } = GrainStoreProvider.Sqlite;

    /// <summary>SQLite file path or Npgsql connection string.</summary>
    public string StorageConnectionString { get; init; } = Path.Combine("artifacts", "run", "twin.db");

    public string? ElectrochemAddress { get; init; }

    public string? MechanicsAddress { get; init; }

    public string? ViscoplasticAddress { get; init; }

    /// <summary>API keys, separated by commas.</summary>
    public string ApiKeys { get; init; } = "";

    public bool ReadsOpen { get; init; } = true;

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Coalesce concurrent solver calls of many cells into batch requests (off by default).</summary>
    public bool SolverBatching { get; init; }
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
        var settings = app.Configuration.GetSection("Twin").Get<TwinHostSettings>() ?? new TwinHostSettings();

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
            Channel(settings.ViscoplasticAddress) is { } v ? new RpcBinderSolver(new ViscoplasticServiceClient(v), policy, time, batching) : null);
        var grains = new LocalGrainHost(store, new GrainHostOptions { IdleTimeout = settings.IdleTimeout }, time, app.Services.GetRequiredService<ILoggerFactory>())
            .AddTwinGrains(new TwinServices(solvers, new TwinOptions()));
        var access = new ApiKeyPolicy(settings.ApiKeys.Split(',', StringSplitOptions.RemoveEmptyEntries), settings.ReadsOpen);
        app.MapRpcService(TwinServiceBase.Bind(new TwinGrpcService(grains.GrainFactory, access)));
        await grains.StartAsync(CancellationToken.None);
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            // Grains write their state on the way out; then the store and the solver channels close.
            grains.StopAsync().GetAwaiter().GetResult();
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        });
        return app;
    }
}
