// Issue 8's crash proof: the Twin host, a separate process consuming Ingest's log, is killed with SIGKILL mid-replay
// and restarted; its final state equals a twin that ran uninterrupted on the same log, and every sample was applied
// exactly once (the persisted applied count equals the file's rows).
using System.Text.Json;
using DigitalTwin.Contracts.Twin.V1;
using DigitalTwin.Estimation.Tests;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Grains;
using DigitalTwin.Grains.Testing;
using DigitalTwin.Rpc;
using DigitalTwin.Services.Twin;
using DigitalTwin.Testing;
using DigitalTwin.Twin.Mapping;
using Xunit.Abstractions;
using Common = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Twin.Tests;

public sealed class CrashTests(ITestOutputHelper output)
{
    private const string Cell = "arbin-crash";
    private const string Source = "bridge-1/ch1";

    [Fact]
    public async Task A_twin_killed_mid_replay_and_restarted_ends_equal_to_an_uninterrupted_twin_with_every_sample_applied_once()
    {
        var file = ArbinCsv.Read(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
        await using var fleet = await FleetFixture.StartAsync();
        var referenceDb = Path.Combine(fleet.Directory, "reference.db");
        var crashDb = Path.Combine(fleet.Directory, "crash.db");
        string[] KeyArg() => [$"--Twin:ApiKeys={EndToEndTests.TwinKey}"];

        // The uninterrupted twin runs in process on the same log.
        var reference = await TwinHost.BuildAsync([.. fleet.TwinArgs(referenceDb, series: false), .. KeyArg()]);
        await reference.StartAsync().Within("the reference twin to start");
        try
        {
            using var referenceChannel = RpcChannel.ForAddress(EndToEndTests.TwinAddress(reference));
            var referenceTwin = new TwinServiceClient(referenceChannel);
            await RegisterAsync(referenceTwin);

            string[] crashArgs = [.. fleet.TwinArgs(crashDb, series: false), .. KeyArg()];
            ulong killedAt;
            using (var first = await TwinProcess.StartAsync(crashArgs))
            {
                using var channel = RpcChannel.ForAddress(first.Address);
                var twin = new TwinServiceClient(channel);
                await RegisterAsync(twin);

                // A cycler bridge replays the file into Ingest in batches of 20 while the twin follows the log.
                var streaming = fleet.StreamAsync(Cell, Source, file, 20, TimeSpan.FromMilliseconds(10));
                var state = await EndToEndTests.WaitAppliedAsync(twin, Cell, Source, 400, TimeSpan.FromSeconds(60));
                first.KillHard();
                killedAt = state.LastAppliedSequence[Source];
                await streaming;
            }

            Assert.True(killedAt < (ulong)file.Count, $"the kill came after the replay ended ({killedAt} of {file.Count})");
            using var second = await TwinProcess.StartAsync(crashArgs);
            using var restartedChannel = RpcChannel.ForAddress(second.Address);
            var restarted = new TwinServiceClient(restartedChannel);
            var final = await EndToEndTests.WaitAppliedAsync(restarted, Cell, Source, (ulong)file.Count, TimeSpan.FromSeconds(90));
            var expected = await EndToEndTests.WaitAppliedAsync(referenceTwin, Cell, Source, (ulong)file.Count, TimeSpan.FromSeconds(90));
            output.WriteLine($"killed after sample {killedAt} of {file.Count}; after the restart: SOC {final.Soc:0.0000}, SOH {final.Soh:0.0000}, model {final.ModelVoltage:0.0000} V");

            // Same cell state, cycle table and electrode/particle/binder states as the uninterrupted twin: every field
            // equal, numbers to 1e-12 relative (see SameNumber; model voltages from the shared Electrochem service were seen to differ in
            // their last bit, 2.6e-16 relative, between the two twins; the cause is not isolated).
            AssertSame(expected.ToString(), final.ToString());
            AssertSame((await CyclesAsync(referenceTwin)).ToString(), (await CyclesAsync(restarted)).ToString());

            foreach (var role in new[] { Common.ElectrodeRole.Positive, Common.ElectrodeRole.Negative })
            {
                AssertSame(await ElectrodeAsync(referenceTwin, role), await ElectrodeAsync(restarted, role));
            }

            // Exactly once: the persisted count of applied samples equals the file's rows in both twins. Under write-behind
            // (the host's default) the state is durable within Twin:WriteBehindPeriod (5 s): wait for the store, then kill.
            await DurableAsync(crashDb, file.Count);
            await DurableAsync(referenceDb, file.Count);
            second.KillHard();
            Assert.Equal(file.Count, await AppliedAsync(crashDb));
            Assert.Equal(file.Count, await AppliedAsync(referenceDb));
        }
        finally
        {
            await reference.StopAsync().Within("the reference twin to stop");
            await reference.DisposeAsync();
        }
    }

    private static async Task RegisterAsync(TwinServiceClient twin)
    {
        var arbin = TwinFixture.ArbinCell("Ai2020");
        var design = arbin with
        {
            Positive = arbin.Positive with { BinderMaterial = "KazemGhamsari2025_PVdF" },
            Negative = arbin.Negative! with { BinderMaterial = "KazemGhamsari2025_PVdF" },
        };
        await twin.RegisterCellAsync(new RegisterCellRequest { CellId = Cell, LotId = "lot-crash", Design = ContractMapping.ToContract(design) }, EndToEndTests.TwinWrite).ResponseAsync.Within("registration");
    }

    private static async Task<ListCellCyclesResponse> CyclesAsync(TwinServiceClient twin) =>
        await twin.ListCellCyclesAsync(new ListCellCyclesRequest { CellId = Cell }).ResponseAsync.Within("cycles");

    private static void AssertSame(string expected, string actual)
    {
        using var e = JsonDocument.Parse(expected);
        using var a = JsonDocument.Parse(actual);
        Same(e.RootElement, a.RootElement, "$");
    }

    private static void Same(JsonElement e, JsonElement a, string path)
    {
        Assert.True(e.ValueKind == a.ValueKind, $"{path}: {e} vs {a}");
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                // Protobuf JSON omits fields equal to zero: a field on one side only is compared with 0 on the other.
                var names = e.EnumerateObject().Select(p => p.Name).Union(a.EnumerateObject().Select(p => p.Name));
                foreach (var name in names)
                {
                    var (inE, inA) = (e.TryGetProperty(name, out var x), a.TryGetProperty(name, out var y));
                    if (inE && inA)
                    {
                        Same(x, y, $"{path}.{name}");
                    }
                    else
                    {
                        var present = inE ? x : y;
                        Assert.True(present.ValueKind == JsonValueKind.Number, $"{path}.{name}: only in the {(inE ? "uninterrupted" : "restarted")} twin: {present}");
                        SameNumber(inE ? present.GetDouble() : 0, inA ? present.GetDouble() : 0, $"{path}.{name}");
                    }
                }

                break;
            case JsonValueKind.Array:
                Assert.Equal(e.GetArrayLength(), a.GetArrayLength());
                foreach (var (x, y, i) in e.EnumerateArray().Zip(a.EnumerateArray()).Select((p, i) => (p.First, p.Second, i)))
                {
                    Same(x, y, $"{path}[{i}]");
                }

                break;
            case JsonValueKind.Number:
                SameNumber(e.GetDouble(), a.GetDouble(), path);
                break;
            default:
                Assert.Equal(e.ToString(), a.ToString());
                break;
        }
    }

