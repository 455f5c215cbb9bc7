// The cell grain against the real Electrochem service (issue 3) over gRPC on loopback: a real Arbin segment advances
// the service's SPMe, the model voltage and residual reach the cell, and particle profiles reach the electrode grains.
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Estimation.Tests;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Services.Electrochem;
using DigitalTwin.Testing;
using DigitalTwin.Twin.Solvers;
using Microsoft.AspNetCore.Builder;

namespace DigitalTwin.Twin.Tests;

public sealed class ElectrochemIntegrationTests : IAsyncLifetime
{
    private WebApplication? _app;
    private RpcChannel? _channel;

    public async Task InitializeAsync()
    {
        _app = ElectrochemHost.Create(["--Rpc:Port=0", "--Rpc:MinimumLogLevel=Warning"]);
        await _app.StartAsync().Within("the Electrochem service to start");
        _channel = RpcChannel.ForAddress(_app.GetRpcAddresses()[0].ToString().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        await _app!.StopAsync().Within("the Electrochem service to stop");
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_real_segment_advances_the_services_model_and_reaches_cell_and_electrodes()
    {
        var solvers = new SolverSet(new RpcElectrochemSolver(new ElectrochemServiceClient(_channel!), SolverCallPolicy.Default, TimeProvider.System), null, null);
        await using var host = await TwinFixture.StartAsync(new InMemoryGrainStore(), solvers);
        var cell = host.GrainFactory.GetGrain<ICellGrain>("e2e-1");
        var registered = await cell.RegisterAsync(TwinFixture.Registration(TwinFixture.ArbinCell("Chen2020"))).Within("registration against the service's catalog");
        Assert.True(registered.Accepted, string.Join("; ", registered.Problems));

        // The first 400 samples of arbin_example.csv (a CC charge from 0.88 A.h into cycle 1), in batches of 100.
        var samples = ArbinCsv.Read(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv")).Take(400).ToList();
        foreach (var batch in TwinFixture.Batches(samples, "file:arbin_example", 100))
        {
            var ack = await cell.ApplyTelemetryAsync(batch).Within("a batch advanced by the Electrochem service");
            Assert.True(ack.Disposition == TelemetryDisposition.Applied, ack.Reason);
        }

        var state = await cell.GetStateAsync().Within("the cell state");
        Assert.Equal(400, state.AppliedSamples);
        Assert.True(double.IsFinite(state.ModelVoltage) && state.ModelVoltage is > 2.5 and < 4.4, $"model voltage {state.ModelVoltage} V inside the Chen2020 window");
        Assert.True(double.IsFinite(state.VoltageResidualRms), "a model-vs-measured residual is reported");
        var electrode = await host.GrainFactory.GetGrain<IElectrodeGrain>("e2e-1/positive").GetStateAsync().Within("the positive electrode");
        var particle = Assert.Single(electrode.Particles);
        Assert.InRange(particle.AverageStoichiometry, 0, 1);
        Assert.InRange(particle.SurfaceStoichiometry, 0, 1);
    }
}
