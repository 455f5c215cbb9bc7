// `grains` suite: messages per second through the grain runtime against a channel-per-actor peer measured in the same
// run, and a live fleet: cells fed one sample per second each, with sample-to-state latency p50/p99, without and with the
// solver services (SPMe, particle mechanics, binder) over gRPC.
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

    public string Description => "grain runtime messages/s vs a channel-per-actor peer; live fleet at 1 Hz per cell, sample-to-state p50/p99, without and with the solver services";

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
        o.WriteLine($"{$"live fleet at 1 Hz per cell (SQLite, {(StateWrites == StateWriteMode.WriteBehind ? "write-behind 5 s" : "write-through")})",-44} {"cells",7} {"samples/s",10} {"p50 ms",8} {"p99 ms",8} {"late",6} {"applied",8} {"cores",6} {"µs/smp",7} {"svc µs",7} {"load",5}");
        // GRAINS_CELLS (e.g. "10000"), GRAINS_SECONDS and GRAINS_PATHS ("solvers", "plain" or both) narrow a run to one row.
        var sizes = Environment.GetEnvironmentVariable("GRAINS_CELLS") is { Length: > 0 } cellList
            ? cellList.Split(',').Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : context.Quick ? [2000] : [2000, 10000];
        var fleetSeconds = Environment.GetEnvironmentVariable("GRAINS_SECONDS") is { Length: > 0 } secondsText
            ? int.Parse(secondsText, System.Globalization.CultureInfo.InvariantCulture)
            : context.Quick ? 10 : 30;
        var paths = Environment.GetEnvironmentVariable("GRAINS_PATHS") ?? "plain,solvers";
        var results = new List<(string Path, int Cells, FleetResult Result)>();
        foreach (var cells in paths.Contains("plain", StringComparison.Ordinal) ? sizes : [])
        {
            var r = await FleetAsync(cells, fleetSeconds, context.ArtifactsDirectory, null, context.CancellationToken);
            results.Add(("no solvers", cells, r));
            o.WriteLine($"{"  no solver services (SOC filter, cycles, alerts)",-44} {cells,7} {r.Rate,10:N0} {r.P50,8:F1} {r.P99,8:F1} {r.Late,6} {r.Applied,8:P1} {r.Cores,6:F2} {r.TwinCpuPerSample,7:F0} {r.SolverCpuPerSample,7:F0} {r.Load,5:F1}");
        }

        foreach (var cells in paths.Contains("solvers", StringComparison.Ordinal) ? sizes : [])
        {
            await using var solvers = await SolverFleet.StartAsync(Path.Combine(context.ArtifactsDirectory, "grains-solvers"), SolverBatching.Default, context.CancellationToken);
            var r = await FleetAsync(cells, fleetSeconds, context.ArtifactsDirectory, solvers, context.CancellationToken);
            results.Add(("solvers", cells, r));
            o.WriteLine($"{"  SPMe + mechanics + binder over gRPC",-44} {cells,7} {r.Rate,10:N0} {r.P50,8:F1} {r.P99,8:F1} {r.Late,6} {r.Applied,8:P1} {r.Cores,6:F2} {r.TwinCpuPerSample,7:F0} {r.SolverCpuPerSample,7:F0} {r.Load,5:F1}");
        }

        o.WriteLine();
        o.WriteLine($"{"solver calls during the timed window (per s)",-44} {"cells",7} {"advance",9} {"rpcs",7} {"particle",9} {"rpcs",7} {"binder",7} {"rpcs",6} {"init",6} {"checked",8}");
        foreach (var (_, cells, r) in results.Where(x => x.Path == "solvers"))
        {
            var c = r.Calls;
            var t = r.Seconds;
            o.WriteLine($"{"  items and the batch RPCs that carried them",-44} {cells,7} {c.AdvanceItems / t,9:N0} {c.AdvanceRpcs / t,7:N0} {c.ParticleItems / t,9:N0} {c.ParticleRpcs / t,7:N0} {c.BinderItems / t,7:N0} {c.BinderRpcs / t,6:N0} {c.InitializeRpcs / t,6:N0} {r.Verified,8}");
        }

        o.WriteLine("  per sample a cell advances SPMe (Electrochem.AdvanceBatch, Ai2020), each electrode's particle class (Mechanics");
        o.WriteLine("  UpdateParticles: stress, interface, strength) and, at a half-cycle end only (as the ElectrodeGrain does), its binder");
        o.WriteLine("  (Viscoplastic IntegratePoints, PVdF); each cell reverses its current once in the window, staggered, so binder calls");
        o.WriteLine("  run far above a real fleet's rate. Services are child processes on 127.0.0.1; cores = CPU of bench + services / wall;");
        o.WriteLine("  µs/smp = CPU of the twin process (grains, SQLite, clients) per sample; svc µs = CPU of the three services per sample.");
        o.WriteLine("  applied = samples acknowledged as applied (not held); checked = cells (of 200 probed) whose particles and binder show solver output.");
        o.WriteLine("  goal (issue 8): >= 10,000 cells with p99 < 250 ms with SPMe + mechanics + binder per cell.");
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

    private sealed record FleetResult(double Rate, double P50, double P99, int Late, double Cores, double Load, double Seconds, SolverCounts Calls, double Applied, int Verified,
        double TwinCpuPerSample, double SolverCpuPerSample);

    /// <summary>Without solvers: an LG M50 (Chen2020, 5 A.h), a set the SOC filter knows, so the filter runs per sample.</summary>
    private static readonly CellDesign FilterCell = new("NMC811 | graphite", CellConfiguration.FullCell, "Chen2020", 5, 2.5, 4.2, ElectrolyteKind.Liquid,
        new ElectrodeDesign("graphite", double.NaN, double.NaN, double.NaN, [new("d50", 5.86e-6, 1)], "", double.NaN),
        new ElectrodeDesign("NMC811", double.NaN, double.NaN, double.NaN, [new("d50", 5.22e-6, 1)], "", double.NaN), double.NaN, double.NaN);

    /// <summary>
    /// With solvers: Ai2020 (graphite | LiCoO2, 2.28 A.h), the one set both the Electrochem and the Mechanics catalogs know,
    /// one particle class per electrode and a PVdF binder. The SOC filter has no reduced model for it: SOC comes from SPMe.
    /// </summary>
    private static readonly CellDesign SolverCell = new("LiCoO2 | graphite", CellConfiguration.FullCell, "Ai2020", 2.28, 3.0, 4.2, ElectrolyteKind.Liquid,
        new ElectrodeDesign("graphite", double.NaN, double.NaN, double.NaN, [new("d50", 5.0e-6, 1)], "KazemGhamsari2025_PVdF", double.NaN),
        new ElectrodeDesign("LiCoO2", double.NaN, double.NaN, double.NaN, [new("d50", 3.0e-6, 1)], "KazemGhamsari2025_PVdF", double.NaN), double.NaN, double.NaN);

    private const int WarmupSeconds = 2;

    /// <summary>As the Twin host writes by default (TwinHostSettings.StateWrites); GRAINS_WRITES=through measures write-through.</summary>
    private static readonly StateWriteMode StateWrites = Environment.GetEnvironmentVariable("GRAINS_WRITES") == "through" ? StateWriteMode.WriteThrough : StateWriteMode.WriteBehind;

    private static async Task<FleetResult> FleetAsync(int cells, int seconds, string artifacts, SolverFleet? solvers, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(artifacts, "grains-fleet");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        await using var store = new SqliteGrainStore(Path.Combine(directory, "fleet.db"));
        await store.InitializeAsync(cancellationToken);
        var host = new LocalGrainHost(store, new GrainHostOptions { CallTimeout = TimeSpan.FromSeconds(60), StateWrites = StateWrites, WriteBehindPeriod = TimeSpan.FromSeconds(5) })
            .AddTwinGrains(new TwinServices(solvers?.Solvers ?? SolverSet.None, new TwinOptions()));
        await host.StartAsync(cancellationToken);
        var design = solvers is null ? FilterCell : SolverCell;
        var refs = new ICellGrain[cells];
        for (var c = 0; c < cells; c++)
        {
            refs[c] = host.GrainFactory.GetGrain<ICellGrain>($"bench-{c}");
        }

        var registrations = await Task.WhenAll(refs.Select(r => r.RegisterAsync(new CellRegistration("bench", design, new Dictionary<string, string>(), 0)).AsTask()));
        if (registrations.FirstOrDefault(r => !r.Accepted) is { } refused)
        {
            throw new InvalidOperationException($"a bench cell was refused: {string.Join("; ", refused.Problems)}");
        }

        // Warm-up (not timed): the first sample starts each cell's model (InitializeState), the second its particles and binder.
        using (var gate = new SemaphoreSlim(64))
        {
            for (var second = 0; second < WarmupSeconds; second++)
            {
                await Task.WhenAll(Enumerable.Range(0, cells).Select(async c =>
                {
                    await gate.WaitAsync(cancellationToken);
                    try
                    {
                        var ack = await refs[c].ApplyTelemetryAsync(new TelemetryBatch("live", [Sample(design, c, cells, seconds, second, (ulong)second + 1)]));
                        if (ack.Disposition != TelemetryDisposition.Applied)
                        {
                            throw new InvalidOperationException($"bench-{c}: warm-up sample {second + 1} was {ack.Disposition}: {ack.Reason}");
                        }
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }
        }

        var latencies = new List<double>(cells * seconds);
        var latencyGate = new Lock();
        var inFlight = new bool[cells];

        // A cell still busy with its last sample skips this second (counted late); its log stays gap-free, as a cycler's does.
        var sequence = new ulong[cells];
        Array.Fill(sequence, (ulong)WarmupSeconds);
        int late = 0, applied = 0;
        var pending = new List<Task>();
        var countsBefore = solvers?.Counts ?? default;
        var twinCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var solverCpuBefore = solvers?.ProcessorTime ?? TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        for (var tick = 0; tick < seconds; tick++)
        {
            var second = WarmupSeconds + tick;
            for (var c = 0; c < cells; c++)
            {
                var due = TimeSpan.FromSeconds(tick + (c / (double)cells));
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

                var cell = c;
                inFlight[cell] = true;
                pending.Add(Apply(refs[cell], Sample(design, c, cells, seconds, second, ++sequence[cell]), due));
                if (pending.Count > 4096)
                {
                    pending.RemoveAll(t => t.IsCompleted);
                }

                async Task Apply(ICellGrain grain, CellSample s, TimeSpan scheduled)
                {
                    var ack = await grain.ApplyTelemetryAsync(new TelemetryBatch("live", [s]));
                    var latency = (clock.Elapsed - scheduled).TotalMilliseconds;
                    Volatile.Write(ref inFlight[cell], false);
                    if (ack.Disposition == TelemetryDisposition.Applied && ack.Applied == 1)
                    {
                        Interlocked.Increment(ref applied);
                    }

                    lock (latencyGate)
                    {
                        latencies.Add(latency);
                    }
                }
            }
        }

        await Task.WhenAll(pending);
        var elapsed = clock.Elapsed.TotalSeconds;
        var twinCpu = Process.GetCurrentProcess().TotalProcessorTime - twinCpuBefore;
        var solverCpu = (solvers?.ProcessorTime ?? TimeSpan.Zero) - solverCpuBefore;
        var calls = (solvers?.Counts ?? default) - countsBefore;
        var load = LoadAverage();
        var verified = solvers is null ? 0 : await VerifyAsync(host.GrainFactory, cells, 200);
        await host.StopAsync(cancellationToken);
        latencies.Sort();
        var n = Math.Max(1, latencies.Count);
        return new FleetResult(latencies.Count / elapsed, Percentile(latencies, 0.5), Percentile(latencies, 0.99), late, (twinCpu + solverCpu).TotalSeconds / elapsed, load, elapsed,
            calls, latencies.Count == 0 ? 0 : applied / (double)latencies.Count, verified, twinCpu.TotalMicroseconds / n, solverCpu.TotalMicroseconds / n);
    }

    /// <summary>
    /// Cell <paramref name="c"/>'s sample of second <paramref name="second"/>: C/2 discharge from a staggered SOC, reversed to
    /// C/2 charge once in the timed window (a half-cycle end: the binder runs); voltage = the LG M50 reduced model's OCV at
    /// that SOC + 20 mΩ·I (inside both sets' windows: SOC 0.85 to 0.55 is 3.75 to 4.0 V).
    /// </summary>
    private static CellSample Sample(CellDesign design, int c, int cells, int seconds, int second, ulong sequence)
    {
        const double Resistance = 0.02;
        var capacity = design.NominalCapacityAh;
        var flip = WarmupSeconds + (c % seconds);
        var discharging = second < flip;
        var current = (discharging ? -0.5 : 0.5) * capacity;
        var discharged = Math.Min(second, flip) - (discharging ? 0 : second - flip);
        var soc = 0.85 - (0.3 * c / cells) - (0.5 * discharged / 3600);
        var voltage = ReducedSpm.OpenCircuitVoltage(ReducedModel, soc) + (current * Resistance);
        return new CellSample(sequence, (long)(second * 1e9), second, 1, discharging ? 1 : 2, discharging ? StepKind.CcDischarge : StepKind.CcCharge,
            current, voltage, 25, double.NaN, double.NaN);
    }

    private static readonly ReducedSpmParameters ReducedModel = ReducedModelCatalog.Chen2020(5);

    /// <summary>Cells (of <paramref name="probe"/> spread over the fleet) whose particle classes carry Mechanics stresses and whose electrodes a binder state.</summary>
    private static async Task<int> VerifyAsync(IGrainFactory grains, int cells, int probe)
    {
        var ok = 0;
        for (var i = 0; i < probe; i++)
        {
            var c = (int)((long)i * cells / probe);
            var electrode = await grains.GetGrain<IElectrodeGrain>($"bench-{c}/positive").GetStateAsync();
            var particle = electrode.Particles.FirstOrDefault();
            if (particle is not null && double.IsFinite(particle.MaxTensileStress) && electrode.Binder is { } binder && double.IsFinite(binder.FractureMargin))
            {
                ok++;
            }
        }

        return ok;
    }

    private static double LoadAverage()
    {
        var text = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg") : "";
        return double.TryParse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var load) ? load : double.NaN;
    }

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(q * sorted.Count))];
}
