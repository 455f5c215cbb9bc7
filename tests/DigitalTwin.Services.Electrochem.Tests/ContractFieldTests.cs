// The Electrochem contract's request fields over loopback: output_variables become named extra columns,
// include_particle_profiles streams every particle's radial profile with every row, and options.design maps a cell
// design onto the model (size classes, thicknesses, window, capacity) or names the fields it cannot honour.
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;
using DigitalTwin.Rpc;
using DigitalTwin.Rpc.Tests.Support;
using Microsoft.Extensions.Logging;
using Contract = DigitalTwin.Contracts.Electrochem.V1;

namespace DigitalTwin.Services.Electrochem.Tests;

public sealed class ContractFieldTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>, IDisposable
{
    private readonly int _logStart = fixture.Logs.Entries.Count;

    /// <summary>STYLE §11: no Error or Critical log line may appear during these tests.</summary>
    public void Dispose()
    {
        var errors = fixture.Logs.Entries.Skip(_logStart).Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, $"unexpected error log lines: {string.Join(" | ", errors.Select(e => $"{e.Level} {e.Category}: {e.Message}"))}");
    }

    private static readonly Contract.ModelOptions SmallMesh = new() { NegativeElectrodePoints = 8, SeparatorPoints = 4, PositiveElectrodePoints = 8, ParticlePoints = 8 };

    private static async Task<List<SimulateResponse>> Collect(AsyncServerStreamingCall<SimulateResponse> call)
    {
        var list = new List<SimulateResponse>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("the next Simulate message", TimeSpan.FromSeconds(60)))
        {
            list.Add(call.ResponseStream.Current);
        }

        return list;
    }

    private static List<ResultChunk> Chunks(List<SimulateResponse> messages) =>
        messages.Where(m => m.EventCase == SimulateResponse.EventOneofCase.Chunk).Select(m => m.Chunk).ToList();

    [Fact]
    public async Task OutputVariablesArriveAsNamedColumns()
    {
        var options = SmallMesh.Clone();
        options.Submodels.Add("thermal", "lumped");
        string[] names = ["cell_temperature", "total_heating", "open_circuit_voltage", "discharge_capacity", "negative_particle_surface_concentration"];
        using var call = fixture.Client.Simulate(new SimulateRequest
        {
            Model = Contract.ModelKind.Dfn,
            Parameters = new ParameterSetRef { Name = "Marquis2019" },
            Options = options,
            Experiment = new Contract.Experiment { Steps = { "Discharge at 1C for 10 minutes" }, Period = 60 },
            OutputVariables = { names },
            ChunkRows = 4,
        });
        var messages = await Collect(call);
        var started = messages[0].Started;
        Assert.Equal(names, started.ExtraColumns.Select(c => c.Name));
        Assert.Equal("Cell temperature [K]", started.ExtraColumns[0].DisplayName);
        Assert.Equal(["K", "W", "V", "A.h", "mol.m-3"], started.ExtraColumns.Select(c => c.Unit));
        var chunks = Chunks(messages);
        Assert.True(chunks.Count > 1, "several chunks");
        Assert.All(chunks, c =>
        {
            Assert.Equal(names, c.Extra.Select(x => x.Name));
            Assert.All(c.Extra, x => Assert.Equal(c.Time.Count, x.Values.Count));
        });
        double[] Column(int k) => [.. chunks.SelectMany(c => c.Extra[k].Values)];
        var temperature = Column(0);
        var heat = Column(1);
        var ocv = Column(2);
        var capacity = Column(3);
        var surface = Column(4);
        var voltage = chunks.SelectMany(c => c.Voltage).ToArray();
        var negativeSurface = chunks.SelectMany(c => c.NegativeSurfaceStoichiometry).ToArray();
        // A lumped cell discharging at 1C warms from the set's 298.15 K and generates heat throughout.
        Assert.Equal(298.15, temperature[0], 9);
        Assert.True(temperature[^1] > temperature[0] + 0.1, $"temperature {temperature[0]} -> {temperature[^1]} K");
        Assert.All(heat.Skip(1), q => Assert.True(q > 0, $"heat {q} W"));
        Assert.All(ocv.Zip(voltage).Skip(1), p => Assert.True(p.First > p.Second, "the OCV lies above the discharge voltage"));
        // Discharge capacity is the trapezoid of the current over the rows: its last value is the summary's total.
        Assert.Equal(messages[^1].Summary.DischargeCapacityAh, capacity[^1], 9);
        Assert.Equal(0.680616 / 6, capacity[^1], 6); // 1C (0.680616 A, Marquis2019 nominal capacity) for 10 minutes
        // Surface concentration = surface stoichiometry x c_max,n (Marquis2019: 24983.26 mol/m3).
        Assert.All(surface.Zip(negativeSurface), p => Assert.Equal(p.Second * 24983.2619938437, p.First, 6));
    }

    [Fact]
    public async Task OutputVariablesNameEveryUnknownOrUnsupportedEntry()
    {
        using var call = fixture.Client.Simulate(new SimulateRequest
        {
            Model = Contract.ModelKind.Spm,
            Parameters = new ParameterSetRef { Name = "KazemGhamsari2025" },
            Experiment = new Contract.Experiment { Steps = { "Discharge at 1C for 1 minute" } },
            OutputVariables = { "cell_temperature", "Voltage [V]", "total_heating", "negative_particle_surface_concentration" },
        });
        var error = await Collect(call).RpcFailure("the INVALID_ARGUMENT status");
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("output_variables[1] 'Voltage [V]' is not an output variable", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("output_variables[2] 'total_heating' needs a DFN", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("output_variables[3] 'negative_particle_surface_concentration' needs a full cell", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("known: cell_temperature, open_circuit_voltage", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Contract.ModelKind.Spm, 1, 1)]
    [InlineData(Contract.ModelKind.Dfn, 8, 8)]
    public async Task ParticleProfilesAccompanyEveryRow(Contract.ModelKind kind, int negativeNodes, int positiveNodes)
    {
        using var call = fixture.Client.Simulate(new SimulateRequest
        {
            Model = kind,
            Parameters = new ParameterSetRef { Name = "Marquis2019" },
            Options = SmallMesh,
            Experiment = new Contract.Experiment { Steps = { "Discharge at 2C for 5 minutes" }, Period = 30 },
            IncludeParticleProfiles = true,
        });
        var chunks = Chunks(await Collect(call));
        var rows = 0;
        foreach (var chunk in chunks)
        {
            Assert.Equal(chunk.Time.Count * (negativeNodes + positiveNodes), chunk.ParticleProfiles.Count);
            for (var row = 0; row < chunk.Time.Count; row++, rows++)
            {
                var profiles = chunk.ParticleProfiles.Skip(row * (negativeNodes + positiveNodes)).Take(negativeNodes + positiveNodes).ToList();
                Assert.All(profiles, p =>
                {
                    Assert.Equal(chunk.Time[row], p.Time);
                    Assert.Equal(0, p.Radius[0]);
                    Assert.Equal(p.ParticleRadius, p.Radius[^1]);
                    Assert.Equal(SmallMesh.ParticlePoints + 2, (uint)p.Radius.Count); // centre, 8 volume centres, surface
                    Assert.True(p.Radius.Zip(p.Radius.Skip(1)).All(x => x.Second > x.First), "radii increase");
                    Assert.Equal("0", p.Particle.ClassId);
                });
                // The electrode-averaged surface stoichiometry of the row is the mean of its particles' surface values
                // (equal volume per node): what the mechanics receives is what the row reports.
                var positive = profiles.Where(p => p.Particle.Electrode == ElectrodeRole.Positive).ToList();
                Assert.Equal(positiveNodes, positive.Count);
                Assert.Equal(chunk.PositiveSurfaceStoichiometry[row], positive.Average(p => p.Concentration[^1] / p.MaxConcentration), 12);
                Assert.Equal(1 - 0.5 / positiveNodes, positive[0].ThroughThicknessPosition, 12); // node 0 is at the separator
            }
        }

        Assert.Equal(11, rows); // 0, 30, ..., 300 s
    }

    private static CellDesign TwoClassDesign() => new()
    {
        Configuration = CellConfiguration.FullCell,
        Format = CellFormat.Pouch,
        Chemistry = "LiCoO2 | graphite",
        NominalCapacityAh = 0.5,
        MinVoltage = 3.4,
        StackPressure = 1e5,
        Positive = new ElectrodeDesign
        {
            ActiveMaterial = "LiCoO2",
            Thickness = 8e-5,
            ParticleClasses =
            {
                new ParticleSizeClass { Id = "small", Radius = 3e-6, VolumeFraction = 0.4 },
                new ParticleSizeClass { Id = "large", Radius = 8e-6, VolumeFraction = 0.6 },
            },
        },
    };

    [Fact]
    public async Task CellDesignSetsSizeClassesGeometryWindowAndCapacity()
    {
        var options = SmallMesh.Clone();
        options.Design = TwoClassDesign();
        using var call = fixture.Client.Simulate(new SimulateRequest
        {
            Model = Contract.ModelKind.Dfn,
            Parameters = new ParameterSetRef { Name = "Marquis2019" },
            Options = options,
            Experiment = new Contract.Experiment { Steps = { "Discharge at 1C" }, Period = 120 },
            IncludeParticleProfiles = true,
        });
        var messages = await Collect(call);
        var chunks = Chunks(messages);
        var current = chunks.SelectMany(c => c.Current).ToList();
        var voltage = chunks.SelectMany(c => c.Voltage).ToList();
        // 1C is the design's 0.5 A.h, and the discharge ends at the design's 3.4 V (the set's cut-off is 3.105 V).
        Assert.All(current, i => Assert.Equal(-0.5, i, 9));
        Assert.Equal(3.4, voltage[^1], 5);
        var positive = chunks[^1].ParticleProfiles.Where(p => p.Particle.Electrode == ElectrodeRole.Positive).ToList();
        Assert.Equal(["small", "large"], positive.Take(2).Select(p => p.Particle.ClassId));
        Assert.Equal([3e-6, 8e-6], positive.Take(2).Select(p => p.ParticleRadius));

        // The same run through the library with the design written out as overrides and size classes: identical rows.
        var set = ParameterSets.Get("Marquis2019").With("design", new Dictionary<string, object>
        {
            ["Nominal cell capacity [A.h]"] = 0.5,
            ["Lower voltage cut-off [V]"] = 3.4,
            ["Positive electrode thickness [m]"] = 8e-5,
        });
        var model = ModelFactory.Create(set, new Physics.Electrochem.Models.ModelOptions
        {
            PointsNegative = 8,
            PointsSeparator = 4,
            PointsPositive = 8,
            PointsParticle = 8,
            CounterElectrode = "porous",
            PositiveSizes = [new SizeClass("small", 3e-6, 0.4), new SizeClass("large", 8e-6, 0.6)],
        });
        var direct = new ExperimentRunner { OutputPeriod = 120 }.Run(model, Physics.Electrochem.Experiments.Experiment.Parse("Discharge at 1C"));
        Assert.Equal(direct.Samples.Select(s => s.Voltage), voltage);

        // Labels are kept in the provenance; a field of another service is a named warning, not dropped silently.
        var provenance = messages[0].Started.Provenance;
        Assert.Equal("LiCoO2 | graphite", provenance.Attributes["design.chemistry"]);
        Assert.Equal("8E-05", provenance.Attributes["design: Positive electrode thickness [m]"]);
        Assert.Contains(provenance.Warnings, w => w.Field == "options.design.stack_pressure" && w.Severity == Severity.Warning);

        // The final state keeps the design: Advance reports the same class ids.
        var advanced = await fixture.Client.AdvanceAsync(new AdvanceRequest
        {
            State = messages[^1].Summary.FinalState,
            Time = { 10 },
            Current = { 0 },
            IncludeParticleProfiles = true,
        }).ResponseAsync.OrFail("Advance from the design's state");
        Assert.Equal(2 * 8, advanced.ParticleProfiles.Count(p => p.Particle.Electrode == ElectrodeRole.Positive));
        Assert.Contains(advanced.ParticleProfiles, p => p.Particle.ClassId == "large" && p.ParticleRadius == 8e-6);
    }

    [Fact]
    public async Task CellDesignFieldsTheModelCannotHonourAreRejectedTogether()
    {
        var design = TwoClassDesign();
        design.Electrolyte = ElectrolyteKind.Solid;
        design.Positive.Loading = 0.2;
        design.Positive.ParticleClasses[1].VolumeFraction = 0.5; // shares now sum to 0.9
        design.MaxVoltage = 3.0; // below min_voltage 3.4
        var options = SmallMesh.Clone();
        options.Design = design;
        var error = await fixture.Client.InitializeStateAsync(new InitializeStateRequest
        {
            Model = Contract.ModelKind.Spm,
            Parameters = new ParameterSetRef { Name = "Marquis2019" },
            Options = options,
        }).ResponseAsync.RpcFailure("the INVALID_ARGUMENT status");
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        foreach (var field in new[] { "options.design.electrolyte", "options.design.positive.loading", "options.design.positive.particle_classes", "options.design.min_voltage" })
        {
            Assert.Contains(field, error.Status.Detail, StringComparison.Ordinal);
        }

        // The design's parameter set is used when the request names none, and must agree when it does.
        var fromDesign = SmallMesh.Clone();
        fromDesign.Design = new CellDesign { Parameters = new ParameterSetRef { Name = "Chen2020" } };
        var state = await fixture.Client.InitializeStateAsync(new InitializeStateRequest { Model = Contract.ModelKind.Spm, Options = fromDesign })
            .ResponseAsync.OrFail("InitializeState with the design's set");
        Assert.Equal("Chen2020@1", state.State.ParameterSet);
        var clash = await fixture.Client.InitializeStateAsync(new InitializeStateRequest
        {
            Model = Contract.ModelKind.Spm,
            Parameters = new ParameterSetRef { Name = "Marquis2019" },
            Options = fromDesign,
        }).ResponseAsync.RpcFailure("the INVALID_ARGUMENT status");
        Assert.Contains("options.design.parameters differs from parameters", clash.Status.Detail, StringComparison.Ordinal);
    }
}
