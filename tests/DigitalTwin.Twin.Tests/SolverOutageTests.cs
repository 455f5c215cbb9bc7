// Solver calls over gRPC on loopback: retries ride out short outages, a long outage defers telemetry without corrupting
// the cell, and the final state equals a run that never saw an outage.
using System.Net;
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Estimation.Tests;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;
using DigitalTwin.Rpc;
using DigitalTwin.Testing;
using DigitalTwin.Twin.Solvers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Twin.Tests;

public sealed class SolverOutageTests : IAsyncLifetime
{
    private static readonly SolverCallPolicy FastRetries = new(TimeSpan.FromSeconds(5), 3, TimeSpan.FromMilliseconds(1));
    private readonly FakeElectrochemService _service = new();
    private WebApplication? _app;
    private RpcChannel? _channel;

    public async Task InitializeAsync()
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
        _app = builder.Build();
        _app.MapRpcService(ElectrochemServiceBase.Bind(_service));
        await _app.StartAsync().Within("the fake Electrochem service to start");
        _channel = RpcChannel.ForAddress($"http://127.0.0.1:{endpoint!.IPEndPoint!.Port}");
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        await _app!.StopAsync().Within("the fake service to stop");
        await _app.DisposeAsync();
    }

    private SolverSet Solvers => new(new RpcElectrochemSolver(new ElectrochemServiceClient(_channel!), FastRetries, TimeProvider.System), null, null);

    [Fact]
    public async Task A_short_outage_is_retried_and_never_seen_by_the_cell()
    {
        var solver = Solvers.Electrochem!;
        _service.FailNext(2);
        var sets = await solver.ListParameterSetsAsync(default).Within("the catalog after two failed attempts");
        Assert.Equal(["Chen2020", "Marquis2019"], sets);
        Assert.Equal(3, _service.Calls);
    }

    [Fact]
    public async Task An_unreachable_solver_fails_after_its_attempts_with_the_reason()
    {
        using var nowhere = RpcChannel.ForAddress($"http://127.0.0.1:{FreePort()}");
        var solver = new RpcElectrochemSolver(new ElectrochemServiceClient(nowhere), FastRetries, TimeProvider.System);
        var error = await Assert.ThrowsAsync<SolverUnavailableException>(() => solver.AdvanceAsync(new AdvanceRequest(), default).Within("the give-up"));
        Assert.Equal(3, error.Attempts);
        Assert.Equal("Electrochem", error.Solver);
    }

    [Fact]
    public async Task A_long_outage_defers_telemetry_and_the_final_state_equals_an_uninterrupted_run()
    {
        var reference = await ReplayTests.RunAsync(new InMemoryGrainStore(), 100, Solvers);
        Assert.True(double.IsFinite(reference.State.ModelVoltage), "the fake solver's voltage reached the cell");

        await using var host = await TwinFixture.StartAsync(new InMemoryGrainStore(), Solvers);
        var cell = host.GrainFactory.GetGrain<ICellGrain>("arbin-1");
        await cell.RegisterAsync(TwinFixture.Registration(TwinFixture.ArbinCell())).Within("registration");
        var samples = ArbinCsv.Read(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
        var deferred = 0;
        var batches = TwinFixture.Batches(samples, "file:arbin_example", 100).ToList();
        for (var i = 0; i < batches.Count; i++)
        {
            if (i == 5)
            {
                _service.FailNext(7);
            }

            // The source re-sends a batch until the cell applies it (the cell's acknowledgement says where it stands).
            while (true)
            {
                var ack = await cell.ApplyTelemetryAsync(batches[i]).Within("a batch");
                if (ack.Disposition == TelemetryDisposition.Applied)
                {
                    break;
                }

                Assert.Equal(TelemetryDisposition.Deferred, ack.Disposition);
                Assert.Equal((ulong)(i * 100), ack.LastAppliedSequence);
                Assert.Contains("Electrochem.Advance failed after 3 attempt(s)", ack.Reason, StringComparison.Ordinal);
                deferred++;
            }
        }

        Assert.Equal(2, deferred);
        var state = await cell.GetStateAsync().Within("final state");
        Assert.Equal(ReplayTests.Json(reference.State), ReplayTests.Json(state));
        Assert.DoesNotContain(state.ActiveAlerts, a => a.RuleId == "solver-failing");
        var electrode = await host.GrainFactory.GetGrain<IElectrodeGrain>("arbin-1/positive").GetStateAsync().Within("positive electrode");
        Assert.Single(electrode.Particles);
        // Uniform fake profile: average and surface stoichiometry equal 0.9 − 0.6·SOC (the fake's positive electrode line).
        Assert.Equal(0.9 - (0.6 * state.Soc), electrode.Particles[0].AverageStoichiometry, 9);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