    /// <summary>
    /// Equal to 1e-12 relative. Stresses, strengths and pressures [Pa] also pass within 1 mPa: a uniform particle profile
    /// whose concentrations differ in their last bit between the two twins gives a hoop stress of 0 in one and 7e-11 Pa in
    /// the other (seen 2026-11-22), and 1 mPa is still 1e-12 of the GPa scale of particle strengths.
    /// </summary>
    private static void SameNumber(double u, double v, string path)
    {
        var field = path[(path.LastIndexOf('.') + 1)..];
        var floor = field.EndsWith("Stress", StringComparison.Ordinal) || field.EndsWith("Strength", StringComparison.Ordinal) || field.EndsWith("Pressure", StringComparison.Ordinal) ? 1e-3 : 0;
        Assert.True(Math.Abs(u - v) <= (Math.Max(Math.Abs(u), Math.Abs(v)) * 1e-12) + floor, $"{path}: {u:R} vs {v:R}");
    }

    private static async Task<string> ElectrodeAsync(TwinServiceClient twin, Common.ElectrodeRole role) =>
        (await twin.GetElectrodeStateAsync(new GetElectrodeStateRequest { CellId = Cell, Electrode = role }).ResponseAsync.Within("an electrode")).ToString();

    /// <summary>Waits (at most 15 s, 3 flush periods) until the stored cell has at least <paramref name="count"/> samples applied.</summary>
    private static async Task DurableAsync(string database, long count)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (await AppliedAsync(database) < count && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }
    }

    private static async Task<long> AppliedAsync(string database)
    {
        await using var store = await TwinFixture.SqliteAsync(database);
        var stored = await store.ReadAsync(new GrainId(GrainId.TypeNameOf(typeof(ICellGrain)), Cell), default).Within("the stored cell state");
        Assert.NotNull(stored);
        return JsonDocument.Parse(stored.Json).RootElement.GetProperty("Applied").GetInt64();
    }
}
