// The Electrochem contract over the physics library. Stateless: every request carries its parameter set and
// state; models are cached per (set, options) only to skip rebuilding them. Simulate streams rows as the solver
// produces them; a failed solve ends the stream with the time, the variable and why.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Threading.Channels;
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;
using DigitalTwin.Rpc;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using static DigitalTwin.Services.Electrochem.ContractMapping;
using LibOptions = DigitalTwin.Physics.Electrochem.Models.ModelOptions;
using LibKind = DigitalTwin.Physics.Electrochem.Models.ModelKind;

namespace DigitalTwin.Services.Electrochem;

public sealed class ElectrochemService : ElectrochemServiceBase
{
    private static readonly string ProducerVersion = typeof(ElectrochemService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
    private readonly ConcurrentDictionary<string, ConcurrentBag<LiveCell>> _cells = new(StringComparer.Ordinal);

    /// <summary>Positive stoichiometry at 0 and 100 % SOC per set and options (two OCV root searches, once, not per Advance).</summary>
    private readonly ConcurrentDictionary<string, (double P0, double P1)?> _socWindows = new(StringComparer.Ordinal);

    public override async Task Simulate(SimulateRequest request, IServerStreamWriter<SimulateResponse> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        ResolvedSet set;
        LibOptions options;
        CellModel model;
        DesignChanges? design = null;
        OutputRecorder? recorder = null;
        Physics.Electrochem.Experiments.Experiment experiment;
        try
        {
            if (request.State is { Data.IsEmpty: false } state)
            {
                if (request.Options?.Design is not null)
                {
                    throw Invalid("options.design: a run that continues from state keeps the state's design; leave it unset.");
                }

                (set, options, var cellState) = FromState(state);
                model = ModelFactory.Create(set.Set, options);
                model.ImportState(cellState.Values);
                model.SetTime(cellState.Time);
            }
            else
            {
                (set, options, design) = Resolve(request.Parameters, request.Model, request.Options, request.HasTemperature ? request.Temperature : null);
                CheckRestriction(set.Set, options.Model);
                model = ModelFactory.Create(set.Set, options);
                ApplyInitial(model, set.Set, request.Initial);
            }

            if (request.OutputVariables.Count > 0)
            {
                try
                {
                    recorder = OutputRecorder.Create(request.OutputVariables, model);
                }
                catch (ArgumentException ex)
                {
                    throw Invalid($"output_variables{ex.Message.Replace("; [", "; output_variables[", StringComparison.Ordinal)}");
                }
            }

            experiment = ToExperiment(request.Experiment);
        }
        catch (ExperimentParseException ex)
        {
            throw Invalid($"experiment: {ex.Message}");
        }
        catch (ParameterSetException ex)
        {
            throw Invalid($"parameters: {ex.Message}");
        }
        catch (ArgumentException ex)
        {
            throw Invalid(ex.Message);
        }

        var provenance = Provenance(set, options, design);
        var started = new SimulationStarted { Provenance = provenance };
        foreach (var v in recorder?.Variables ?? [])
        {
            started.ExtraColumns.Add(new QuantityInfo { Name = v.Name, DisplayName = v.DisplayName, Unit = v.Unit, Description = v.Description });
        }

        for (var i = 0; i < experiment.Steps.Count; i++)
        {
            started.Steps.Add(ToParsed(i, experiment.Steps[i]));
        }

        await responseStream.WriteAsync(new SimulateResponse { Started = started }, ct);
        var chunkRows = request.ChunkRows == 0 ? 500 : (int)Math.Min(request.ChunkRows, 100000);
        var withProfiles = request.IncludeParticleProfiles;
        if (withProfiles)
        {
            // Every row carries all particle profiles; keep a chunk near 1 MiB so clients with 4 MiB limits read it.
            var perRow = Profiles(model).Sum(p => 16 * p.Radius.Count + 64);
            chunkRows = Math.Max(1, Math.Min(chunkRows, (1 << 20) / Math.Max(1, perRow)));
        }

        var stepsPerCycle = Math.Max(1, request.Experiment.Steps.Count);
        var events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var period = request.Experiment.Period;
        var clock = Stopwatch.StartNew();
        var worker = Task.Run(() =>
        {
            var runner = new ExperimentRunner
            {
                OutputPeriod = period,
                SampleRecorded = s => events.Writer.TryWrite(new Row(s, Extras(recorder), withProfiles ? [.. Profiles(model)] : null)),
                StepCompleted = s => events.Writer.TryWrite(s),
                Progress = new InlineProgress(p => events.Writer.TryWrite(p)),
            };
            return runner.Run(model, experiment, ct);
        }, ct);
        _ = worker.ContinueWith(_ => events.Writer.TryComplete(), TaskScheduler.Default);

        var chunk = NewChunk(recorder);
        ulong rows = 0;
        var lastProgress = TimeSpan.Zero;
        var charge = 0.0;
        var energy = 0.0;
        Sample? previous = null;
        await foreach (var e in events.Reader.ReadAllAsync(ct))
        {
            switch (e)
            {
                case Row row:
                    var s = row.Sample;
                    if (chunk.Time.Count == 0)
                    {
                        chunk.FirstRow = rows;
                    }

                    AddRow(chunk, row, stepsPerCycle, model.Cell.HalfCell);
                    if (previous is { } p)
                    {
                        var dt = s.Time - p.Time;
                        charge += -0.5 * (s.Current + p.Current) * dt / 3600;
                        energy += -0.5 * (s.Current * s.Voltage + p.Current * p.Voltage) * dt / 3600;
                    }

                    previous = s;
                    rows++;
                    if (chunk.Time.Count >= chunkRows)
                    {
                        await responseStream.WriteAsync(new SimulateResponse { Chunk = chunk }, ct);
                        chunk = NewChunk(recorder);
                    }

                    break;
                case StepSummary step:
                    if (chunk.Time.Count > 0)
                    {
                        await responseStream.WriteAsync(new SimulateResponse { Chunk = chunk }, ct);
                        chunk = NewChunk(recorder);
                    }

                    await responseStream.WriteAsync(new SimulateResponse { Step = ToStepCompleted(step, stepsPerCycle, charge, energy) }, ct);
                    charge = energy = 0;
                    break;
                case RunProgress progress when clock.Elapsed - lastProgress > TimeSpan.FromSeconds(0.5):
                    lastProgress = clock.Elapsed;
                    await responseStream.WriteAsync(new SimulateResponse
                    {
                        Progress = new Progress
                        {
                            Stage = "simulate",
                            Fraction = (double)(progress.Step - 1) / progress.Steps,
                            Done = (ulong)(progress.Step - 1),
                            Total = (ulong)progress.Steps,
                            UnitName = "steps",
                            Elapsed = Duration.FromTimeSpan(clock.Elapsed),
                            Message = $"step {progress.Step}/{progress.Steps}, t = {progress.Time:F0} s, V = {progress.Voltage:F4} V",
                        },
                    }, ct);
                    break;
            }
        }

        if (chunk.Time.Count > 0)
        {
            await responseStream.WriteAsync(new SimulateResponse { Chunk = chunk }, ct);
        }

        SimulationResult result;
        try
        {
            result = await worker;
        }
        catch (SolverException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"the solve failed at t = {ex.Time:G8} s in {ex.Variable}: {ex.Message}"));
        }

        var final = new CellState(string.Empty, model.Time, model.ExportState());
        var q = result.Samples;
        double discharge = 0, chargeIn = 0;
        for (var i = 1; i < q.Count; i++)
        {
            var dq = 0.5 * (q[i].Current + q[i - 1].Current) * (q[i].Time - q[i - 1].Time) / 3600;
            if (dq > 0)
            {
                discharge += dq;
            }
            else
            {
                chargeIn -= dq;
            }
        }

        await responseStream.WriteAsync(new SimulateResponse
        {
            Summary = new SimulationSummary
            {
                FinalState = ToState(set, options, final, -model.Current),
                Rows = rows,
                DischargeCapacityAh = discharge,
                ChargeCapacityAh = chargeIn,
                SolverSteps = (ulong)result.AcceptedSteps,
                WallTime = clock.Elapsed.TotalSeconds,
                Provenance = provenance,
            },
        }, ct);
    }

    public override Task<InitializeStateResponse> InitializeState(InitializeStateRequest request, ServerCallContext context)
    {
        try
        {
            var (set, options, design) = Resolve(request.Parameters, request.Model, request.Options, request.HasTemperature ? request.Temperature : null);
            CheckRestriction(set.Set, options.Model);
            var model = ModelFactory.Create(set.Set, options);
            ApplyInitial(model, set.Set, request.Initial);
            if (model.Initialise(Control.Amps(0)) != StepStatus.Converged)
            {
                throw new RpcException(new Status(StatusCode.Internal, $"could not solve the cell at rest: {model.LastProblem}"));
            }

            var state = new CellState(string.Empty, 0, model.ExportState());
            return Task.FromResult(new InitializeStateResponse
            {
                State = ToState(set, options, state, 0),
                OpenCircuitVoltage = model.OpenCircuitVoltage(),
                Provenance = Provenance(set, options, design),
            });
        }
        catch (ParameterSetException ex)
        {
            throw Invalid($"parameters: {ex.Message}");
        }
        catch (ArgumentException ex)
        {
            throw Invalid(ex.Message);
        }
    }

    public override Task<AdvanceResponse> Advance(AdvanceRequest request, ServerCallContext context) => Task.FromResult(AdvanceOne(request));

    public override Task<AdvanceBatchResponse> AdvanceBatch(AdvanceBatchRequest request, ServerCallContext context)
    {
        var response = new AdvanceBatchResponse();
        foreach (var item in request.Items)
        {
            try
            {
                response.Results.Add(new AdvanceBatchResult { Response = AdvanceOne(item) });
            }
            catch (RpcException ex)
            {
                response.Results.Add(new AdvanceBatchResult { Error = new Diagnostic { Severity = Severity.Error, Code = ex.StatusCode.ToString(), Message = ex.Status.Detail, Source = "items" } });
            }
        }

        return Task.FromResult(response);
    }

    private AdvanceResponse AdvanceOne(AdvanceRequest request)
    {
        var (set, options, state) = FromState(request.State);
        if (request.Time.Count != request.Current.Count || request.Time.Count == 0)
        {
            throw Invalid($"time and current must be non-empty and of equal length; got {request.Time.Count} and {request.Current.Count}.");
        }

        if (request.HasTemperature && Math.Abs(request.Temperature - (double.IsNaN(options.Temperature) ? double.NaN : options.Temperature)) > 1e-9)
        {
            options = options with { Temperature = request.Temperature };
        }

        // Contract times are relative to the state's time; Advance takes absolute times.
        var linear = request.Interpolation == CurrentInterpolation.Linear;
        var times = new List<double>(request.Time.Count * (linear ? 4 : 1));
        var currents = new List<double>(times.Capacity);
        var report = new List<int>(request.Time.Count);
        var previousTime = 0.0;
        var previousCurrent = request.State.Current;
        for (var i = 0; i < request.Time.Count; i++)
        {
            var t = request.Time[i];
            if (!(t > previousTime) || double.IsNaN(request.Current[i]))
            {
                throw Invalid($"time[{i}] = {t} s must be after {previousTime} s (times are seconds after the state's time), and current[{i}] a number.");
            }

            if (linear)
            {
                // Linear current over the interval: four implicit sub-steps at the sub-interval midpoints' currents.
                for (var k = 1; k <= 4; k++)
                {
                    times.Add(state.Time + previousTime + (t - previousTime) * k / 4);
                    currents.Add(previousCurrent + (request.Current[i] - previousCurrent) * (k - 0.5) / 4);
                }
            }
            else
            {
                times.Add(state.Time + t);
                currents.Add(request.Current[i]);
            }

            report.Add(times.Count - 1);
            previousTime = t;
            previousCurrent = request.Current[i];
        }

        var key = Key(set, options);
        var cell = Rent(key, set, options);
        try
        {
            var voltages = new double[times.Count];
            CellState next;
            try
            {
                next = cell.Advance(state with { Signature = cell.Signature }, times.ToArray(), currents.ToArray(), voltages);
            }
            catch (SolverException ex)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the solve failed at t = {ex.Time:G8} s in {ex.Variable}: {ex.Message}"));
            }

            var model = cell.Model;
            var response = new AdvanceResponse
            {
                State = ToState(set, options, next with { Signature = string.Empty }, request.Current[^1]),
                OpenCircuitVoltage = model.OpenCircuitVoltage(),
            };
            // Every voltage is inside the set's cut-offs: LiveCell reports one outside as a failed solve (FAILED_PRECONDITION).
            response.Voltage.AddRange(report.Select(k => voltages[k]));
            var (pa, ps) = model.Stoichiometry(positive: true);
            response.Electrodes.Add(new ElectrodeSummary { Electrode = ElectrodeRole.Positive, AverageStoichiometry = pa, SurfaceStoichiometry = ps });
            if (!model.Cell.HalfCell)
            {
                var (na, ns) = model.Stoichiometry(positive: false);
                response.Electrodes.Add(new ElectrodeSummary { Electrode = ElectrodeRole.Negative, AverageStoichiometry = na, SurfaceStoichiometry = ns });
            }

            response.Soc = _socWindows.GetOrAdd(key, _ => SocWindow(set.Set, model)) is { } window
                ? Math.Clamp((pa - window.P0) / (window.P1 - window.P0), 0, 1)
                : double.NaN;

            if (request.IncludeParticleProfiles)
            {
                response.ParticleProfiles.AddRange(Profiles(model));
            }

            return response;
        }
        finally
        {
            Return(key, cell);
        }
    }

