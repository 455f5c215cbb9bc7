// DEM packing studies of the electrodes against the real DEM service on loopback (small packings, the service's
// test-sized numerics): a cycle end puts the study's figures into the electrode's state and the series sink; with
// the DEM service down every sample is still applied and the electrode reports the failure.
using System.Collections.Concurrent;
using System.Net;
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Estimation.Design;
using DigitalTwin.Estimation.Tests;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Services.Dem;
using DigitalTwin.Testing;
using DigitalTwin.TimeSeries;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.Twin.Dem;
using DigitalTwin.Twin.Grains;
using DigitalTwin.Twin.Series;
using DigitalTwin.Twin.Solvers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using CompactionOptions = DigitalTwin.Physics.Dem.Studies.CompactionOptions;
using Xunit.Abstractions;
using Schema = DigitalTwin.TimeSeries.Schema.Measurements;

namespace DigitalTwin.Twin.Tests;

public sealed class PackingStudyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly SolverCallPolicy FastRetries = new(TimeSpan.FromSeconds(5), 3, TimeSpan.FromMilliseconds(1));
    private static readonly TimeSpan StudyWait = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Small packings so a study takes seconds: 100 particles, pressed to the solid cell's 30 MPa stack pressure. The
    /// contact-loss rule raises at a loss of 0 here, so the first study's figures (loss 0 by definition) must raise it.
    /// </summary>
    private static readonly TwinOptions Options = new()
    {
        Dem = new PackingStudyOptions { ParticleCount = 100, EveryCycles = 1 },
        AlertRules = [.. Estimation.Alerts.AlertRules.Defaults.Select(r => r.Id == "contact-loss" ? r with { Threshold = 0, ClearAt = -1 } : r)],
    };

    private readonly FakeElectrochemService _electrochem = new();
    private readonly List<WebApplication> _apps = [];
    private RpcChannel? _electrochemChannel;
    private RpcChannel? _demChannel;

    public async Task InitializeAsync()
    {
        (var electrochem, var port) = Loopback(b => { }, app => app.MapRpcService(ElectrochemServiceBase.Bind(_electrochem)));
        await electrochem.StartAsync().Within("the fake Electrochem service to start");
        _electrochemChannel = RpcChannel.ForAddress($"http://127.0.0.1:{port()}");

        // The DEM service's own test numerics (tests/DigitalTwin.Services.Dem.Tests): shorter chunks, 1 % force tolerance.
        (var dem, var demPort) = Loopback(b =>
        {
            b.Services.AddSingleton(TimeProvider.System);
            b.Services.AddSingleton(new DemServiceOptions { Compaction = new CompactionOptions { Chunk = 1000, MaxChunksU = 400, ToleranceU = 0.01 } });
            b.Services.AddSingleton<StudyRegistry>();
            b.Services.AddSingleton<DemStudyService>();
        }, app => app.MapRpcService(Contracts.Dem.V1.DemServiceBase.Bind(app.Services.GetRequiredService<DemStudyService>())));
        await dem.StartAsync().Within("the DEM service to start");
        _demChannel = RpcChannel.ForAddress($"http://127.0.0.1:{demPort()}");
    }

    public async Task DisposeAsync()
    {
        _electrochemChannel?.Dispose();
        _demChannel?.Dispose();
        foreach (var app in _apps)
        {
            app.Services.GetService<StudyRegistry>()?.Dispose();
            await app.StopAsync().Within("a loopback service to stop");
            await app.DisposeAsync();
        }
    }

    private (WebApplication App, Func<int> Port) Loopback(Action<WebApplicationBuilder> configure, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? endpoint = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o =>
        {
            o.Protocols = HttpProtocols.Http2;
            endpoint = o;
        }));
        builder.Services.AddRpcServer();
        configure(builder);
        var app = builder.Build();
        map(app);
        _apps.Add(app);
        return (app, () => endpoint!.IPEndPoint!.Port);
    }

    /// <summary>The Arbin cell as a solid-electrolyte cell at 30 MPa stack pressure (so its packing has AM and SE).</summary>
    private static CellDesign SolidCell() => TwinFixture.ArbinCell() with { Electrolyte = ElectrolyteKind.Solid, StackPressure = 30e6 };

    private async Task<(LocalGrainHost Host, TwinServices Services, RecordingSink Sink, TwinSeriesWriter Writer)> StartAsync(IDemSolver dem, TwinOptions? options = null)
    {
        var sink = new RecordingSink();
        var writer = new TwinSeriesWriter(sink, new TwinSeriesOptions(FlushInterval: TimeSpan.FromMilliseconds(50)), TimeProvider.System, NullLogger.Instance);
        var services = new TwinServices(new SolverSet(new RpcElectrochemSolver(new ElectrochemServiceClient(_electrochemChannel!), FastRetries, TimeProvider.System), null, null, dem), options ?? Options, writer);
        var host = new LocalGrainHost(new InMemoryGrainStore(), new GrainHostOptions(), TimeProvider.System).AddTwinGrains(services);
        await host.StartAsync().Within("twin host start");
        return (host, services, sink, writer);
    }

    /// <summary>
    /// Replays the real Arbin file; returns once every batch is applied (DEM studies run behind it). After the batch
    /// that completes the first cycle, <paramref name="afterCycleEnd"/> runs before the rest is sent.
    /// </summary>
    private static async Task<CellSnapshot> ReplayAsync(LocalGrainHost host, string cellId, Func<Task>? afterCycleEnd = null)
    {
        var cell = host.GrainFactory.GetGrain<ICellGrain>(cellId);
        var registered = await cell.RegisterAsync(TwinFixture.Registration(SolidCell())).Within("registration");
        Assert.True(registered.Accepted, string.Join("; ", registered.Problems));
        var samples = ArbinCsv.Read(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
        foreach (var batch in TwinFixture.Batches(samples, "file:arbin_example", 200))
        {
            var ack = await cell.ApplyTelemetryAsync(batch).Within("a batch");
            Assert.Equal(TelemetryDisposition.Applied, ack.Disposition);
            if (afterCycleEnd is not null && (await cell.GetStateAsync().Within("the cell state")).CompletedCycles > 0)
            {
                await afterCycleEnd();
                afterCycleEnd = null;
            }
        }

        var state = await cell.GetStateAsync().Within("the cell state");
        Assert.Equal(samples.Count, state.AppliedSamples);
        return state;
    }

    /// <summary>Waits for the electrode's study outcomes (the electrode publishes one notice per outcome).</summary>
    private static async Task WaitForOutcomesAsync(System.Threading.Channels.ChannelReader<CellChanged> feed, string cellId, int count)
    {
        var seen = 0;
        while (seen < count)
        {
            var change = await feed.ReadAsync().AsTask().Within($"DEM outcome {seen + 1} of {count} for {cellId}", StudyWait);
            if (change.CellId == cellId && change.Electrode is not null)
            {
                seen++;
            }
        }
    }

    [Fact]
    public async Task A_cycle_end_puts_the_DEM_packing_figures_into_the_electrode_state_and_the_series()
    {
        var (host, services, sink, writer) = await StartAsync(new RpcDemSolver(new Contracts.Dem.V1.DemServiceClient(_demChannel!), FastRetries, TimeProvider.System));
        await using var _ = host;
        await using var __ = writer;
        using var stop = new CancellationTokenSource();
        var feed = services.Updates.Watch(stop.Token);

        // One study per electrode at the file's cycle end (EveryCycles = 1); the rest of the file follows the results.
        var waited = false;
        var cell = await ReplayAsync(host, "solid-1", async () =>
        {
            await WaitForOutcomesAsync(feed, "solid-1", 2);
            waited = true;
        });
        Assert.True(waited, "the file has a cycle end before its last batch");
        foreach (var role in new[] { "positive", "negative" })
        {
            var electrode = await host.GrainFactory.GetGrain<IElectrodeGrain>($"solid-1/{role}").GetStateAsync().Within($"the {role} electrode");
            var packing = electrode.Packing ?? throw new Xunit.Sdk.XunitException($"{role}: no packing figures");
            Assert.True(packing.Last is not null, $"{role}: no DEM result; last error: {packing.LastError}");
            var p = packing.Last!;
            Assert.Equal((1, 0, "cycle-end"), (packing.Completed, packing.Failures, p.Trigger));
            Assert.Null(packing.Pending);
            Assert.False(string.IsNullOrEmpty(p.StudyId));

            // The servo holds the plate at the stack pressure through the swelling ramp: 30 MPa within the DEM service's
            // 1 % force tolerance of the press, widened to 10 % for the swelling stage, which ends without a hold.
            Assert.InRange(p.PlatePressure / 30e6, 0.90, 1.10);

            // Random close packing of pressed polydisperse spheres: 0.5-0.75 (the DEM service's own test range).
            Assert.InRange(p.SolidFraction, 0.5, 0.75);

            // Compressive-positive stresses; both types carry load; every AM particle touches the SE somewhere.
            Assert.True(p.ActiveMaterialStressZz > 0, $"{role}: AM stress {p.ActiveMaterialStressZz}");
            Assert.Equal(["AM", "SE"], p.Types.Select(t => t.TypeName));
            Assert.All(p.Types, t => Assert.True(t.StressZz > 0 && t.Coordination > 0, $"{role} {t.TypeName}: {t}"));
            Assert.True(p.AmSeContacts > 0 && p.AmSeCoordination > 0, $"{role}: AM-SE {p.AmSeContacts}, {p.AmSeCoordination}");

            // The first study is its own reference: no contact lost yet (1 - z/z = 0 exactly).
            Assert.Equal(0.0, p.AmSeContactLoss, 12);

            // The swelling step is the stoichiometry window's peak distance from the reference times 0.065/3 (ElectrodeGrain).
            Assert.True(Math.Abs(p.SwellingStrain) <= 0.065 / 3, $"{role}: strain {p.SwellingStrain}");
            output.WriteLine($"{role}: study {p.StudyId} cycle {p.Cycle} strain {p.SwellingStrain:G4} plate {p.PlatePressure / 1e6:F2} MPa phi {p.SolidFraction:F3} " +
                $"z {p.MeanCoordination:F2} AM {p.ActiveMaterialStressZz / 1e6:F2} MPa SE {p.Types[1].StressZz / 1e6:F2} MPa AM-SE {p.AmSeContacts} ({p.AmSeCoordination:F2}/AM)");
        }

        // Same seed, same press: the swollen positive AM (+ strain) carries more stress than the shrunk negative AM
        // (- strain) under the plate the servo holds (Alabdali et al. 2024: AM stress rises with lithiation swelling).
        var figures = new Dictionary<string, PackingSnapshot>();
        foreach (var role in new[] { "positive", "negative" })
        {
            figures[role] = (await host.GrainFactory.GetGrain<IElectrodeGrain>($"solid-1/{role}").GetStateAsync().Within($"the {role} electrode")).Packing!.Last!;
        }

        Assert.True(figures["positive"].SwellingStrain > 0 && figures["negative"].SwellingStrain < 0, "the fake's electrodes move opposite ways");
        Assert.True(figures["positive"].ActiveMaterialStressZz > figures["negative"].ActiveMaterialStressZz, "swelling raises the AM packing stress");

        await writer.FlushAsync().Within("the series flush");
        var dem = sink.Points.Where(x => x.Series.Measurement == Schema.DemStage.Measurement.Name && x.Series.Tag(Schema.Tags.Cell) == "solid-1").ToList();
        Assert.Equal(["negative", "positive"], dem.Select(x => x.Series.Tag(Schema.Tags.Electrode)).Order());
        var positive = await host.GrainFactory.GetGrain<IElectrodeGrain>("solid-1/positive").GetStateAsync().Within("the positive electrode");
        var point = dem.Single(x => x.Series.Tag(Schema.Tags.Electrode) == "positive");
        Assert.Equal(positive.Packing!.Last!.StudyId, point.Series.Tag(Schema.Tags.Study));
        Assert.Equal(positive.Packing.Last.ActiveMaterialStressZz, point.Fields[Schema.DemStage.ActiveMaterialStress.Name]);
        Assert.Equal(positive.Packing.Last.AmSeContacts, point.Fields[Schema.DemStage.AmSeContacts.Name]);

        // The segments after the study fed its figures into the cell's alerts (the test's contact-loss rule raises at 0).
        Assert.Contains(cell.ActiveAlerts, a => a.RuleId == "contact-loss" && a.Kind == Estimation.Alerts.AlertKind.ContactLoss && a.Value == 0);
        stop.Cancel();
    }

    [Fact]
    public async Task With_the_DEM_service_down_the_twin_applies_all_telemetry_and_reports_the_failure()
    {
        var reference = await ReplayTests.RunAsync(new InMemoryGrainStore(), 200, new SolverSet(new RpcElectrochemSolver(new ElectrochemServiceClient(_electrochemChannel!), FastRetries, TimeProvider.System), null, null));

        using var nowhere = RpcChannel.ForAddress($"http://127.0.0.1:{FreePort()}");
        var (host, services, sink, writer) = await StartAsync(new RpcDemSolver(new Contracts.Dem.V1.DemServiceClient(nowhere), FastRetries, TimeProvider.System));
        await using var _ = host;
        await using var __ = writer;
        using var stop = new CancellationTokenSource();
        var feed = services.Updates.Watch(stop.Token);

        var cell = await ReplayAsync(host, "solid-2");
        await WaitForOutcomesAsync(feed, "solid-2", 2);
        foreach (var role in new[] { "positive", "negative" })
        {
            var packing = (await host.GrainFactory.GetGrain<IElectrodeGrain>($"solid-2/{role}").GetStateAsync().Within($"the {role} electrode")).Packing!;
            Assert.Equal((0, 1), (packing.Completed, packing.Failures));
            Assert.Null(packing.Last);
            Assert.Null(packing.Pending);
            Assert.Contains("Dem.SubmitStudy failed after 3 attempt(s)", packing.LastError, StringComparison.Ordinal);
        }

        // The cell itself is exactly what a twin without DEM makes of the file (the reference ran the liquid design, so
        // compare what DEM could have touched: samples, cycles, SOC, voltages).
        Assert.Equal(reference.State.AppliedSamples, cell.AppliedSamples);
        Assert.Equal(reference.State.CompletedCycles, cell.CompletedCycles);
        Assert.Equal(reference.State.Soc, cell.Soc, 12);
        Assert.Equal(reference.State.ModelVoltage, cell.ModelVoltage, 12);
        Assert.DoesNotContain(cell.ActiveAlerts, a => a.RuleId is "solver-failing" or "packing-stress" or "contact-loss");
        await writer.FlushAsync().Within("the series flush");
        Assert.DoesNotContain(sink.Points, x => x.Series.Measurement == Schema.DemStage.Measurement.Name);
        stop.Cancel();
    }

    [Fact]
    public async Task A_study_past_its_deadline_is_cancelled_and_reported()
    {
        // 50 ms is far below the seconds a 100-particle press takes on the real service (the other tests' studies).
        var options = Options with { Dem = Options.Dem with { Deadline = TimeSpan.FromMilliseconds(50) } };
        var (host, services, _, writer) = await StartAsync(new RpcDemSolver(new Contracts.Dem.V1.DemServiceClient(_demChannel!), FastRetries, TimeProvider.System), options);
        await using var _h = host;
        await using var _w = writer;
        using var stop = new CancellationTokenSource();
        var feed = services.Updates.Watch(stop.Token);
        var cell = await ReplayAsync(host, "solid-5");
        await WaitForOutcomesAsync(feed, "solid-5", 2);
        foreach (var role in new[] { "positive", "negative" })
        {
            var packing = (await host.GrainFactory.GetGrain<IElectrodeGrain>($"solid-5/{role}").GetStateAsync().Within($"the {role} electrode")).Packing!;
            Assert.Equal((0, 1), (packing.Completed, packing.Failures));
            Assert.Contains("deadline of 00:00:00.0500000 exceeded", packing.LastError, StringComparison.Ordinal);
        }

        // Every sample applied regardless: arbin_example.csv has 2,142 samples (2,143 lines with its header).
        Assert.Equal(2142, cell.AppliedSamples);
        stop.Cancel();
    }

    [Fact]
    public async Task An_on_demand_study_runs_once_at_a_time_and_can_be_cancelled()
    {
        var (host, services, _, writer) = await StartAsync(new RpcDemSolver(new Contracts.Dem.V1.DemServiceClient(_demChannel!), FastRetries, TimeProvider.System));
        await using var _h = host;
        await using var _w = writer;
        using var stop = new CancellationTokenSource();
        var feed = services.Updates.Watch(stop.Token);
        var electrode = host.GrainFactory.GetGrain<IElectrodeGrain>("solid-3/positive");
        var early = await electrode.RunPackingStudyAsync().Within("a request before any segment");
        Assert.False(early.Accepted);
        Assert.Contains("no state yet", early.Reason, StringComparison.Ordinal);

        await ReplayAsync(host, "solid-3");
        await WaitForOutcomesAsync(feed, "solid-3", 2);
        var first = await electrode.RunPackingStudyAsync().Within("the on-demand request");
        Assert.True(first.Accepted, first.Reason);
        var second = await electrode.RunPackingStudyAsync().Within("a second request while the first runs");
        Assert.False(second.Accepted);
        Assert.Contains("still in flight", second.Reason, StringComparison.Ordinal);
        Assert.True(await electrode.CancelPackingStudyAsync().Within("the cancellation"));
        await WaitForOutcomesAsync(feed, "solid-3", 1);
        var packing = (await electrode.GetStateAsync().Within("the electrode")).Packing!;
        Assert.Null(packing.Pending);
        Assert.Equal(1, packing.Completed);
        Assert.Equal(1, packing.Skipped);
        Assert.Contains("cancelled on request", packing.LastError, StringComparison.Ordinal);
        stop.Cancel();
    }

    [Fact]
    public async Task WatchCells_streams_cells_electrodes_with_their_DEM_packing_and_particles_of_a_host_started_from_configuration()
    {
        var db = Path.Combine(Directory.CreateTempSubdirectory("dt-twin-dem-").FullName, "twin.db");
        var app = await Services.Twin.TwinHost.BuildAsync(["--Rpc:Port=0", "--Rpc:MinimumLogLevel=Warning", $"--Twin:StorageConnectionString={db}", "--Twin:ApiKeys=k",
            $"--Twin:ElectrochemAddress=http://127.0.0.1:{_electrochemChannel!.Address.Port}", $"--Twin:DemAddress=http://127.0.0.1:{_demChannel!.Address.Port}",
            "--Twin:Dem:EveryCycles=0", "--Twin:Dem:ParticleCount=100"]).Within("the twin host to build");
        await app.StartAsync().Within("the twin host to start");
        try
        {
            using var channel = RpcChannel.ForAddress(app.GetRpcAddresses()[0].ToString().TrimEnd('/'));
            var client = new Contracts.Twin.V1.TwinServiceClient(channel);
            var key = new CallOptions(Headers: [new Metadata.Entry("x-api-key", "k")]);
            using var watch = client.WatchCells(new Contracts.Twin.V1.WatchCellsRequest { CellIds = { "solid-4" }, IncludeElectrodes = true, IncludeParticles = true });
            await client.RegisterCellAsync(new Contracts.Twin.V1.RegisterCellRequest { CellId = "solid-4", LotId = "lot-d", Design = Mapping.ContractMapping.ToContract(SolidCell()) }, key).ResponseAsync.Within("registration");
            var samples = ArbinCsv.Read(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
            foreach (var chunk in samples.Chunk(500))
            {
                var batch = new Contracts.Common.V1.SampleBatch { CellId = "solid-4", SourceId = "file:arbin_example" };
                batch.Sequence.AddRange(chunk.Select(x => x.Sequence));
                batch.TimeUnixNs.AddRange(chunk.Select(x => x.TimeUnixNs));
                batch.TestTime.AddRange(chunk.Select(x => x.TestTime));
                batch.CycleIndex.AddRange(chunk.Select(x => (uint)x.Cycle));
                batch.StepIndex.AddRange(chunk.Select(x => (uint)x.Step));
                batch.Current.AddRange(chunk.Select(x => x.Current));
                batch.Voltage.AddRange(chunk.Select(x => x.Voltage));
                batch.TemperatureDegc.AddRange(chunk.Select(x => x.TemperatureC));
                batch.ChargeCapacityAh.AddRange(chunk.Select(x => x.ChargeCapacityAh));
                batch.DischargeCapacityAh.AddRange(chunk.Select(x => x.DischargeCapacityAh));
                await client.ApplyTelemetryAsync(new Contracts.Twin.V1.ApplyTelemetryRequest { Batch = batch }, key).ResponseAsync.Within("a batch applied");
            }

            // On demand only (EveryCycles = 0): the study starts when asked, through the contract.
            var started = await client.RunPackingStudyAsync(new Contracts.Twin.V1.RunPackingStudyRequest { CellId = "solid-4", Electrode = Contracts.Common.V1.ElectrodeRole.Positive }, key).ResponseAsync.Within("the on-demand study");
            Assert.True(started.Accepted, started.Reason);
            Assert.Equal("on-demand", started.Study.Trigger);

            var kinds = new HashSet<Contracts.Twin.V1.WatchCellsResponse.UpdateOneofCase>();
            Contracts.Twin.V1.ElectrodeState? withPacking = null;
            Contracts.Twin.V1.ParticleState? particle = null;
            while (withPacking is null)
            {
                Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None).Within("the next watch update (waiting for the DEM result)", StudyWait), "the watch ended");
                var update = watch.ResponseStream.Current;
                kinds.Add(update.UpdateCase);
                particle = update.Particle ?? particle;
                if (update.Electrode is { Packing.Completed: > 0 } e)
                {
                    withPacking = e;
                }
            }

            Assert.Contains(Contracts.Twin.V1.WatchCellsResponse.UpdateOneofCase.Cell, kinds);
            Assert.Contains(Contracts.Twin.V1.WatchCellsResponse.UpdateOneofCase.Particle, kinds);
            Assert.Equal(Contracts.Common.V1.ElectrodeRole.Positive, withPacking.Electrode);
            var packing = withPacking.Packing;
            Assert.Equal(("on-demand", 1u, 0u), (packing.Trigger, packing.Completed, packing.Failures));
            Assert.Null(packing.Pending);
            // Pressed to the cell's 30 MPa stack pressure; the servo holds it within 10 % through the swelling ramp.
            Assert.InRange(packing.PlatePressure / 30e6, 0.90, 1.10);
            Assert.True(packing.ActiveMaterialStressZz > 0 && packing.AmSeContacts > 0, packing.ToString());
            Assert.Equal(["AM", "SE"], packing.TypeStresses.Select(t => t.TypeName));
            Assert.NotNull(particle);
            Assert.Equal("solid-4", particle!.CellId);
            Assert.True(particle.Radius > 0, particle.ToString());

            // The same figures through GetElectrodeState.
            var read = (await client.GetElectrodeStateAsync(new Contracts.Twin.V1.GetElectrodeStateRequest { CellId = "solid-4", Electrode = Contracts.Common.V1.ElectrodeRole.Positive }).ResponseAsync.Within("the electrode state")).State;
            Assert.Equal(packing.StudyId, read.Packing.StudyId);
        }
        finally
        {
            await app.StopAsync().Within("the twin host to stop");
            await app.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Keeps every point written, with its fields by name.</summary>
    private sealed class RecordingSink : ITimeSeriesSink
    {
        public ConcurrentQueue<(SeriesKey Series, IReadOnlyDictionary<string, double> Fields)> Points { get; } = new();

        public ValueTask WriteAsync(PointBatch batch, CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var fields = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var f in batch.Fields(i))
                {
                    if (f.Kind is DigitalTwin.TimeSeries.Schema.FieldKind.Float or DigitalTwin.TimeSeries.Schema.FieldKind.Integer)
                    {
                        fields[f.Name] = f.AsDouble;
                    }
                }

                Points.Enqueue((batch.Series(i), fields));
            }

            return default;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => default;

        public ValueTask DisposeAsync() => default;
    }
}
