// The Mechanics service on a real loopback Kestrel host, called through MechanicsServiceClient: stresses from a
// profile, a batched particle update across a half cycle, per-item diagnostics, and the grain mismatch estimate.
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Rpc.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Services.Mechanics.Tests;

public sealed class MechanicsServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string ProbeMessage = "log-capture probe";
    private readonly LogCapture _logs = new();
    private WebApplication? _app;
    private RpcChannel? _channel;

    private MechanicsServiceClient Client => new(_channel ?? throw new InvalidOperationException("The host did not start."));

    public async Task InitializeAsync()
    {
        // The service's own host set-up (shared solver host) on a free loopback port.
        _app = SolverHost.Create([], options =>
        {
            options.ServiceName = "mechanics-test";
            options.Port = 0;
            options.MinimumLogLevel = LogLevel.Warning;
        }, services => services.AddSingleton<ILoggerProvider>(_logs));
        _app.MapRpcService(MechanicsServiceBase.Bind(new MechanicsService()));
        await _app.StartAsync().WaitAsync(Timeout);
        _channel = RpcChannel.ForAddress(_app.GetRpcAddresses()[0].ToString().TrimEnd('/'));
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(Timeout);
            await _app.DisposeAsync();
        }

        // STYLE §11: a functional test fails on any Error or Critical line it did not expect (none are expected here).
        var errors = _logs.UnexpectedErrors(ProbeMessage);
        Assert.True(errors.Count == 0, $"unexpected error log lines: {string.Join(" | ", errors.Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Exception?.Message}"))}");
    }

    private static ParticleProfile Profile(ElectrodeRole electrode, double radius, Func<double, double> concentration, double time = 0)
    {
        var p = new ParticleProfile { Particle = new ParticleClassRef { Electrode = electrode, ClassId = "d50" }, ParticleRadius = radius, Time = time };
        for (var i = 0; i < 30; i++)
        {
            var r = radius * i / 29;
            p.Radius.Add(r);
            p.Concentration.Add(concentration(r / radius));
        }

        return p;
    }

    [Fact]
    public async Task StressOfAParabolicProfileMatchesThePyBaMMSurfaceFormula()
    {
        // Ai2020 positive (LCO): σ_t(R) = Ω E (c̄ − c_s)/(3(1−ν)); c = 20000 + 3000 ρ² has c̄ − c_s = 3000 (3/5 − 1).
        var request = new ComputeStressRequest
        {
            Settings = new MechanicsSettings { Parameters = new ParameterSetRef { Name = "Ai2020" } },
            IncludeProfiles = true,
            Profiles = { Profile(ElectrodeRole.Positive, 3e-6, rho => 20000 + 3000 * rho * rho) },
        };
        var response = await Client.ComputeStressAsync(request).ResponseAsync.WaitAsync(Timeout);
        var result = Assert.Single(response.Results);
        Assert.Empty(result.Diagnostics);
        var expected = -7.28e-7 * 3.75e11 * (3000 * (0.6 - 1)) / (3 * 0.8);
        Assert.Equal(expected, result.SurfaceHoopStress, Math.Abs(expected) * 1e-9);
        Assert.Equal(30, result.HoopStress.Count);
        Assert.Equal(0, result.RadialStress[^1], Math.Abs(expected) * 1e-9);
    }

    [Fact]
    public async Task BadItemsCarryDiagnosticsWhileTheOthersProceed()
    {
        var request = new ComputeStressRequest
        {
            Settings = new MechanicsSettings { Parameters = new ParameterSetRef { Name = "Ai2020" } },
            Profiles =
            {
                Profile(ElectrodeRole.Negative, 5e-6, rho => rho < 0.5 ? -10 : 30000),
                Profile(ElectrodeRole.Negative, 5e-6, _ => 20000),
                Profile(ElectrodeRole.Unspecified, 5e-6, _ => 20000),
            },
        };
        var response = await Client.ComputeStressAsync(request).ResponseAsync.WaitAsync(Timeout);
        // Profile 1: 15 nodes negative and 15 above c_max (28700): every one named.
        Assert.Equal(30, response.Results[0].Diagnostics.Count);
        Assert.All(response.Results[0].Diagnostics, d => Assert.Equal(Severity.Error, d.Severity));
        Assert.Empty(response.Results[1].Diagnostics);
        Assert.Equal(0, response.Results[1].MaxVonMisesStress, 1e-3);
        Assert.Contains("NEGATIVE or POSITIVE", Assert.Single(response.Results[2].Diagnostics).Message);
    }

    [Fact]
    public async Task ParticleUpdateCarriesInterfaceAndStrengthStateAcrossAHalfCycle()
    {
        // NMC811 in a solid electrolyte (seed 003 lattice strain, seed 001 interface parameters given in the request).
        var settings = new MechanicsSettings
        {
            Parameters = new ParameterSetRef { Name = "NMC811_seed003" },
            Environment = ElectrolyteKind.Solid,
            Matrix = new Matrix { Kind = MatrixKind.Infinite, YoungsModulus = 1.5e11, PoissonRatio = 0.26 },
            CohesiveLaw = new CohesiveLaw { Strength = 1e8, FractureEnergy = 1 },
        };
        const double cmax = 51765;
        ParticleMechanicsState? state = null;
        ParticleResult? last = null;
        for (var k = 0; k <= 20; k++)
        {
            var x = 0.95 - 0.7 * k / 20;
            var item = new ParticleUpdate
            {
                Key = "cell-1/positive/d50",
                Profile = Profile(ElectrodeRole.Positive, 6e-6, rho => cmax * (x - 0.01 * (rho * rho - 0.6)), time: 540 * k),
                State = state,
                CompletedHalfCycle = k == 20 ? HalfCycle.Charge : HalfCycle.Unspecified,
            };
            var response = await Client.UpdateParticlesAsync(new UpdateParticlesRequest { Settings = settings, Items = { item } }).ResponseAsync.WaitAsync(Timeout);
            last = Assert.Single(response.Results);
            Assert.Empty(last.Diagnostics);
            state = last.State;
        }

        // Charging shrinks the particle: the interface opens past δf = 20 nm and fully debonds (Gc dissipated).
        Assert.True(last!.Interface.Gap > 20e-9, $"gap {last.Interface.Gap}");
        Assert.Equal(1.0, last.Interface.State.DissipatedEnergy, 1e-9);
        Assert.True(last.Interface.InterfaceResistance > 1e-4);
        // The half-cycle strength step ran: seed-000 solid law, first charge ≈ 93 MPa (docs/mechanics.md §5), ±15 MPa.
        Assert.NotNull(last.Strength);
        Assert.Equal(1u, last.Strength.State.HalfCycles);
        Assert.Equal(93e6, last.Strength.State.Strength, 15e6);
    }

    [Fact]
    public async Task GrainMismatchFollowsTheLatticeCurves()
    {
        var response = await Client.ComputeGrainMismatchAsync(new ComputeGrainMismatchRequest
        {
            Parameters = new ParameterSetRef { Name = "NMC811_seed003" },
            LithiumFraction = { 1.0, 0.45, 0.0 },
            GrainSize = 5e-7,
        }).ResponseAsync.WaitAsync(Timeout);
        // Reference state x = 1: no strain, no mismatch; x = 0: 7.8 % volume loss (seed 003).
        Assert.Equal(0, response.MismatchStress[0], 1e-3);
        Assert.Equal(-0.072, response.VolumetricStrain[2], 0.002);
        Assert.True(response.MismatchStress[1] > 1e9);
        Assert.Contains("Eshelby", response.Model);
    }

    [Fact]
    public async Task AnUnknownParameterSetIsNamed()
    {
        var response = await Client.ComputeStressAsync(new ComputeStressRequest
        {
            Settings = new MechanicsSettings { Parameters = new ParameterSetRef { Name = "Nope2000" } },
            Profiles = { Profile(ElectrodeRole.Negative, 5e-6, _ => 100) },
        }).ResponseAsync.WaitAsync(Timeout);
        Assert.Contains("no set named 'Nope2000'", Assert.Single(response.Results[0].Diagnostics).Message);
    }

    [Fact]
    public void TheHostsErrorLinesAreCaptured()
    {
        // The check in DisposeAsync is only as good as the capture: an error logged through the host's own logger
        // factory must arrive (this probe line is the one error the check expects).
        var factory = _app!.Services.GetRequiredService<ILoggerFactory>();
        factory.CreateLogger("DigitalTwin.Services.Mechanics").LogError(ProbeMessage);
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Error && e.Message == ProbeMessage);
    }
}
