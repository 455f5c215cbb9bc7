// The Electrochem service end to end over loopback: Simulate streams what the library computes, Advance steps a
// state exactly as LiveCell does, batches fail per item, and bad input comes back as INVALID_ARGUMENT naming it.
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;
using DigitalTwin.Rpc;
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing;
using Google.Protobuf;
using Contract = DigitalTwin.Contracts.Electrochem.V1;
using LibKind = DigitalTwin.Physics.Electrochem.Models.ModelKind;

namespace DigitalTwin.Services.Electrochem.Tests;

public sealed class ElectrochemServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>, IDisposable
{
    private const string ProbeMessage = "log-capture probe";

    // Log lines before this test belong to other tests (the host is shared by the class; its tests run one at a time).
    private readonly int _logStart = fixture.Logs.Entries.Count;

    /// <summary>STYLE §11: the test fails on any Error or Critical log line of the host it did not expect (none are).</summary>
    public void Dispose()
    {
        var errors = fixture.Logs.Entries.Skip(_logStart)
            .Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error && !e.Message.Contains(ProbeMessage, StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, $"unexpected error log lines: {string.Join(" | ", errors.Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Exception?.Message}"))}");
    }

    private static async Task<List<SimulateResponse>> Collect(AsyncServerStreamingCall<SimulateResponse> call)
    {
        var list = new List<SimulateResponse>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("the next Simulate message", TimeSpan.FromSeconds(60)))
        {
            list.Add(call.ResponseStream.Current);
        }

        return list;
    }

    [Fact]
    public async Task SimulateStreamsTheLibrarysResult()
    {
        var request = new SimulateRequest
        {
            Model = Contract.ModelKind.Dfn,
            Parameters = new ParameterSetRef { Name = "Marquis2019Comsol" },
            Experiment = new Contract.Experiment { Steps = { "Discharge at 1C until 3.105 V" } },
            ChunkRows = 20,
        };
        using var call = fixture.Client.Simulate(request);
        var messages = await Collect(call);

        Assert.Equal(SimulateResponse.EventOneofCase.Started, messages[0].EventCase);
        Assert.Equal(SimulateResponse.EventOneofCase.Summary, messages[^1].EventCase);
        var parsed = Assert.Single(messages[0].Started.Steps);
        Assert.Equal(Contract.ControlMode.CRate, parsed.Control);
        Assert.Equal(-1.0, parsed.Value); // discharge is negative on the wire (charge > 0)
        var chunks = messages.Where(m => m.EventCase == SimulateResponse.EventOneofCase.Chunk).Select(m => m.Chunk).ToList();
        Assert.True(chunks.Count > 1, "rows must arrive in several chunks");
        var voltage = chunks.SelectMany(c => c.Voltage).ToList();
        var current = chunks.SelectMany(c => c.Current).ToList();
        var step = Assert.Single(messages, m => m.EventCase == SimulateResponse.EventOneofCase.Step).Step;
        Assert.Equal(TerminationReason.Voltage, step.Reason);

        // The same run through the library directly: identical rows (same code, same inputs).
        var model = ModelFactory.Create(ParameterSets.Get("Marquis2019Comsol"), new Physics.Electrochem.Models.ModelOptions());
        var direct = new ExperimentRunner().Run(model, Physics.Electrochem.Experiments.Experiment.Parse("Discharge at 1C until 3.105 V"));
        Assert.Equal(direct.Samples.Select(s => s.Voltage), voltage);
        Assert.All(current, i => Assert.Equal(-24.0, i, 9)); // 1C of the 1 m2 COMSOL cell is 24 A (reference README section 1)
        Assert.True(Math.Abs(voltage[^1] - 3.105) <= 1e-6, $"cut-off located at {voltage[^1]} V");
        var summary = messages[^1].Summary;
        Assert.Equal((ulong)voltage.Count, summary.Rows);
        Assert.Equal(direct.DischargeCapacity(), summary.DischargeCapacityAh, 9);
        Assert.Equal(Contract.ModelKind.Dfn, summary.FinalState.Model);
        Assert.Equal("Marquis2019Comsol@1", summary.FinalState.ParameterSet);
    }

    [Fact]
    public async Task SimulateRejectsAnUnreadableExperimentNamingTheWord()
    {
        using var call = fixture.Client.Simulate(new SimulateRequest
        {
            Model = Contract.ModelKind.Spm,
            Parameters = new ParameterSetRef { Name = "Marquis2019" },
            Experiment = new Contract.Experiment { Steps = { "Discharge at 1C until 3.0 V", "Dischrge at 2C until 3.0 V" } },
        });
        var error = await Collect(call).RpcFailure("the INVALID_ARGUMENT status");
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("\"Dischrge\"", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Accepted", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimulateRejectsABadBpxListingEveryProblem()
    {
        var json = File.ReadAllText(SharedData.DataFile("reference", "bpx", "converted_v1", "nmc_pouch_cell_BPX_v1.1.1.json"))
            .Replace("\"Particle radius [m]\": 4.12e-06", "\"Particle radius [m]\": 4.12", StringComparison.Ordinal)
            .Replace("\"Porosity\": 0.47", "\"Porosity\": 1.47", StringComparison.Ordinal);
        using var call = fixture.Client.Simulate(new SimulateRequest
        {
            Model = Contract.ModelKind.Dfn,
            Parameters = new ParameterSetRef { BpxJson = ByteString.CopyFromUtf8(json) },
            Experiment = new Contract.Experiment { Steps = { "Discharge at 1C until 3.0 V" } },
        });
        var error = await Collect(call).RpcFailure("the INVALID_ARGUMENT status");
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Particle radius [m]", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Separator.Porosity", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimulateAcceptsAnInlineBpxAndDriveCycles()
    {
        var json = File.ReadAllText(SharedData.DataFile("reference", "bpx", "about_energy", "NMC", "nmc_pouch_cell_BPX.json"));
        using var call = fixture.Client.Simulate(new SimulateRequest
        {
            Model = Contract.ModelKind.Spme,
            Parameters = new ParameterSetRef { BpxJson = ByteString.CopyFromUtf8(json) },
            Experiment = new Contract.Experiment
            {
                Steps = { "Run pulse", "Rest for 10 minutes" },
                DriveCycles = { new Contract.DriveCycle { Name = "pulse", Kind = DriveCycleKind.Current, Unit = "A", Time = { 0, 60, 60.001, 120 }, Value = { -12.5, -12.5, 6.25, 6.25 } } },
                Period = 10,
            },
        });
        var messages = await Collect(call);
        var rows = messages.Where(m => m.EventCase == SimulateResponse.EventOneofCase.Chunk).SelectMany(m => m.Chunk.Current.Zip(m.Chunk.Time)).ToList();
        // The drive cycle's sign is the contract's (charge > 0): -12.5 A discharges for a minute, then +6.25 A charges.
        Assert.Contains(rows, r => r.Second is > 0 and < 60 && Math.Abs(r.First + 12.5) < 1e-9);
        Assert.Contains(rows, r => r.Second is > 61 and < 120 && Math.Abs(r.First - 6.25) < 1e-9);
        Assert.Equal(2, messages.Count(m => m.EventCase == SimulateResponse.EventOneofCase.Step));
        Assert.StartsWith("sha256:", messages[^1].Summary.FinalState.ParameterSet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdvanceStepsAStateLikeTheLibrary()
    {
        var init = await fixture.Client.InitializeStateAsync(new InitializeStateRequest
        {
            Model = Contract.ModelKind.Spm,
            Parameters = new ParameterSetRef { Name = "Marquis2019" },
            Initial = new InitialCondition { Soc = 1 },
        }).ResponseAsync.OrFail("the initial state");
        var state = init.State;
        var oneC = 0.680616; // Marquis2019 nominal capacity [A.h] (parameter_sets.md)
        var voltages = new List<double>();
        for (var k = 0; k < 3; k++)
        {
            var request = new AdvanceRequest { State = state, Time = { 10, 20, 30, 40, 50, 60 }, Current = { -oneC, -oneC, -oneC, -oneC, -oneC, -oneC } };
            var response = await fixture.Client.AdvanceAsync(request).ResponseAsync.OrFail("an Advance response");
            voltages.AddRange(response.Voltage);
            state = response.State;
            Assert.Equal(60.0 * (k + 1), state.Time, 9);
            Assert.Equal(-oneC, state.Current, 12);
        }

        // The same 18 samples through LiveCell directly, started at the same SOC 1 (bit-for-bit, 1e-12 V).
        var set = ParameterSets.Get("Marquis2019");
        var cell = new LiveCell(set, Physics.Electrochem.Models.ModelOptions.For(LibKind.Spm));
        var (n, p) = InitialStates.FromSoc(cell.Model.Cell, set, 1);
        var s0 = cell.Initial(n, p);
        var times = Enumerable.Range(1, 18).Select(i => 10.0 * i).ToArray();
        var direct = cell.Advance(s0, times, times.Select(_ => -oneC).ToArray());
        for (var i = 0; i < 18; i++)
        {
            Assert.Equal(direct.Voltage[i], voltages[i], 12);
        }

        Assert.True(voltages[^1] < voltages[0], "a discharge lowers the voltage");
    }

    [Fact]
    public async Task AdvanceBatchFailsPerItem()
    {
        var init = await fixture.Client.InitializeStateAsync(new InitializeStateRequest
        {
            Model = Contract.ModelKind.Spme,
            Parameters = new ParameterSetRef { Name = "Chen2020" },
            Initial = new InitialCondition { Voltage = 4.0 },
        }).ResponseAsync.OrFail("the initial state");
        Assert.Equal(4.0, init.OpenCircuitVoltage, 6);
        var good = new AdvanceRequest { State = init.State, Time = { 1, 2 }, Current = { 5, 5 }, IncludeParticleProfiles = true };
        var bad = new AdvanceRequest { State = init.State, Time = { 2, 1 }, Current = { 5, 5 } };
        var response = await fixture.Client.AdvanceBatchAsync(new AdvanceBatchRequest { Items = { good, bad } }).ResponseAsync.OrFail("the batch response");
        Assert.Equal(AdvanceBatchResult.OutcomeOneofCase.Response, response.Results[0].OutcomeCase);
        Assert.Equal(AdvanceBatchResult.OutcomeOneofCase.Error, response.Results[1].OutcomeCase);
        Assert.Contains("time[1]", response.Results[1].Error.Message, StringComparison.Ordinal);
        Assert.Equal(2, response.Results[0].Response.ParticleProfiles.Count); // SPMe: one particle per electrode
        Assert.True(response.Results[0].Response.Voltage[1] > response.Results[0].Response.Voltage[0], "charging raises the voltage");
    }

    [Fact]
    public async Task AdvanceRefusesAForeignState()
    {
        var error = await fixture.Client.AdvanceAsync(new AdvanceRequest { State = new ModelState { Model = Contract.ModelKind.Spm, SchemaVersion = 1, Data = ByteString.CopyFromUtf8("garbage") }, Time = { 1 }, Current = { 0 } })
            .ResponseAsync.RpcFailure("the INVALID_ARGUMENT status");
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("state", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogAndValidation()
    {
        var list = await fixture.Client.ListParameterSetsAsync(new ListParameterSetsRequest()).ResponseAsync.OrFail("the catalog");
        // The library's built-in sets (Marquis2019, Marquis2019Comsol, Chen2020, Ai2020, Ai2020Paper, Ecker2015, KazemGhamsari2025).
        Assert.Equal(ParameterSets.Names.Count, list.Sets.Count);
        Assert.Equal(7, list.Sets.Count);
        var seed = Assert.Single(list.Sets, s => s.Name == "KazemGhamsari2025");
        Assert.Contains("Positive electrode OCP [V]", seed.Placeholders);
        var one = await fixture.Client.GetParameterSetAsync(new GetParameterSetRequest { Name = "Chen2020" }).ResponseAsync.OrFail("one set");
        Assert.Contains("\"references\"", one.ParameterSetJson.ToStringUtf8(), StringComparison.Ordinal);
        var missing = await fixture.Client.GetParameterSetAsync(new GetParameterSetRequest { Name = "Nope2000" }).ResponseAsync.RpcFailure("NOT_FOUND");
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var bad = """{"name": "bad", "base": "Marquis2019", "parameters": {"Negative particle radius [m]": 10, "Separator porosity": 2}}""";
        var validation = await fixture.Client.ValidateParameterSetAsync(new ValidateParameterSetRequest
        {
            Parameters = new ParameterSetRef { ParameterSetJson = ByteString.CopyFromUtf8(bad) },
            Model = Contract.ModelKind.Dfn,
        }).ResponseAsync.OrFail("the set validation");
        Assert.False(validation.Valid);
        Assert.Contains(validation.Diagnostics, d => d.Field == "Negative particle radius [m]" && d.Message.Contains("micrometres", StringComparison.Ordinal));
        Assert.Contains(validation.Diagnostics, d => d.Field == "Separator porosity");

        var experiment = await fixture.Client.ValidateExperimentAsync(new ValidateExperimentRequest
        {
            Experiment = new Contract.Experiment { Steps = { "Charge at C/3 until 4.2 V", "Hold at 4.2 A until C/50", "Rest for 5 parsecs" } },
        }).ResponseAsync.OrFail("the experiment validation");
        Assert.False(experiment.Valid);
        Assert.Equal(2, experiment.Diagnostics.Count);
        Assert.Equal(13u, experiment.Diagnostics[0].Column); // "A" in "Hold at 4.2 A" is character 13
        Assert.Contains("<n> V | <n> mV", experiment.Diagnostics[0].Expected);
        Assert.Single(experiment.Steps);
    }

    [Fact]
    public void TheHostsErrorLinesAreCaptured()
    {
        // The check in Dispose is only as good as the capture: an error logged through the host's own logger factory
        // must arrive (this probe line is the one error the check expects).
        var factory = (Microsoft.Extensions.Logging.ILoggerFactory)fixture.Services.GetService(typeof(Microsoft.Extensions.Logging.ILoggerFactory))!;
        Microsoft.Extensions.Logging.LoggerExtensions.LogError(factory.CreateLogger("DigitalTwin.Services.Electrochem"), ProbeMessage);
        Assert.Contains(fixture.Logs.Entries.Skip(_logStart), e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message == ProbeMessage);
    }
}
