// The Twin service on a real loopback host: register, replay a real Arbin file through ApplyTelemetry, read cycles,
// state, forecast and alerts; refusals for missing keys, bad designs and malformed batches.
using DigitalTwin.Contracts.Twin.V1;
using DigitalTwin.Estimation.Tests;
using DigitalTwin.Grains.Testing;
using DigitalTwin.Rpc;
using DigitalTwin.Services.Twin;
using DigitalTwin.Testing;
using DigitalTwin.Twin.Mapping;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Common = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Twin.Tests;

public sealed class TwinServiceTests : IAsyncLifetime
{
    private static readonly CallOptions WithKey = new(Headers: [new Metadata.Entry("x-api-key", "test-key")]);
    private WebApplication? _app;
    private RpcChannel? _channel;

    private TwinServiceClient Client => new(_channel!);

    public async Task InitializeAsync()
    {
        var db = Path.Combine(Directory.CreateTempSubdirectory("dt-twin-svc-").FullName, "twin.db");
        _app = await TwinHost.BuildAsync(["--Rpc:Port=0", "--Rpc:MinimumLogLevel=Warning", $"--Twin:StorageConnectionString={db}", "--Twin:ApiKeys=test-key,other"]).Within("the twin host to build");
        await _app.StartAsync().Within("the twin host to start");
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _channel = RpcChannel.ForAddress(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        await _app!.StopAsync().Within("the twin host to stop");
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_real_arbin_file_replayed_through_the_service_gives_the_files_capacities()
    {
        var design = ContractMapping.ToContract(TwinFixture.ArbinCell());
        var registered = await Client.RegisterCellAsync(new RegisterCellRequest { CellId = "arbin-1", LotId = "lot-a", Design = design }, WithKey).ResponseAsync.Within("registration");
        Assert.False(registered.AlreadyRegistered);

        var samples = ArbinCsv.Read(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
        foreach (var chunk in samples.Chunk(250))
        {
            var batch = new Common.SampleBatch { CellId = "arbin-1", SourceId = "file:arbin_example" };
            batch.Sequence.AddRange(chunk.Select(s => s.Sequence));
            batch.TimeUnixNs.AddRange(chunk.Select(s => s.TimeUnixNs));
            batch.TestTime.AddRange(chunk.Select(s => s.TestTime));
            batch.CycleIndex.AddRange(chunk.Select(s => (uint)s.Cycle));
            batch.StepIndex.AddRange(chunk.Select(s => (uint)s.Step));
            batch.Current.AddRange(chunk.Select(s => s.Current));
            batch.Voltage.AddRange(chunk.Select(s => s.Voltage));
            batch.TemperatureDegc.AddRange(chunk.Select(s => s.TemperatureC));
            batch.ChargeCapacityAh.AddRange(chunk.Select(s => s.ChargeCapacityAh));
            batch.DischargeCapacityAh.AddRange(chunk.Select(s => s.DischargeCapacityAh));
            var ack = await Client.ApplyTelemetryAsync(new ApplyTelemetryRequest { Batch = batch }, WithKey).ResponseAsync.Within("a batch applied");
            Assert.Equal(chunk[^1].Sequence, ack.LastAppliedSequence);
        }

        var cycles = (await Client.ListCellCyclesAsync(new ListCellCyclesRequest { CellId = "arbin-1" }).ResponseAsync.Within("the cycle table")).Cycles;
        // Expected: the file's own counters, maximum per cycle (Charge_Capacity / Discharge_Capacity).
        var expected = samples.GroupBy(s => s.Cycle).Select(g => (g.Max(s => s.ChargeCapacityAh), g.Max(s => s.DischargeCapacityAh))).ToList();
        Assert.Equal(expected, cycles.Select(c => (c.Measured.ChargeCapacityAh, c.Measured.DischargeCapacityAh)));

        var state = (await Client.GetCellStateAsync(new GetCellStateRequest { CellId = "arbin-1" }).ResponseAsync.Within("the cell state")).State;
        Assert.Equal(Contracts.Twin.V1.CellStatus.Live, state.Status);
        Assert.Equal((ulong)samples.Count, state.LastAppliedSequence["file:arbin_example"]);
        var list = await Client.ListCellsAsync(new ListCellsRequest { LotId = "lot-a" }).ResponseAsync.Within("the fleet list");
        Assert.Equal("arbin-1", Assert.Single(list.Cells).CellId);
        var forecast = await Client.GetForecastAsync(new GetForecastRequest { CellId = "arbin-1" }).ResponseAsync.Within("the forecast");
        Assert.StartsWith("insufficient data", forecast.Forecast.Method, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_without_a_key_bad_designs_and_malformed_batches_are_refused_with_reasons()
    {
        var noKey = await Assert.ThrowsAsync<RpcException>(() => Client.RegisterCellAsync(new RegisterCellRequest { CellId = "x", Design = new Common.CellDesign() }).ResponseAsync.Within("refusal without a key"));
        Assert.Equal(StatusCode.Unauthenticated, noKey.StatusCode);

        var design = ContractMapping.ToContract(TwinFixture.ArbinCell("NoSuchSet") with { NominalCapacityAh = 0 });
        var bad = await Assert.ThrowsAsync<RpcException>(() => Client.RegisterCellAsync(new RegisterCellRequest { CellId = "x", Design = design }, WithKey).ResponseAsync.Within("refusal of a bad design"));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("unknown parameter set 'NoSuchSet'", bad.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("nominal_capacity_ah: must be positive", bad.Status.Detail, StringComparison.Ordinal);

        var batch = new Common.SampleBatch { CellId = "x", SourceId = "s", Sequence = { 1, 2 }, TestTime = { 0 }, Current = { 1, 1 } };
        var malformed = await Assert.ThrowsAsync<RpcException>(() => Client.ApplyTelemetryAsync(new ApplyTelemetryRequest { Batch = batch }, WithKey).ResponseAsync.Within("refusal of a malformed batch"));
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.Contains("test_time: 1 values for 2 sequence numbers", malformed.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("voltage: 0 values for 2 sequence numbers", malformed.Status.Detail, StringComparison.Ordinal);
    }
}
