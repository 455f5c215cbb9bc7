// `grains` suite: messages per second through the grain runtime against a channel-per-actor peer measured in the same
// run, and a live fleet: cells fed one sample per second each, with sample-to-state latency p50/p99.
using System.Diagnostics;
using System.Threading.Channels;
using DigitalTwin.Estimation;
using DigitalTwin.Estimation.Design;
using DigitalTwin.Estimation.Filtering;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Grains;
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Twin;
using DigitalTwin.Twin.Grains;
using DigitalTwin.Twin.Solvers;

namespace DigitalTwin.Benchmarks.Grains;

public interface IBenchPingGrain : IGrain
{
    ValueTask<int> PingAsync(int value);
}

public sealed class BenchPingGrain : Grain, IBenchPingGrain
{
    private int _count;

    public ValueTask<int> PingAsync(int value) => new(++_count + value);
}

public sealed class GrainsBenchmark : IBenchmarkSuite
{
    public string Name => "grains";

    public string Description => "grain runtime messages/s vs a channel-per-actor peer; live fleet at 1 Hz per cell, sample-to-state p50/p99";

    public async Task<bool> RunAsync(BenchmarkContext context)
    {
        var o = context.Output;
        var seconds = context.Quick ? 2 : 5;
        const int Actors = 1000, Callers = 64;
        var ours = await MessagesAsync(seconds, Actors, Callers, context.CancellationToken);
        var peer = await PeerMessagesAsync(seconds, Actors, Callers, context.CancellationToken);
        o.WriteLine($"{"messages/s (1000 grains, 64 callers)",-48} {"ours",14} {"peer",14} {"ours/peer",10}");
        o.WriteLine($"{"  request/response through the mailbox",-48} {ours,14:N0} {peer,14:N0} {ours / peer,10:F2}");
        o.WriteLine("  peer: one System.Threading.Channels queue and reader task per actor (no directory, no deadlines).");

        o.WriteLine();
        o.WriteLine($"{"live fleet (SQLite, SOC filter, no solver services)",-52} {"cells",7} {"samples/s",10} {"p50 ms",8} {"p99 ms",8} {"late",6}");
        foreach (var cells in context.Quick ? new[] { 2000 } : [2000, 10000])
        {
            var r = await FleetAsync(cells, context.Quick ? 10 : 30, context.ArtifactsDirectory, context.CancellationToken);
            o.WriteLine($"{"  one sample per cell per second",-52} {cells,7} {r.Rate,10:N0} {r.P50,8:F1} {r.P99,8:F1} {r.Late,6}");
        }

        o.WriteLine("  goal (issue 8): ≥ 10,000 cells with p99 < 250 ms, with SPMe + mechanics + binder per cell (those solver");
        o.WriteLine("  services are not on main yet: this run applies telemetry, cycles, SOC filter, alerts and a durable write per sample).");
        return true;
    }