    public override Task<ListParameterSetsResponse> ListParameterSets(ListParameterSetsRequest request, ServerCallContext context)
    {
        var response = new ListParameterSetsResponse();
        if (request.Domain.Length == 0 || request.Domain == "electrochem")
        {
            response.Sets.AddRange(ParameterSets.Names.Select(n => Info(ParameterSets.Get(n))));
        }

        return Task.FromResult(response);
    }

    public override Task<GetParameterSetResponse> GetParameterSet(GetParameterSetRequest request, ServerCallContext context)
    {
        if (!ParameterSets.Exists(request.Name))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"unknown set '{request.Name}'; known: {string.Join(", ", ParameterSets.Names)}"));
        }

        return Task.FromResult(new GetParameterSetResponse
        {
            Info = Info(ParameterSets.Get(request.Name)),
            ParameterSetJson = ByteString.CopyFromUtf8(ParameterSets.Json(request.Name)),
        });
    }

    public override Task<ValidateParameterSetResponse> ValidateParameterSet(ValidateParameterSetRequest request, ServerCallContext context)
    {
        var response = new ValidateParameterSetResponse();
        try
        {
            var set = ResolveSet(request.Parameters);
            response.Info = Info(set.Set);
            var kinds = request.Model == Contracts.Electrochem.V1.ModelKind.Unspecified ? [LibKind.Spm, LibKind.Spme, LibKind.Dfn] : new[] { ToKind(request.Model) };
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var kind in kinds)
            {
                if (set.Set.RestrictedToModel is { } only && !only.Equals(kind.ToString(), StringComparison.OrdinalIgnoreCase))
                {
                    if (request.Model != Contracts.Electrochem.V1.ModelKind.Unspecified)
                    {
                        response.Diagnostics.Add(Error("model_not_supported", $"the set supports only {only}", set.Set.Name, "model"));
                    }

                    continue;
                }

                try
                {
                    CellParameters.From(set.Set, LibOptions.For(kind));
                }
                catch (ParameterSetException ex)
                {
                    foreach (var p in ex.Problems.Where(seen.Add))
                    {
                        response.Diagnostics.Add(Error("invalid_parameter", p, set.Set.Name, FieldOf(p)));
                    }
                }
            }

            foreach (var placeholder in response.Info.Placeholders)
            {
                response.Diagnostics.Add(new Diagnostic { Severity = Severity.Warning, Code = "placeholder", Message = $"'{placeholder}' is a placeholder: the source did not state it", Source = set.Set.Name, Field = placeholder });
            }
        }
        catch (ParameterSetException ex)
        {
            foreach (var p in ex.Problems)
            {
                response.Diagnostics.Add(Error("invalid_parameter", p, ex.Origin, FieldOf(p)));
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
        {
            response.Diagnostics.Add(Error("invalid_reference", ex.Status.Detail, "parameters", "parameters"));
        }

        response.Valid = response.Diagnostics.All(d => d.Severity != Severity.Error);
        return Task.FromResult(response);
    }

    public override Task<ValidateExperimentResponse> ValidateExperiment(ValidateExperimentRequest request, ServerCallContext context)
    {
        var response = new ValidateExperimentResponse();
        var e = request.Experiment ?? new Contracts.Electrochem.V1.Experiment();
        if (e.Steps.Count == 0)
        {
            response.Diagnostics.Add(Error("empty_experiment", "the experiment has no steps", "experiment.steps", "steps"));
        }

        for (var i = 0; i < e.Steps.Count; i++)
        {
            try
            {
                var single = new Contracts.Electrochem.V1.Experiment { Steps = { e.Steps[i] }, DriveCycles = { e.DriveCycles } };
                foreach (var step in ToExperiment(single).Steps)
                {
                    response.Steps.Add(ToParsed(response.Steps.Count, step));
                }
            }
            catch (ExperimentParseException ex)
            {
                var d = new Diagnostic
                {
                    Severity = Severity.Error,
                    Code = "unknown_word",
                    Message = ex.Message,
                    Source = e.Steps[i],
                    Line = (ulong)(i + 1),
                    Column = (uint)(ex.Position + 1),
                    Field = $"steps[{i}]",
                    Value = ex.Position < ex.Text.Length ? ex.Text[ex.Position..].Split(' ')[0] : "",
                };
                d.Expected.AddRange(ex.Accepted);
                response.Diagnostics.Add(d);
            }
            catch (RpcException ex)
            {
                response.Diagnostics.Add(Error("invalid_step", ex.Status.Detail, e.Steps[i], $"steps[{i}]"));
            }
        }

        response.Valid = response.Diagnostics.Count == 0;
        return Task.FromResult(response);
    }

    private static Diagnostic Error(string code, string message, string source, string field) =>
        new() { Severity = Severity.Error, Code = code, Message = message, Source = source, Field = field };

    private static string FieldOf(string problem)
    {
        var a = problem.IndexOf('\'');
        var b = a >= 0 ? problem.IndexOf('\'', a + 1) : -1;
        return b > a ? problem[(a + 1)..b] : problem.Split(':')[0];
    }

    private static void CheckRestriction(ParameterSet set, LibKind kind)
    {
        if (set.RestrictedToModel is { } only && !only.Equals(kind.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid($"model: the parameter set is a BPX {only} parameterisation (no electrolyte); use MODEL_KIND_{only.ToUpperInvariant()}.");
        }
    }

    private LiveCell Rent(string key, ResolvedSet set, LibOptions options)
    {
        var bag = _cells.GetOrAdd(key, _ => []);
        return bag.TryTake(out var cell) ? cell : new LiveCell(set.Set, options);
    }

    private void Return(string key, LiveCell cell)
    {
        var bag = _cells.GetOrAdd(key, _ => []);
        if (bag.Count < Environment.ProcessorCount * 2)
        {
            bag.Add(cell);
        }
    }

    private static string Key(ResolvedSet set, LibOptions o) => $"{set.Id}|{o.Describe()}";

    private static (double P0, double P1)? SocWindow(ParameterSet set, CellModel model)
    {
        try
        {
            var (_, p0) = InitialStates.FromSoc(model.Cell, set, 0);
            var (_, p1) = InitialStates.FromSoc(model.Cell, set, 1);
            return (p0, p1);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Every particle of the model (each electrode node and size class) as a point profile from the centre to the
    /// surface, the form the mechanics consumes; the class id is the design's (or the class index).
    /// </summary>
    private static IEnumerable<ParticleProfile> Profiles(CellModel model)
    {
        var banks = model switch
        {
            DfnModel d => new[] { (d.NegativeBank, ElectrodeRole.Negative), (d.PositiveBank, ElectrodeRole.Positive) },
            SingleParticleModel s => [(s.NegativeBank, ElectrodeRole.Negative), (s.PositiveBank, ElectrodeRole.Positive)],
            _ => [],
        };
        foreach (var (bank, role) in banks)
        {
            if (bank is null)
            {
                continue;
            }

            var points = bank.Particles.ProfilePoints;
            var radius = new double[points];
            var concentration = new double[points];
            for (var node = 0; node < bank.Nodes; node++)
            {
                for (var k = 0; k < bank.Classes; k++)
                {
                    var cls = bank.Parameters.Classes[k];
                    bank.Profile(node, k, radius, concentration);
                    var profile = new ParticleProfile
                    {
                        Particle = new ParticleClassRef { Electrode = role, ClassId = cls.Id },
                        // 0 at the current collector, 1 at the separator (positive node 0 is next to the separator).
                        ThroughThicknessPosition = bank.Nodes == 1 ? 0.5 : (role == ElectrodeRole.Negative ? (node + 0.5) / bank.Nodes : 1 - (node + 0.5) / bank.Nodes),
                        Time = model.Time,
                        ParticleRadius = cls.Radius,
                        MaxConcentration = cls.MaxConcentration,
                    };
                    profile.Radius.Add(radius);
                    profile.Concentration.Add(concentration);
                    yield return profile;
                }
            }
        }
    }

    /// <summary>One output row as the solver thread saw it: the sample, the extra variables, the particle profiles.</summary>
    private sealed record Row(Sample Sample, double[]? Extra, ParticleProfile[]? Profiles);

    private static double[]? Extras(OutputRecorder? recorder)
    {
        if (recorder is null)
        {
            return null;
        }

        var values = new double[recorder.Variables.Count];
        recorder.Record(values);
        return values;
    }

    private static ResultChunk NewChunk(OutputRecorder? recorder)
    {
        var chunk = new ResultChunk();
        foreach (var v in recorder?.Variables ?? [])
        {
            chunk.Extra.Add(new Column { Name = v.Name, Unit = v.Unit });
        }

        return chunk;
    }

    private static void AddRow(ResultChunk chunk, Row row, int stepsPerCycle, bool halfCell)
    {
        var s = row.Sample;
        for (var i = 0; i < (row.Extra?.Length ?? 0); i++)
        {
            chunk.Extra[i].Values.Add(row.Extra![i]);
        }

        if (row.Profiles is not null)
        {
            chunk.ParticleProfiles.AddRange(row.Profiles);
        }

        chunk.Time.Add(s.Time);
        chunk.Current.Add(-s.Current);
        chunk.Voltage.Add(s.Voltage);
        chunk.StepIndex.Add((uint)((s.Step - 1) % stepsPerCycle));
        chunk.CycleIndex.Add((uint)((s.Step - 1) / stepsPerCycle));
        if (!halfCell)
        {
            chunk.NegativeAverageStoichiometry.Add(s.NegativeAverage);
            chunk.NegativeSurfaceStoichiometry.Add(s.NegativeSurface);
        }

        chunk.PositiveAverageStoichiometry.Add(s.PositiveAverage);
        chunk.PositiveSurfaceStoichiometry.Add(s.PositiveSurface);
    }

    private static StepCompleted ToStepCompleted(StepSummary s, int stepsPerCycle, double charge, double energy)
    {
        var reason = s.Reason.StartsWith("voltage", StringComparison.Ordinal) ? TerminationReason.Voltage
            : s.Reason.StartsWith("current", StringComparison.Ordinal) ? TerminationReason.Current
            : s.Reason.StartsWith("duration", StringComparison.Ordinal) ? TerminationReason.Duration
            : TerminationReason.Infeasible;
        return new StepCompleted
        {
            StepIndex = (uint)((s.Index - 1) % stepsPerCycle),
            CycleIndex = (uint)((s.Index - 1) / stepsPerCycle),
            Step = s.Text,
            StartTime = s.Start,
            EndTime = s.End,
            Reason = reason,
            Detail = $"{s.Reason} at t = {s.End:F1} s",
            ChargeAh = charge,
            EnergyWh = energy,
        };
    }

    private static Provenance Provenance(ResolvedSet set, LibOptions options, DesignChanges? design = null)
    {
        var p = new Provenance
        {
            Producer = "digitaltwin.electrochem",
            ProducerVersion = ProducerVersion,
            CreatedAt = Timestamp.FromDateTime(DateTime.UtcNow),
            ParameterSet = set.Id,
            Model = options.Model.ToString().ToLowerInvariant(),
            ModelVersion = ContractMapping.Version,
        };
        p.Attributes.Add("mesh", $"{options.PointsNegative}/{options.PointsSeparator}/{options.PointsPositive}/r{options.PointsParticle}");
        p.Attributes.Add("relative_tolerance", options.RelativeTolerance.ToString("G3", System.Globalization.CultureInfo.InvariantCulture));
        p.Attributes.Add("current_sign", "positive when charging");
        p.Attributes.Add("thermal", options.Thermal);
        p.Attributes.Add("stress_induced_diffusion", options.StressInducedDiffusion);
        if (design is not null)
        {
            p.Attributes.Add(design.Attributes);
            p.Warnings.AddRange(design.Warnings);
            foreach (var (name, value) in design.Overrides)
            {
                p.Attributes.Add($"design: {name}", value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        foreach (var placeholder in set.Set.Entries.Where(e => e.Placeholder).Select(e => e.Name))
        {
            p.Warnings.Add(new Diagnostic { Severity = Severity.Warning, Code = "placeholder", Message = $"'{placeholder}' is a placeholder value", Source = set.Set.Name, Field = placeholder });
        }

        return p;
    }

    /// <summary>Reports synchronously on the solver thread (Progress&lt;T&gt; would post to a thread pool).</summary>
    private sealed class InlineProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
