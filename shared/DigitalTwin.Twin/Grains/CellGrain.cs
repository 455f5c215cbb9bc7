// The cell's twin: orders telemetry per source, advances the model through the Electrochem service, tracks cycles,
// SOC/SOH, forecast and alerts, and hands particle profiles to its electrodes. The math lives in DigitalTwin.Estimation.
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Estimation;
using DigitalTwin.Estimation.Alerts;
using DigitalTwin.Estimation.Cycles;
using DigitalTwin.Estimation.Design;
using DigitalTwin.Estimation.Filtering;
using DigitalTwin.Estimation.Forecast;
using DigitalTwin.Estimation.Health;
using DigitalTwin.Estimation.Telemetry;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Twin.Mapping;
using DigitalTwin.Twin.Series;
using DigitalTwin.Twin.Solvers;
using Google.Protobuf;
using Common = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Twin.Grains;

/// <summary>What the twin's grains share: solvers, options, the series output, and the parameter sets registration accepts.</summary>
public sealed class TwinServices(SolverSet solvers, TwinOptions options, TwinSeriesWriter? series = null, Microsoft.Extensions.Logging.ILogger? logger = null)
{
    private IReadOnlyCollection<string>? _parameterSets;

    public SolverSet Solvers { get; } = solvers;

    /// <summary>The electrodes' DEM studies, run off the grain turns; null without a DEM service or with Twin:Dem:Enabled false.</summary>
    public Dem.PackingStudyRunner? PackingStudies { get; } = solvers.Dem is { } dem && options.Dem.Enabled
        ? new Dem.PackingStudyRunner(dem, options.Dem, TimeProvider.System, logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
        : null;

    public TwinOptions Options { get; } = options;

    /// <summary>Where the grains' points go (after their state is written); null = no series output.</summary>
    public TwinSeriesWriter? Series { get; } = series;

    /// <summary>Which cells changed, for watchers.</summary>
    public CellUpdates Updates { get; } = new();

    /// <summary>The Electrochem service's catalog when it answers, else the configured list.</summary>
    public async ValueTask<IReadOnlyCollection<string>> ParameterSetsAsync()
    {
        if (_parameterSets is not null)
        {
            return _parameterSets;
        }

        if (Solvers.Electrochem is { } electrochem)
        {
            try
            {
                return _parameterSets = await electrochem.ListParameterSetsAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (SolverUnavailableException)
            {
                return Options.KnownParameterSets;
            }
        }

        return _parameterSets = Options.KnownParameterSets;
    }
}

public sealed class CellGrain(TwinServices services) : Grain<CellGrainState>, ICellGrain
{
    /// <summary>Points of the current turn, handed to the series output once the state is written.</summary>
    private TwinPoints? _points;

    /// <summary>The parsed model state of the bytes in <see cref="CellGrainState.ModelState"/> (same reference), so a turn does not re-parse it.</summary>
    private (byte[] Bytes, ModelState Parsed)? _model;

    private TwinOptions Options => services.Options;

    protected override CellGrainState CreateInitialState() => new();

    public async ValueTask<RegistrationResult> RegisterAsync(CellRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        _points = null;
        var review = DesignValidator.Review(registration.Design, await services.ParameterSetsAsync(), Options.DesignLimits);
        if (!review.Accepted)
        {
            return new RegistrationResult(false, false, review.Problems, review.Warnings, 0);
        }

        if (State.Registration is { } existing)
        {
            var same = existing.LotId == registration.LotId && System.Text.Json.JsonSerializer.Serialize(existing.Design) == System.Text.Json.JsonSerializer.Serialize(registration.Design);
            return same
                ? new RegistrationResult(true, true, [], review.Warnings, 0)
                : new RegistrationResult(false, true, [$"cell {GrainKey} is already registered with a different design or lot"], [], 0);
        }

        State = State with { Registration = registration };
        await GrainFactory.GetGrain<IFleetGrain>(FleetDirectory.ShardOf(GrainKey)).AddCellAsync(GrainKey, registration.LotId);

        // Held telemetry is applied now, source by source, in sequence order.
        long applied = 0;
        var held = State.Unregistered;
        State = State with { Unregistered = new Dictionary<string, IReadOnlyList<CellSample>>() };
        foreach (var (source, samples) in held.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            var ack = await ApplyCoreAsync(new TelemetryBatch(source, samples));
            applied += ack.Applied;
        }

        var alerts = Evaluate(State.LastSample?.TimeUnixNs ?? registration.RegisteredAtNs);
        State = State with { Alerts = alerts };
        Points()?.Info(registration, State.LastSample is null ? "registered" : "cycling");
        await WriteStateAsync();
        PublishPoints();
        return new RegistrationResult(true, false, [], review.Warnings, applied);
    }

    public async ValueTask<TelemetryAck> ApplyTelemetryAsync(TelemetryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _points = null;
        if (State.Registration is null)
        {
            return await HoldAsync(batch);
        }

        var before = State;
        try
        {
            var ack = await ApplyCoreAsync(batch);
            await WriteStateAsync();
            PublishPoints();
            return ack;
        }
        catch
        {
            // A turn that fails part-way leaves the state as it was, so the caller's retry starts from a consistent cell.
            State = before;
            _points = null;
            _model = null;
            throw;
        }
    }

    /// <summary>The turn's point collector when series output is on and the cell is registered (its lot is a tag).</summary>
    private TwinPoints? Points() =>
        services.Series is null || State.Registration is not { } r ? null : _points ??= new TwinPoints(GrainKey, r.LotId, Options.Model);

    /// <summary>After the state write: a replay after a crash re-sends the same points, which overwrite themselves.</summary>
    private void PublishPoints()
    {
        if (_points is { } points && services.Series is { } series)
        {
            series.Enqueue(points.Batch);
        }

        _points = null;
        if (State.Registration is { } r)
        {
            services.Updates.Publish(new CellChanged(GrainKey, r.LotId));
        }
    }

    public ValueTask<CellSnapshot> GetStateAsync()
    {
        var s = State;
        var latest = s.Health.Latest;
        var nominal = s.Registration?.Design.NominalCapacityAh ?? double.NaN;
        var soh = latest?.Soh ?? (s.Registration is null ? double.NaN : 1.0);
        var status = s.Registration is null ? CellStatus.Unregistered
            : s.SolverFailures >= Options.FaultedAfterSolverFailures ? CellStatus.Faulted
            : soh <= Options.Forecast.EndOfLifeSoh ? CellStatus.EndOfLife
            : s.LastSample is null ? CellStatus.Registered
            : CellStatus.Live;
        return new(new CellSnapshot(
            GrainKey,
            status,
            s.Registration,
            s.Sources.ToDictionary(p => p.Key, p => p.Value.LastApplied),
            HeldCount(s),
            s.LastSample,
            s.ModelVoltage,
            s.Residual,
            s.Progress.ResidualCount > 0 ? Math.Sqrt(s.Progress.ResidualSumSquares / s.Progress.ResidualCount) : double.NaN,
            s.Filter?.Soc ?? s.ModelSoc,
            s.Filter?.SocStd ?? double.NaN,
            soh,
            latest?.CapacityAh ?? nominal,
            s.Filter?.Resistance ?? latest?.Resistance ?? double.NaN,
            s.CompletedCycles,
            s.Alerts,
            s.Forecast,
            s.Applied,
            s.Duplicates));
    }

    public async ValueTask<IReadOnlyList<CycleRecord>> GetCyclesAsync()
    {
        var completed = await GrainFactory.GetGrain<ICellHistoryGrain>(GrainKey).GetCyclesAsync();
        return State.Progress.Samples > 0 ? [.. completed, CycleTracker.Complete(State.Progress)] : completed;
    }

    public ValueTask<ForecastResult> GetForecastAsync(double endOfLifeSoh)
    {
        var options = Options.Forecast with { EndOfLifeSoh = endOfLifeSoh > 0 ? endOfLifeSoh : Options.Forecast.EndOfLifeSoh };
        return new(CapacityForecaster.Forecast(History(State.Health), options, PhysicsFade(State)));
    }

    public ValueTask<IReadOnlyList<ActiveAlert>> GetAlertsAsync(bool activeOnly) =>
        new(activeOnly ? State.Alerts : [.. State.ClearedAlerts, .. State.Alerts]);

    private static long HeldCount(CellGrainState s) =>
        s.Unregistered.Values.Sum(v => (long)v.Count) + s.Sources.Values.Sum(c => (long)c.Holding.Count);

    private static List<(int Cycle, double Soh)> History(HealthState health) => [.. health.Recent.Select(p => (p.Cycle, p.Soh))];

    private async ValueTask<TelemetryAck> HoldAsync(TelemetryBatch batch)
    {
        var held = State.Unregistered.TryGetValue(batch.SourceId, out var existing) ? existing : [];
        var known = held.Select(s => s.Sequence).ToHashSet();
        var room = Options.MaxHeldUnregistered - (int)HeldCount(State);
        var fresh = batch.Samples.Where(s => known.Add(s.Sequence)).ToList();
        var taken = fresh.Take(Math.Max(0, room)).ToList();
        var unregistered = new Dictionary<string, IReadOnlyList<CellSample>>(State.Unregistered) { [batch.SourceId] = [.. held, .. taken] };
        State = State with { Unregistered = unregistered };
        var alerts = Evaluate(batch.Samples.Count > 0 ? batch.Samples.Max(x => x.TimeUnixNs) : 0);
        State = State with { Alerts = alerts };
        await WriteStateAsync();
        return new TelemetryAck(batch.SourceId, TelemetryDisposition.Held, 0, 0, batch.Samples.Count - fresh.Count, taken.Count, fresh.Count - taken.Count,
            $"cell {GrainKey} is not registered: {HeldCount(State)} samples held until it is");
    }

    private async ValueTask<TelemetryAck> ApplyCoreAsync(TelemetryBatch batch)
    {
        var cursor = State.Sources.TryGetValue(batch.SourceId, out var c) ? c : new SourceCursor(0, []);
        var plan = SequenceGate.Plan(batch.Samples, cursor.LastApplied, cursor.Holding, Options.MaxHoldingPerSource);
        var ready = plan.Ready;
        var model = ready.Count > 0 ? await AdvanceModelAsync(ready) : null;
        if (model is { Failed: true })
        {
            // Nothing of this batch is applied: the state stays consistent and the source re-sends later.
            State = State with { SolverFailures = State.SolverFailures + 1 };
            var failing = Evaluate(State.LastSample?.TimeUnixNs ?? 0);
            State = State with { Alerts = failing };
            return new TelemetryAck(batch.SourceId, TelemetryDisposition.Deferred, cursor.LastApplied, 0, 0, 0, 0, model.Reason);
        }

        var s = State;
        var progress = s.Progress;
        var health = s.Health;
        var filter = s.Filter;
        var forecast = s.Forecast;
        var last = s.LastSample;
        var residualHistory = s.RecentResidualRms;
        var completedCycles = s.CompletedCycles;
        double modelVoltage = s.ModelVoltage, residual = s.Residual;
        bool halfCycleEnded = false, cycleEnded = false;
        var design = s.Registration!.Design;
        var history = GrainFactory.GetGrain<ICellHistoryGrain>(GrainKey);
        for (var i = 0; i < ready.Count; i++)
        {
            var sample = ready[i];
            var capacity = design.NominalCapacityAh * (health.Latest?.Soh ?? 1.0);
            var reduced = ReducedModelCatalog.TryGet(design.ParameterSet, capacity);
            var filterVoltage = double.NaN;
            if (reduced is not null && double.IsFinite(sample.Voltage) && double.IsFinite(sample.Current))
            {
                if (filter is null || last is null)
                {
                    filter = SocFilter.StartFromVoltage(reduced, Options.Filter, sample.Voltage, sample.Current, 0.01);
                }
                else
                {
                    var step = SocFilter.Step(filter, reduced, Options.Filter, sample.TestTime - last.Value.TestTime, last.Value.Current, sample.Current, sample.Voltage);
                    filter = step.State;
                    filterVoltage = step.PredictedVoltage;
                }
            }

            modelVoltage = model is { Voltages: { } v } && double.IsFinite(v[i]) ? v[i] : filterVoltage;
            residual = sample.Voltage - modelVoltage;
            // Without a reduced model (e.g. BPX cells) SOC is the electrochemical model's, known at the segment's end.
            Points()?.Sample(sample, modelVoltage, filter?.Soc ?? (i == ready.Count - 1 && model is { Failed: false } ? model.Soc : double.NaN));
            var (next, completed, events) = CycleTracker.Apply(progress, sample, modelVoltage, Options.Cycles);
            progress = next;
            halfCycleEnded |= events.HasFlag(CycleEvents.HalfCycleEnded);
            if (completed is not null)
            {
                cycleEnded = true;
                completedCycles++;
                await history.RecordCycleAsync(completed);
                health = HealthTracker.Add(health, completed, design.NominalCapacityAh, Options.Health);
                residualHistory = [.. residualHistory.TakeLast(19), completed.VoltageResidualRms];
                forecast = CapacityForecaster.Forecast(History(health), Options.Forecast, PhysicsFade(s));
                if (Points() is { } points)
                {
                    points.Cycle(completed);
                    points.Forecast(forecast, completed.EndTimeNs, completed.Duration, design.NominalCapacityAh);
                }
            }

            last = sample;
        }

        State = s with
        {
            Sources = new Dictionary<string, SourceCursor>(s.Sources) { [batch.SourceId] = new SourceCursor(plan.LastApplied, plan.Holding) },
            Progress = progress,
            Health = health,
            Filter = filter,
            Forecast = forecast,
            LastSample = last,
            ModelVoltage = modelVoltage,
            Residual = residual,
            RecentResidualRms = residualHistory,
            CompletedCycles = completedCycles,
            ModelState = model is null ? s.ModelState : model.State,
            ModelSoc = model?.Soc ?? s.ModelSoc,
            ModelTestTime = model?.Origin ?? s.ModelTestTime,
            ModelFailures = s.ModelFailures + (model?.SolveFailures ?? 0),
            LastModelFailure = model?.SolveFailures > 0 ? model.Reason : s.LastModelFailure,
            LatestModelFailures = model?.SolveFailures ?? 0,
            Applied = s.Applied + ready.Count,
            Duplicates = s.Duplicates + plan.Duplicates,
            SolverFailures = 0,
        };

        if (last is { } final && ready.Count > 0)
        {
            var latest = health.Latest;
            Points()?.SegmentEnd(final.TimeUnixNs, latest?.Soh ?? 1.0, latest?.CapacityAh ?? design.NominalCapacityAh, filter?.Resistance ?? latest?.Resistance ?? double.NaN);
        }

        if (model?.Profiles is { Count: > 0 } profiles && last is { } end)
        {
            try
            {
                await AdvanceElectrodesAsync(end, profiles, model.Electrodes, halfCycleEnded, cycleEnded);
            }
            catch (Exception e) when (e is GrainCallTimeoutException or Rpc.RpcException or SolverUnavailableException)
            {
                // The electrodes lag this segment; the cell's own telemetry, cycles and SOC are already consistent.
                State = State with { ElectrodeFailures = State.ElectrodeFailures + 1 };
            }
        }

        var active = Evaluate(last?.TimeUnixNs ?? 0);
        State = State with { Alerts = active };
        return new TelemetryAck(batch.SourceId, TelemetryDisposition.Applied, plan.LastApplied, ready.Count, plan.Duplicates, plan.Held, plan.Refused,
            plan.Holding.Count > 0 ? $"{plan.Holding.Count} samples held after a gap in sequence numbers (next expected {plan.LastApplied + 1})" : null);
    }

    /// <summary>
    /// What the Electrochem service gave for the ready samples: voltages (NaN where a step's solve failed), the new
    /// state (null when the last step failed: the next one starts again from its measured voltage), profiles; or why
    /// the whole batch must wait (the service is unavailable).
    /// </summary>
    private sealed record ModelStep(bool Failed, string? Reason, double[]? Voltages, byte[]? State, double Origin, double Soc, IReadOnlyList<Common.ParticleProfile>? Profiles, IReadOnlyList<ElectrodeSummary>? Electrodes, int SolveFailures);

    private async ValueTask<ModelStep?> AdvanceModelAsync(IReadOnlyList<CellSample> ready)
    {
        if (services.Solvers.Electrochem is not { } solver)
        {
            return null;
        }

        var design = State.Registration!.Design;
        var voltages = new double[ready.Count];
        Array.Fill(voltages, double.NaN);
        var stateBytes = State.ModelState;
        var origin = State.ModelTestTime;
        var soc = State.ModelSoc;
        IReadOnlyList<Common.ParticleProfile>? profiles = null;
        IReadOnlyList<ElectrodeSummary>? electrodes = null;
        string? reason = null;
        var failures = 0;
        try
        {
            // One request per run of samples in the same cycle and step (the segments of DESIGN §2), so a step the model
            // cannot follow costs that step's model voltages, not the batch's.
            for (var start = 0; start < ready.Count;)
            {
                var end = start + 1;
                while (end < ready.Count && ready[end].Step == ready[start].Step && ready[end].Cycle == ready[start].Cycle)
                {
                    end++;
                }

                // After a failure the model restarts only where the measured voltage says something about SOC: at rest or
                // at a step's first sample. A loaded voltage mid-step on a flat (LFP) OCV maps to the wrong SOC (3.374 V
                // under 1C charge is 99 % SOC on the A:E LFP set), and the restart would fail again or be anchored to it.
                var previousSample = start > 0 ? ready[start - 1] : State.LastSample;
                var restartable = !(failures > 0 || (State.ModelState is null && State.ModelFailures > 0))
                    || Math.Abs(ready[start].Current) <= RestCurrentC * design.NominalCapacityAh
                    || previousSample is not { } p || p.Step != ready[start].Step || p.Cycle != ready[start].Cycle;
                if (stateBytes is null && !restartable)
                {
                    start = end;
                    continue;
                }

                try
                {
                    ModelState modelState;
                    if (stateBytes is null)
                    {
                        var init = await solver.InitializeStateAsync(new InitializeStateRequest
                        {
                            Model = Options.Model == "spm" ? ModelKind.Spm : Options.Model == "dfn" ? ModelKind.Dfn : ModelKind.Spme,
                            Parameters = ContractMapping.ModelParameters(design),
                            Initial = new InitialCondition { Voltage = ready[start].Voltage },
                            Options = new ModelOptions { Design = ModelDesign(design) },
                        }, CancellationToken.None);
                        modelState = init.State;
                        origin = ready[start].TestTime;
                    }
                    else
                    {
                        modelState = _model is { } cached && ReferenceEquals(cached.Bytes, stateBytes) ? cached.Parsed : Contracts.Electrochem.V1.ModelState.Parser.ParseFrom(stateBytes);
                    }

                    // The service steps to each strictly later sample time; samples that repeat a time reuse the voltage before them.
                    var request = new AdvanceRequest { State = modelState, Interpolation = CurrentInterpolation.ZeroOrderHold, IncludeParticleProfiles = HasParticles(design) };
                    var index = new int[end - start];
                    var previous = origin;
                    for (var i = start; i < end; i++)
                    {
                        if (ready[i].TestTime > previous && double.IsFinite(ready[i].Current))
                        {
                            request.Time.Add(ready[i].TestTime - origin);
                            request.Current.Add(ready[i].Current);
                            previous = ready[i].TestTime;
                        }

                        index[i - start] = request.Time.Count - 1;
                    }

                    if (request.Time.Count > 0)
                    {
                        var response = await solver.AdvanceAsync(request, CancellationToken.None);
                        var before = start > 0 ? voltages[start - 1] : State.ModelVoltage;
                        for (var i = start; i < end; i++)
                        {
                            voltages[i] = index[i - start] >= 0 ? response.Voltage[index[i - start]] : before;
                        }

                        stateBytes = response.State.ToByteArray();
                        _model = (stateBytes, response.State);
                        origin = previous;
                        soc = response.Soc;
                        profiles = [.. response.ParticleProfiles];
                        electrodes = [.. response.Electrodes];
                    }
                    else
                    {
                        stateBytes = modelState.ToByteArray();
                    }
                }
                catch (Rpc.RpcException e) when (e.StatusCode is Rpc.StatusCode.FailedPrecondition or Rpc.StatusCode.InvalidArgument or Rpc.StatusCode.OutOfRange)
                {
                    // The model cannot follow this step (e.g. it leaves the stoichiometry window): no model voltage for it,
                    // and the next step starts a fresh model from its measured voltage. Deterministic, so a replay does the same.
                    failures++;
                    reason = e.Status.Detail;
                    stateBytes = null;
                    _model = null;
                }

                start = end;
            }
        }
        catch (SolverUnavailableException e)
        {
            return new ModelStep(true, e.Message, null, null, double.NaN, double.NaN, null, null, 0);
        }

        return new ModelStep(false, reason, voltages, stateBytes, origin, soc, profiles, electrodes, failures);
    }

    /// <summary>A current at most this C-rate counts as rest for restarting the model from the measured voltage [1/h].</summary>
    private const double RestCurrentC = 0.05;

    // The set travels in the request's parameters only: a BPX scaled to the cell's capacity is not the registered document.
    private static Common.CellDesign ModelDesign(CellDesign design)
    {
        var contract = ContractMapping.ToContract(design);
        contract.Parameters = null;
        return contract;
    }

    private static bool HasParticles(CellDesign design) =>
        design.Positive.ParticleClasses.Count > 0 || design.Negative?.ParticleClasses.Count > 0;

    private async ValueTask AdvanceElectrodesAsync(CellSample end, IReadOnlyList<Common.ParticleProfile> profiles, IReadOnlyList<ElectrodeSummary>? summaries, bool halfCycleEnded, bool cycleEnded)
    {
        var design = State.Registration!.Design;
        var indicators = new List<ElectrodeIndicators>();
        foreach (var (role, electrode) in new[] { (ElectrodeRole.Positive, (ElectrodeDesign?)design.Positive), (ElectrodeRole.Negative, design.Negative) })
        {
            if (electrode is null)
            {
                continue;
            }

            var contractRole = role == ElectrodeRole.Positive ? Common.ElectrodeRole.Positive : Common.ElectrodeRole.Negative;
            var mine = profiles.Where(p => p.Particle?.Electrode == contractRole).Select(p => new ParticleProfileBytes(p.Particle.ClassId, p.ToByteArray())).ToList();
            if (mine.Count == 0)
            {
                continue;
            }

            var summary = summaries?.FirstOrDefault(e => e.Electrode == contractRole);
            var name = role == ElectrodeRole.Positive ? "positive" : "negative";
            var snapshot = await GrainFactory.GetGrain<IElectrodeGrain>($"{GrainKey}/{name}").AdvanceAsync(new ElectrodeUpdate(
                end.TimeUnixNs, end.Cycle, halfCycleEnded, cycleEnded, summary?.AverageStoichiometry ?? double.NaN, summary?.SurfaceStoichiometry ?? double.NaN, mine,
                double.IsFinite(design.StackPressure) ? design.StackPressure : 0, new MechanicsSetup(design.BpxJson is null ? design.ParameterSet : Options.BpxMechanicsSet, design.Electrolyte == ElectrolyteKind.Solid, electrode.BinderMaterial),
                State.Registration.LotId));
            Points()?.Electrode(name, snapshot, end.Cycle);
            var worst = snapshot.Particles.OrderByDescending(p => p.StrengthRatio).FirstOrDefault();
            indicators.Add(new ElectrodeIndicators(name, worst?.StrengthRatio ?? double.NaN, worst?.Key ?? "", snapshot.Particles.Select(p => p.InterfaceGap).DefaultIfEmpty(double.NaN).Max(),
                snapshot.Binder?.FractureMargin ?? double.NaN, snapshot.LossOfActiveMaterial,
                snapshot.Packing?.Last?.StressToStrengthRatio ?? double.NaN, snapshot.Packing?.Last?.AmSeContactLoss ?? double.NaN));
        }

        State = State with { Electrodes = indicators };
    }

    private static PhysicsFade? PhysicsFade(CellGrainState s)
    {
        var lam = s.Electrodes.Where(e => double.IsFinite(e.LossOfActiveMaterial)).Select(e => e.LossOfActiveMaterial).DefaultIfEmpty(double.NaN).Max();
        if (!double.IsFinite(lam) || s.CompletedCycles < 2)
        {
            return null;
        }

        // Loss of active material so far, spread evenly over the cycles it took; its uncertainty is taken as half its size.
        var slope = -lam / s.CompletedCycles;
        return new PhysicsFade(slope, Math.Max(Math.Abs(slope) / 2, 1e-9), new Dictionary<DegradationMechanism, double> { [DegradationMechanism.ParticleCracking] = lam });
    }

    private IReadOnlyList<ActiveAlert> Evaluate(long nowNs)
    {
        var s = State;
        var indicators = new List<Indicator>
        {
            new("cell.held_samples", HeldCount(s)),
            new("cell.solver_failures", s.SolverFailures),
            new("cell.model_out_of_range", s.LatestModelFailures),
        };
        if (s.Progress.ResidualCount >= 30)
        {
            indicators.Add(new("cell.voltage_residual_rms", Math.Sqrt(s.Progress.ResidualSumSquares / s.Progress.ResidualCount)));
        }

        indicators.Add(new("cell.voltage_residual_growth", Trend.Slope(s.RecentResidualRms, 5)));
        if (s.Forecast is { } f)
        {
            indicators.Add(new("cell.cycles_to_end_of_life", f.CyclesToEndOfLifeMedian));
        }

        if (s.LastSample is { } last)
        {
            indicators.Add(new("cell.temperature_c", last.TemperatureC));
        }

        if (s.Registration?.Design is { } design && double.IsFinite(design.FabricationPressure))
        {
            indicators.Add(new("design.fabrication_pressure_ratio", design.FabricationPressure / Options.DesignLimits.SafeFabricationPressure));
        }

        foreach (var e in s.Electrodes)
        {
            indicators.Add(new("particle.strength_ratio", e.MaxStrengthRatio, e.WorstClass));
            indicators.Add(new("particle.interface_gap", e.MaxInterfaceGap, e.Electrode));
            indicators.Add(new("binder.fracture_margin", e.BinderFractureMargin, e.Electrode));
            indicators.Add(new("packing.stress_ratio", e.PackingStressRatio, e.Electrode));
            indicators.Add(new("packing.contact_loss", e.AmSeContactLoss, e.Electrode));
        }

        var changes = AlertEngine.Evaluate(Options.AlertRules, indicators, s.Alerts, nowNs);
        if (Points() is { } points)
        {
            foreach (var raised in changes.Raised)
            {
                points.Alert(raised, true, raised.RaisedAtNs);
            }

            foreach (var cleared in changes.Cleared)
            {
                points.Alert(cleared, false, cleared.ClearedAtNs ?? nowNs);
            }
        }

        if (changes.Cleared.Count > 0)
        {
            State = s with { ClearedAlerts = [.. s.ClearedAlerts.Concat(changes.Cleared).TakeLast(100)] };
        }

        return changes.Active;
    }
}