    private static async Task<double> MessagesAsync(int seconds, int actors, int callers, CancellationToken cancellationToken)
    {
        await using var host = new LocalGrainHost(new InMemoryGrainStore()).AddGrain<IBenchPingGrain, BenchPingGrain>(() => new BenchPingGrain());
        await host.StartAsync(cancellationToken);
        var refs = Enumerable.Range(0, actors).Select(i => host.GrainFactory.GetGrain<IBenchPingGrain>($"g{i}")).ToArray();
        foreach (var r in refs)
        {
            await r.PingAsync(0);
        }

        long total = 0;
        var stop = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            long n = 0;
            var i = c;
            while (stop.Elapsed < until)
            {
                for (var k = 0; k < 64; k++)
                {
                    await refs[i % actors].PingAsync(1);
                    i += 7;
                }

                n += 64;
            }

            Interlocked.Add(ref total, n);
        }, cancellationToken)));
        return total / stop.Elapsed.TotalSeconds;
    }

    private static async Task<double> PeerMessagesAsync(int seconds, int actors, int callers, CancellationToken cancellationToken)
    {
        var mailboxes = Enumerable.Range(0, actors).Select(_ => Channel.CreateUnbounded<(int Value, TaskCompletionSource<int> Reply)>(new UnboundedChannelOptions { SingleReader = true })).ToArray();
        var readers = mailboxes.Select(m => Task.Run(async () =>
        {
            var count = 0;
            await foreach (var (value, reply) in m.Reader.ReadAllAsync(CancellationToken.None))
            {
                reply.SetResult(++count + value);
            }
        })).ToArray();
        long total = 0;
        var stop = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            long n = 0;
            var i = c;
            while (stop.Elapsed < until)
            {
                for (var k = 0; k < 64; k++)
                {
                    var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                    mailboxes[i % actors].Writer.TryWrite((1, reply));
                    await reply.Task;
                    i += 7;
                }

                n += 64;
            }

            Interlocked.Add(ref total, n);
        }, cancellationToken)));
        var rate = total / stop.Elapsed.TotalSeconds;
        foreach (var m in mailboxes)
        {
            m.Writer.Complete();
        }

        await Task.WhenAll(readers);
        return rate;
    }

    private sealed record FleetResult(double Rate, double P50, double P99, int Late);

    private static async Task<FleetResult> FleetAsync(int cells, int seconds, string artifacts, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(artifacts, "grains-fleet");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        await using var store = new SqliteGrainStore(Path.Combine(directory, "fleet.db"));
        await store.InitializeAsync(cancellationToken);
        var host = new LocalGrainHost(store, new GrainHostOptions { CallTimeout = TimeSpan.FromSeconds(60) }).AddTwinGrains(new TwinServices(SolverSet.None, new TwinOptions()));
        await host.StartAsync(cancellationToken);
        var design = new CellDesign("NMC811 | graphite", CellConfiguration.FullCell, "Chen2020", 5, 2.5, 4.2, ElectrolyteKind.Liquid,
            new ElectrodeDesign("graphite", double.NaN, double.NaN, double.NaN, [new("d50", 5.86e-6, 1)], "", double.NaN),
            new ElectrodeDesign("NMC811", double.NaN, double.NaN, double.NaN, [new("d50", 5.22e-6, 1)], "", double.NaN), double.NaN, double.NaN);
        var refs = new ICellGrain[cells];
        for (var c = 0; c < cells; c++)
        {
            refs[c] = host.GrainFactory.GetGrain<ICellGrain>($"bench-{c}");
        }

        await Task.WhenAll(refs.Select(r => r.RegisterAsync(new CellRegistration("bench", design, new Dictionary<string, string>(), 0)).AsTask()));

        // Each cell discharges at C/2 from a staggered SOC; its voltage comes from the same reduced model plus 20 mΩ.
        var model = ReducedModelCatalog.Chen2020(5);
        var latencies = new List<double>(cells * seconds);
        var gate = new Lock();
        var inFlight = new bool[cells];
        var late = 0;
        var clock = Stopwatch.StartNew();
        var pending = new List<Task>();
        for (var second = 0; second < seconds; second++)
        {
            for (var c = 0; c < cells; c++)
            {
                var due = TimeSpan.FromSeconds(second + (c / (double)cells));
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(2))
                {
                    await Task.Delay(wait, cancellationToken);
                }

                if (Volatile.Read(ref inFlight[c]))
                {
                    late++;
                    continue;
                }

                var soc = 0.95 - (0.3 * c / cells) - (2.5 * second / (3600 * 5.0));
                var voltage = ReducedSpm.OpenCircuitVoltage(model, soc) - (2.5 * 0.02);
                var sample = new CellSample((ulong)second + 1, (long)(second * 1e9), second, 1, 1, StepKind.CcDischarge, -2.5, voltage, 25, double.NaN, double.NaN);
                var cell = c;
                inFlight[cell] = true;
                pending.Add(Apply(refs[cell], sample, due));
                if (pending.Count > 4096)
                {
                    pending.RemoveAll(t => t.IsCompleted);
                }

                async Task Apply(ICellGrain grain, CellSample s, TimeSpan scheduled)
                {
                    await grain.ApplyTelemetryAsync(new TelemetryBatch("live", [s]));
                    var latency = (clock.Elapsed - scheduled).TotalMilliseconds;
                    Volatile.Write(ref inFlight[cell], false);
                    lock (gate)
                    {
                        latencies.Add(latency);
                    }
                }
            }
        }

        await Task.WhenAll(pending);
        var elapsed = clock.Elapsed.TotalSeconds;
        await host.StopAsync(cancellationToken);
        latencies.Sort();
        return new FleetResult(latencies.Count / elapsed, Percentile(latencies, 0.5), Percentile(latencies, 0.99), late);
    }

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(q * sorted.Count))];
}
