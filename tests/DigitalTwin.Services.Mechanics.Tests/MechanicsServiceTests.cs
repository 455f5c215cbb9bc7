// The Mechanics service on a real loopback Kestrel host, called through MechanicsServiceClient: stresses from a
// profile, batched interface, strength and particle updates across half cycles, per-item diagnostics, the grain mismatch.
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Services.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Services.Mechanics.Tests;

public sealed class MechanicsServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = LoopbackSolverHost.Timeout;
    private const string ProbeMessage = LoopbackSolverHost.ProbeMessage;
    private LoopbackSolverHost? _host;

    private LoopbackSolverHost Host => _host ?? throw new InvalidOperationException("The host did not start.");

    private MechanicsServiceClient Client => new(Host.Channel);

    public async Task InitializeAsync() =>
        _host = await LoopbackSolverHost.StartAsync("mechanics-test", app => app.MapRpcService(MechanicsServiceBase.Bind(new MechanicsService())));

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
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
    public async Task UpdateStrengthFollowsTheSeed000LiquidSequenceForABatchOfClasses()
    {
        // Two classes in one call, each half cycle at its own peak stress: the set's reference driving stress (the
        // seed-000 protocol) and half of it. docs/mechanics.md §5 (seed 000 §1): 220 → 50.0 (1st charge) → 100.0
        // (1st discharge) → 90.0 MPa after 10 cycles at the reference; ±5 MPa as in the library's StrengthTests.
        var set = Physics.Mechanics.ParameterSets.MechanicsParameterSet.Load("NMC811_seed003");
        var electrode = set.Electrodes.First(e => e.Seed000Strength).Electrode;
        var reference = set.CreateClass(electrode, nodes: 2).StrengthLaw!.ReferenceDrivingStress;
        var settings = new MechanicsSettings { Parameters = new ParameterSetRef { Name = "NMC811_seed003" }, Environment = ElectrolyteKind.Liquid };
        var states = new StrengthState?[2];
        var strength = new double[2][];
        strength[0] = new double[21];
        strength[1] = new double[21];
        for (var h = 0; h <= 20; h++)
        {
            var request = new UpdateStrengthRequest { Settings = settings };
            for (var k = 0; k < 2; k++)
            {
                var state = states[k]?.Clone() ?? new StrengthState();
                state.PeakTensileStress = reference / (k + 1);
                request.Items.Add(new StrengthUpdate
                {
                    Key = $"cell-1/positive/{k}",
                    State = state,
                    HalfCycle = h == 0 ? HalfCycle.Unspecified : h % 2 == 1 ? HalfCycle.Charge : HalfCycle.Discharge,
                });
            }

            var response = await Client.UpdateStrengthAsync(request).ResponseAsync.WaitAsync(Timeout);
            for (var k = 0; k < 2; k++)
            {
                var result = response.Results[k];
                Assert.Equal($"cell-1/positive/{k}", result.Key);
                Assert.Empty(result.Diagnostics);
                states[k] = result.State;
                strength[k][h] = result.State.Strength;
            }
        }

        Assert.Equal(220e6, strength[0][0], 1);
        Assert.Equal(50e6, strength[0][1], 5e6);
        Assert.Equal(100e6, strength[0][2], 5e6);
        Assert.Equal(90e6, strength[0][20], 5e6);
        Assert.Equal(20u, states[0]!.HalfCycles);
        // The gentler class loses less strength after every half cycle (formation and cyclic damage grow with σ²).
        for (var h = 1; h <= 20; h++)
        {
            Assert.True(strength[1][h] > strength[0][h], $"half cycle {h}: {strength[1][h]:E3} vs {strength[0][h]:E3} Pa");
        }
    }

    [Fact]
    public async Task UpdateInterfaceCarriesIrreversibleDamageAcrossCallsAndMatchesTheParticleUpdate()
    {
        // NMC811 in a stiff solid electrolyte, shrinking on charge (x 0.95 → 0.25): the interface opens, damage never
        // heals, and a fully debonded interface has dissipated Gc = 1 J/m2 (bilinear law, exact). The same profiles
        // through UpdateParticles must give the same interface (one library path behind both rpcs): 1e-9 relative.
        var settings = new MechanicsSettings
        {
            Parameters = new ParameterSetRef { Name = "NMC811_seed003" },
            Environment = ElectrolyteKind.Solid,
            Matrix = new Matrix { Kind = MatrixKind.Infinite, YoungsModulus = 1.5e11, PoissonRatio = 0.26 },
            CohesiveLaw = new CohesiveLaw { Strength = 1e8, FractureEnergy = 1 },
        };
        const double cmax = 51765;
        InterfaceState? state = null;
        ParticleMechanicsState? particleState = null;
        var damage = 0.0;
        InterfaceResult? last = null;
        for (var k = 0; k <= 20; k++)
        {
            var x = 0.95 - 0.7 * k / 20;
            var profile = Profile(ElectrodeRole.Positive, 6e-6, rho => cmax * (x - 0.01 * (rho * rho - 0.6)), time: 540 * k);
            var response = await Client.UpdateInterfaceAsync(new UpdateInterfaceRequest
            {
                Settings = settings,
                Items = { new InterfaceUpdate { Key = "cell-1/positive/d50", Profile = profile, State = state } },
            }).ResponseAsync.WaitAsync(Timeout);
            last = Assert.Single(response.Results);
            Assert.Empty(last.Diagnostics);
            Assert.True(last.State.Damage >= damage, $"step {k}: damage {last.State.Damage} fell below {damage}");
            Assert.True(last.Gap >= 0);
            damage = last.State.Damage;
            state = last.State;

            var particle = await Client.UpdateParticlesAsync(new UpdateParticlesRequest
            {
                Settings = settings,
                Items = { new ParticleUpdate { Key = "cell-1/positive/d50", Profile = profile, State = particleState } },
            }).ResponseAsync.WaitAsync(Timeout);
            var p = Assert.Single(particle.Results);
            particleState = p.State;
            Assert.Equal(p.Interface.Gap, last.Gap, 1e-9 * Math.Max(Math.Abs(last.Gap), 1e-12));
            Assert.Equal(p.Interface.State.Damage, last.State.Damage, 1e-9);
        }

        Assert.True(last!.Gap > 20e-9, $"gap {last.Gap}");
        Assert.Equal(1.0, last.State.Damage, 1e-12);
        Assert.Equal(1.0, last.State.DissipatedEnergy, 1e-9);
        Assert.True(last.InterfaceResistance > 1e-4);
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
        var factory = Host.Services.GetRequiredService<ILoggerFactory>();
        factory.CreateLogger("DigitalTwin.Services.Mechanics").LogError(ProbeMessage);
        Assert.Contains(Host.Logs.Entries, e => e.Level == LogLevel.Error && e.Message == ProbeMessage);
    }
}
