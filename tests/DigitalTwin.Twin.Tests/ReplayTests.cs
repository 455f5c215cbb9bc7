// A real Arbin file through the cell grain: per-cycle capacities equal the file's own, exactly once under resends and crashes.
using System.Text.Json;
using DigitalTwin.Estimation;
using DigitalTwin.Estimation.Tests;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;
using DigitalTwin.Testing;

namespace DigitalTwin.Twin.Tests;

public sealed class ReplayTests
{
    private static readonly IReadOnlyList<CellSample> Arbin = ArbinCsv.Read(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));

    [Fact]
    public async Task The_twins_cycle_capacities_equal_the_files_own()
    {
        var logs = new RecordingLoggerFactory();
        await using var store = await TwinFixture.SqliteAsync();
        await using var host = await TwinFixture.StartAsync(store, logs: logs);
        var cell = host.GrainFactory.GetGrain<ICellGrain>("arbin-1");
        Assert.True((await cell.RegisterAsync(TwinFixture.Registration(TwinFixture.ArbinCell())).Within("registration")).Accepted);
        foreach (var batch in TwinFixture.Batches(Arbin, "file:arbin_example", 100))
        {
            var ack = await cell.ApplyTelemetryAsync(batch).Within("a batch applied");
            Assert.Equal(TelemetryDisposition.Applied, ack.Disposition);
        }

        var cycles = await cell.GetCyclesAsync().Within("the cycle table");
        // Expected: max of the file's Charge_Capacity/Discharge_Capacity columns per Cycle_Index (they accumulate per cycle).
        var expected = Arbin.GroupBy(s => s.Cycle).Select(g => (g.Key, g.Max(s => s.ChargeCapacityAh), g.Max(s => s.DischargeCapacityAh))).ToList();
        Assert.Equal(expected, cycles.Select(c => (c.Cycle, c.ChargeCapacityAh, c.DischargeCapacityAh)));

        var state = await cell.GetStateAsync().Within("the cell state");
        Assert.Equal((ulong)Arbin.Count, state.LastAppliedSequence["file:arbin_example"]);
        Assert.Equal(Arbin.Count, state.AppliedSamples);
        Assert.Equal(1, state.CompletedCycles);
        // SOH of the completed cycle: its discharge capacity over the registered 1.1 A.h.
        Assert.Equal(expected[0].Item3 / 1.1, state.Soh, 12);
        logs.AssertNoProblems();
    }

    [Fact]
    public async Task Resent_reordered_and_overlapping_batches_apply_every_sample_once()
    {
        await using var store = new InMemoryGrainStore();
        await using var host = await TwinFixture.StartAsync(store);
        var cell = host.GrainFactory.GetGrain<ICellGrain>("arbin-2");
        await cell.RegisterAsync(TwinFixture.Registration(TwinFixture.ArbinCell())).Within("registration");

        var random = new Random(5);
        var position = 0;
        while (position < Arbin.Count)
        {
            // Windows that start up to 50 samples back (resends), shuffled within the batch, sometimes skipping ahead.
            var start = Math.Max(0, position - random.Next(0, 50));
            var batch = Arbin.Skip(start).Take(random.Next(20, 120)).OrderBy(_ => random.Next()).ToList();
            var ack = await cell.ApplyTelemetryAsync(new TelemetryBatch("s", batch)).Within("a batch");
            position = (int)ack.LastAppliedSequence;
        }

        var state = await cell.GetStateAsync().Within("state");
        Assert.Equal(Arbin.Count, state.AppliedSamples);
        Assert.Equal(0, state.HeldSamples);
        var reference = await RunAsync(new InMemoryGrainStore(), 100);
        Assert.Equal(reference.Cycles, await cell.GetCyclesAsync().Within("cycles"));
    }

    [Fact]
    public async Task A_crash_mid_replay_then_a_restart_ends_in_the_same_state_as_an_uninterrupted_run()
    {
        var reference = await RunAsync(new InMemoryGrainStore(), 64);

        // First host: applies part of the file, then "crashes": abandoned without deactivation (no final writes).
        var path = Path.Combine(Directory.CreateTempSubdirectory("dt-crash-").FullName, "twin.db");
        var first = await TwinFixture.SqliteAsync(path);
        var crashed = await TwinFixture.StartAsync(first);
        var cell = crashed.GrainFactory.GetGrain<ICellGrain>("arbin-1");
        await cell.RegisterAsync(TwinFixture.Registration(TwinFixture.ArbinCell())).Within("registration");
        foreach (var batch in TwinFixture.Batches(Arbin, "file:arbin_example", 64).Take(20))
        {
            await cell.ApplyTelemetryAsync(batch).Within("a batch before the crash");
        }

        await first.DisposeAsync();

        // Second host over the same file: the source asks where the cell stands and resends from there (plus an overlap).
        await using var second = await TwinFixture.SqliteAsync(path);
        await using var restarted = await TwinFixture.StartAsync(second);
        cell = restarted.GrainFactory.GetGrain<ICellGrain>("arbin-1");
        var resumeAfter = (await cell.GetStateAsync().Within("state after restart")).LastAppliedSequence["file:arbin_example"];
        Assert.Equal(20UL * 64, resumeAfter);
        foreach (var batch in TwinFixture.Batches([.. Arbin.Where(s => s.Sequence > resumeAfter - 10)], "file:arbin_example", 64))
        {
            await cell.ApplyTelemetryAsync(batch).Within("a batch after the restart");
        }

        var state = await cell.GetStateAsync().Within("final state");
        Assert.Equal(Arbin.Count, state.AppliedSamples);
        Assert.Equal(reference.Cycles, await cell.GetCyclesAsync().Within("cycles"));
        Assert.Equal(Json(reference.State with { AppliedSamples = 0, DuplicateSamples = 0 }), Json(state with { AppliedSamples = 0, DuplicateSamples = 0 }));
        Assert.Equal(10, state.DuplicateSamples);
    }

    [Fact]
    public async Task Telemetry_for_an_unregistered_cell_is_held_reported_and_applied_on_registration()
    {
        await using var host = await TwinFixture.StartAsync(new InMemoryGrainStore());
        var cell = host.GrainFactory.GetGrain<ICellGrain>("late");
        var ack = await cell.ApplyTelemetryAsync(new TelemetryBatch("s", [.. Arbin.Take(300)])).Within("telemetry before registration");
        Assert.Equal(TelemetryDisposition.Held, ack.Disposition);
        Assert.Equal(300, ack.Held);
        Assert.Contains("not registered", ack.Reason, StringComparison.Ordinal);

        var before = await cell.GetStateAsync().Within("state of an unregistered cell");
        Assert.Equal(CellStatus.Unregistered, before.Status);
        Assert.Equal(300, before.HeldSamples);
        Assert.Contains(before.ActiveAlerts, a => a.RuleId == "telemetry-held" && a.Reason.Contains("300", StringComparison.Ordinal));

        var registered = await cell.RegisterAsync(TwinFixture.Registration(TwinFixture.ArbinCell())).Within("registration");
        Assert.Equal(300, registered.HeldSamplesApplied);
        var after = await cell.GetStateAsync().Within("state after registration");
        Assert.Equal(0, after.HeldSamples);
        Assert.Equal(300UL, after.LastAppliedSequence["s"]);
        Assert.DoesNotContain(after.ActiveAlerts, a => a.RuleId == "telemetry-held");
    }

    [Fact]
    public async Task A_bad_design_is_refused_with_every_reason_and_nothing_is_registered()
    {
        await using var host = await TwinFixture.StartAsync(new InMemoryGrainStore());
        var cell = host.GrainFactory.GetGrain<ICellGrain>("bad");
        var bad = TwinFixture.ArbinCell("Unknown2099") with { NominalCapacityAh = -1 };
        var result = await cell.RegisterAsync(TwinFixture.Registration(bad)).Within("refusal");
        Assert.False(result.Accepted);
        Assert.Equal(2, result.Problems.Count);
        Assert.Contains("unknown parameter set 'Unknown2099'", result.Problems[0], StringComparison.Ordinal);
        Assert.Equal(CellStatus.Unregistered, (await cell.GetStateAsync().Within("state")).Status);
    }

    internal static async Task<(CellSnapshot State, IReadOnlyList<Estimation.Cycles.CycleRecord> Cycles)> RunAsync(IGrainStore store, int batchSize, DigitalTwin.Twin.Solvers.SolverSet? solvers = null)
    {
        await using var host = await TwinFixture.StartAsync(store, solvers);
        var cell = host.GrainFactory.GetGrain<ICellGrain>("arbin-1");
        await cell.RegisterAsync(TwinFixture.Registration(TwinFixture.ArbinCell())).Within("registration");
        foreach (var batch in TwinFixture.Batches(Arbin, "file:arbin_example", batchSize))
        {
            await cell.ApplyTelemetryAsync(batch).Within("a batch");
        }

        return (await cell.GetStateAsync().Within("state"), await cell.GetCyclesAsync().Within("cycles"));
    }

    internal static string Json(CellSnapshot snapshot) => JsonSerializer.Serialize(snapshot, GrainHostOptions.DefaultSerializerOptions);
}
