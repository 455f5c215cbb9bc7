// The solver services of the `grains` suite's live fleet: Electrochem, Mechanics and Viscoplastic started as child
// processes on 127.0.0.1 (as `twin fleet` starts them), the twin's gRPC clients with batching, and their counters.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DigitalTwin.Cli.Commands.Fleet;
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Contracts.Viscoplastic.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Twin.Solvers;

namespace DigitalTwin.Benchmarks.Grains;

/// <summary>Solver calls seen by the twin's clients: items (one per cell or particle class) and the RPCs that carried them.</summary>
internal readonly record struct SolverCounts(long AdvanceItems, long AdvanceRpcs, long InitializeRpcs, long ParticleItems, long ParticleRpcs, long BinderItems, long BinderRpcs)
{
    public static SolverCounts operator -(SolverCounts a, SolverCounts b) => new(
        a.AdvanceItems - b.AdvanceItems, a.AdvanceRpcs - b.AdvanceRpcs, a.InitializeRpcs - b.InitializeRpcs, a.ParticleItems - b.ParticleItems,
        a.ParticleRpcs - b.ParticleRpcs, a.BinderItems - b.BinderItems, a.BinderRpcs - b.BinderRpcs);

    public long Rpcs => AdvanceRpcs + InitializeRpcs + ParticleRpcs + BinderRpcs;
}

internal sealed class SolverFleet : IAsyncDisposable
{
    private readonly List<ChildService> _children;
    private readonly List<RpcChannel> _channels;
    private readonly RpcElectrochemSolver _electrochem;
    private readonly RpcMechanicsSolver _mechanics;
    private readonly RpcBinderSolver _binder;
    private readonly CountingElectrochem _counting;

    private SolverFleet(List<ChildService> children, List<RpcChannel> channels, RpcElectrochemSolver electrochem, RpcMechanicsSolver mechanics, RpcBinderSolver binder)
    {
        _children = children;
        _channels = channels;
        _electrochem = electrochem;
        _mechanics = mechanics;
        _binder = binder;
        _counting = new CountingElectrochem(electrochem);
        Solvers = new SolverSet(_counting, mechanics, binder);
    }

    /// <summary>The solvers as the twin's grains get them (the Twin host's clients, batching on).</summary>
    public SolverSet Solvers { get; }

    public SolverCounts Counts
    {
        get
        {
            var e = _electrochem.BatchCounts;
            var m = _mechanics.BatchCounts;
            var b = _binder.BatchCounts;
            return new(e.Items, e.Batches, _counting.Initializations, m.Items, m.Batches, b.Items, b.Batches);
        }
    }

    /// <summary>CPU time of the three service processes so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            var total = TimeSpan.Zero;
            foreach (var child in _children)
            {
                using var process = Process.GetProcessById(child.ProcessId);
                total += process.TotalProcessorTime;
            }

            return total;
        }
    }

    /// <summary>Starts the services from the builds copied next to the bench and waits until each answers its health check.</summary>
    public static async Task<SolverFleet> StartAsync(string logDirectory, SolverBatching batching, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(logDirectory);
        var children = new List<ChildService>();
        var channels = new List<RpcChannel>();
        try
        {
            Uri Start(string name)
            {
                var address = new Uri($"http://127.0.0.1:{FreePort()}");
                var child = ChildService.Start(name, Path.Combine(AppContext.BaseDirectory, $"DigitalTwin.Services.{name}.dll"),
                    [$"--Rpc:Port={address.Port}", "--Rpc:MinimumLogLevel=Warning"], logDirectory, Path.Combine(logDirectory, $"{name}.log"), ChildService.GrpcHealth(address));
                children.Add(child);
                return address;
            }

            var addresses = new[] { Start("Electrochem"), Start("Mechanics"), Start("Viscoplastic") };
            foreach (var child in children)
            {
                if (!await child.WaitHealthyAsync(TimeSpan.FromMinutes(1), cancellationToken))
                {
                    throw new InvalidOperationException($"{child.Name} did not become healthy:{Environment.NewLine}{child.Tail()}");
                }
            }

            RpcChannel Channel(Uri address)
            {
                var channel = RpcChannel.ForAddress(address);
                channels.Add(channel);
                return channel;
            }

            var policy = SolverCallPolicy.Default;
            return new SolverFleet(children, channels,
                new RpcElectrochemSolver(new ElectrochemServiceClient(Channel(addresses[0])), policy, TimeProvider.System, batching),
                new RpcMechanicsSolver(new MechanicsServiceClient(Channel(addresses[1])), policy, TimeProvider.System, batching),
                new RpcBinderSolver(new ViscoplasticServiceClient(Channel(addresses[2])), policy, TimeProvider.System, batching));
        }
        catch
        {
            await StopAsync(children, channels);
            throw;
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(_children, _channels));

    private static async Task StopAsync(List<ChildService> children, List<RpcChannel> channels)
    {
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        foreach (var child in children)
        {
            await child.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Counts InitializeState calls (not batched: once per cell, at its first sample).</summary>
    private sealed class CountingElectrochem(IElectrochemSolver inner) : IElectrochemSolver
    {
        private long _initializations;

        public long Initializations => Interlocked.Read(ref _initializations);

        public Task<InitializeStateResponse> InitializeStateAsync(InitializeStateRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _initializations);
            return inner.InitializeStateAsync(request, cancellationToken);
        }

        public Task<AdvanceResponse> AdvanceAsync(AdvanceRequest request, CancellationToken cancellationToken) => inner.AdvanceAsync(request, cancellationToken);

        public Task<IReadOnlyCollection<string>> ListParameterSetsAsync(CancellationToken cancellationToken) => inner.ListParameterSetsAsync(cancellationToken);
    }
}
