// The Twin contract served from the grains: each call checks access, maps the message, and asks one grain;
// QuerySeries reads the time-series store the twin writes to, WatchCells streams cells as their state changes.
using DigitalTwin.Contracts.Twin.V1;
using DigitalTwin.Estimation.Alerts;
using DigitalTwin.Estimation.Cycles;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Grains;
using DigitalTwin.Rpc;
using DigitalTwin.Twin.Access;
using DigitalTwin.Twin.Mapping;
using DigitalTwin.Twin.Series;
using DigitalTwin.TimeSeries.Rpc;
using Google.Protobuf.WellKnownTypes;
using Common = DigitalTwin.Contracts.Common.V1;
using Contract = DigitalTwin.Contracts.Twin.V1;

namespace DigitalTwin.Services.Twin;

internal sealed class TwinGrpcService(IGrainFactory grains, ApiKeyPolicy access, CellUpdates? updates = null, TwinSeriesQuery? series = null, Func<CancellationToken, Task<int>>? flush = null) : TwinServiceBase
{
    public override Task<QuerySeriesResponse> QuerySeries(QuerySeriesRequest request, ServerCallContext context)
    {
        Authorize(context, write: false);
        return series is null
            ? throw new RpcException(new Status(StatusCode.FailedPrecondition, "no time-series store is configured (Twin:SeriesUrl)"))
            : series.QueryAsync(request, context.CancellationToken);
    }

    public override async Task WatchCells(WatchCellsRequest request, IServerStreamWriter<WatchCellsResponse> responseStream, ServerCallContext context)
    {
        Authorize(context, write: false);
        if (updates is null)
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, "this host publishes no cell updates"));
        }

        var ids = request.CellIds.ToHashSet(StringComparer.Ordinal);
        var minInterval = request.MinInterval?.ToTimeSpan() ?? TimeSpan.Zero;
        var sent = new Dictionary<string, long>(StringComparer.Ordinal);
        var feed = updates.Watch(context.CancellationToken);
        try
        {
            await foreach (var change in feed.ReadAllAsync(context.CancellationToken))
            {
                if ((ids.Count > 0 && !ids.Contains(change.CellId)) || (request.LotId.Length > 0 && request.LotId != change.LotId))
                {
                    continue;
                }

                var now = Environment.TickCount64;
                if (minInterval > TimeSpan.Zero && sent.TryGetValue(change.CellId, out var last) && now - last < minInterval.TotalMilliseconds)
                {
                    continue;
                }

                // A DEM result changes one electrode only: its watchers get that electrode, not the whole cell again.
                if (change.Electrode is null)
                {
                    sent[change.CellId] = now;
                    var state = await grains.GetGrain<ICellGrain>(change.CellId).GetStateAsync();
                    await responseStream.WriteAsync(new WatchCellsResponse { Cell = CellState(state) });
                    if (!request.IncludeElectrodes && !request.IncludeParticles)
                    {
                        continue;
                    }

                    foreach (var role in Roles(state.Registration))
                    {
                        await WriteElectrodeAsync(responseStream, change.CellId, role, request.IncludeElectrodes, request.IncludeParticles);
                    }
                }
                else if (request.IncludeElectrodes)
                {
                    await WriteElectrodeAsync(responseStream, change.CellId, change.Electrode == "negative" ? Common.ElectrodeRole.Negative : Common.ElectrodeRole.Positive, true, false);
                }
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher went away.
        }
    }

    /// <summary>The electrodes a registered cell has (a half cell has no negative).</summary>
    private static IEnumerable<Common.ElectrodeRole> Roles(CellRegistration? registration) =>
        registration is null ? [] : registration.Design.Negative is null ? [Common.ElectrodeRole.Positive] : [Common.ElectrodeRole.Positive, Common.ElectrodeRole.Negative];

    private async Task WriteElectrodeAsync(IServerStreamWriter<WatchCellsResponse> stream, string cellId, Common.ElectrodeRole role, bool electrode, bool particles)
    {
        var state = ElectrodeState(cellId, role, await grains.GetGrain<IElectrodeGrain>($"{cellId}/{Role(role)}").GetStateAsync());
        if (state.Time is null)
        {
            // The electrode has not been advanced yet: nothing to show.
            return;
        }

        if (electrode)
        {
            await stream.WriteAsync(new WatchCellsResponse { Electrode = state });
        }

        if (particles)
        {
            foreach (var particle in state.Particles)
            {
                await stream.WriteAsync(new WatchCellsResponse { Particle = particle });
            }
        }
    }

    public override async Task<RunPackingStudyResponse> RunPackingStudy(RunPackingStudyRequest request, ServerCallContext context)
    {
        Authorize(context, write: true);
        Require(request.CellId, "cell_id");
        var ticket = await grains.GetGrain<IElectrodeGrain>($"{request.CellId}/{Role(request.Electrode)}").RunPackingStudyAsync();
        if (!ticket.Accepted && ticket.Study is null)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"cell {request.CellId} {Role(request.Electrode)}: {ticket.Reason}"));
        }

        return new RunPackingStudyResponse { Accepted = ticket.Accepted, Reason = ticket.Reason, Study = ticket.Study is { } s ? Pending(s) : null };
    }

    public override async Task<RegisterCellResponse> RegisterCell(RegisterCellRequest request, ServerCallContext context)
    {
        Authorize(context, write: true);
        Require(request.CellId, "cell_id");
        if (request.Design is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "design: missing"));
        }

        var registeredAt = DateTimeOffset.UtcNow;
        var registration = new CellRegistration(request.LotId, ContractMapping.ToDesign(request.Design), request.Labels.ToDictionary(), registeredAt.ToUnixTimeMilliseconds() * 1_000_000);
        var result = await grains.GetGrain<ICellGrain>(request.CellId).RegisterAsync(registration);
        await FlushAsync(context.CancellationToken);
        if (!result.Accepted)
        {
            throw new RpcException(new Status(result.AlreadyRegistered ? StatusCode.AlreadyExists : StatusCode.InvalidArgument,
                $"cell {request.CellId} refused: {string.Join("; ", result.Problems)}"));
        }

        var response = new RegisterCellResponse { Cell = Cell(request.CellId, registration), AlreadyRegistered = result.AlreadyRegistered, HeldSamplesApplied = (ulong)result.HeldSamplesApplied };
        response.Warnings.AddRange(result.Warnings.Select(w => new Common.Diagnostic { Message = w }));
        return response;
    }

    public override async Task<GetCellResponse> GetCell(GetCellRequest request, ServerCallContext context)
    {
        Authorize(context, write: false);
        var state = await grains.GetGrain<ICellGrain>(request.CellId).GetStateAsync();
        return state.Registration is { } r
            ? new GetCellResponse { Cell = Cell(request.CellId, r) }
            : throw new RpcException(new Status(StatusCode.NotFound, $"cell {request.CellId} is not registered"));
    }

    public override async Task<ListCellsResponse> ListCells(ListCellsRequest request, ServerCallContext context)
    {
        Authorize(context, write: false);
        var response = new ListCellsResponse();
        foreach (var entry in await FleetDirectory.ListAsync(grains, request.LotId))
        {
            var s = await grains.GetGrain<ICellGrain>(entry.CellId).GetStateAsync();
            response.Cells.Add(new CellSummary
            {
                CellId = entry.CellId,
                LotId = entry.LotId,
                Status = Status(s.Status),
                Soc = s.Soc,
                Soh = s.Soh,
                CycleIndex = (uint)Math.Max(0, s.LastSample?.Cycle ?? 0),
                ActiveAlerts = (uint)s.ActiveAlerts.Count,
                HighestAlert = s.ActiveAlerts.Count == 0 ? Contract.AlertSeverity.Unspecified : (Contract.AlertSeverity)(int)s.ActiveAlerts.Max(a => a.Severity),
                LastSampleTime = Time(s.LastSample?.TimeUnixNs),
                CyclesToEndOfLife = s.Forecast?.CyclesToEndOfLifeMedian ?? double.NaN,
            });
        }

        return response;
    }

    public override async Task<GetCellStateResponse> GetCellState(GetCellStateRequest request, ServerCallContext context)
    {
        Authorize(context, write: false);
        var s = await grains.GetGrain<ICellGrain>(request.CellId).GetStateAsync();
        return new GetCellStateResponse { State = CellState(s) };
    }

    private static Contract.CellState CellState(CellSnapshot s)
    {
        var state = new Contract.CellState
        {
            CellId = s.CellId,
            Status = Status(s.Status),
            Time = Time(s.LastSample?.TimeUnixNs),
            CycleIndex = (uint)Math.Max(0, s.LastSample?.Cycle ?? 0),
            StepType = (Common.StepType)(int)(s.LastSample?.StepKind ?? 0),
            Current = s.LastSample?.Current ?? double.NaN,
            MeasuredVoltage = s.LastSample?.Voltage ?? double.NaN,
            ModelVoltage = s.ModelVoltage,
            VoltageResidual = s.VoltageResidual,
            VoltageResidualRms = s.VoltageResidualRms,
            Temperature = (s.LastSample?.TemperatureC ?? double.NaN) + 273.15,
            Soc = s.Soc,
            SocStd = s.SocStd,
            Soh = s.Soh,
            CapacityAh = s.CapacityAh,
            Resistance = s.Resistance,
        };
        foreach (var (source, sequence) in s.LastAppliedSequence)
        {
            state.LastAppliedSequence[source] = sequence;
        }

        state.ActiveAlerts.AddRange(s.ActiveAlerts.Select(a => Alert(s.CellId, a)));
        return state;
    }

    private Task FlushAsync(CancellationToken cancellationToken) => flush?.Invoke(cancellationToken) ?? Task.CompletedTask;

    public override async Task<ApplyTelemetryResponse> ApplyTelemetry(ApplyTelemetryRequest request, ServerCallContext context)
    {
        Authorize(context, write: true);
        var batch = request.Batch ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "batch: missing"));
        var problems = ContractMapping.BatchProblems(batch);
        if (problems.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"batch for cell {batch.CellId}, source {batch.SourceId}: {string.Join("; ", problems)}"));
        }

        var ack = await grains.GetGrain<ICellGrain>(batch.CellId).ApplyTelemetryAsync(new TelemetryBatch(batch.SourceId, ContractMapping.ToSamples(batch)));

        // Under write-behind the acknowledged LastAppliedSequence must be durable before the caller hears it (a flush is a group commit).
        await FlushAsync(context.CancellationToken);
        if (ack.Disposition == GrainInterfaces.TelemetryDisposition.Deferred)
        {
            // The caller keeps the samples and retries: nothing was applied.
            throw new RpcException(new Status(StatusCode.Unavailable, ack.Reason ?? "a solver is unavailable"));
        }

        return new ApplyTelemetryResponse
        {
            CellId = batch.CellId,
            SourceId = batch.SourceId,
            Disposition = ack.Disposition == GrainInterfaces.TelemetryDisposition.Held ? Contract.TelemetryDisposition.Held : Contract.TelemetryDisposition.Applied,
            LastAppliedSequence = ack.LastAppliedSequence,
            Applied = (ulong)ack.Applied,
            Duplicates = (ulong)ack.Duplicates,
            Held = (ulong)ack.Held,
        };
    }

    public override async Task<ListCellCyclesResponse> ListCellCycles(ListCellCyclesRequest request, ServerCallContext context)
    {
        Authorize(context, write: false);
        var response = new ListCellCyclesResponse();
        foreach (var c in await grains.GetGrain<ICellGrain>(request.CellId).GetCyclesAsync())
        {
            response.Cycles.Add(Cycle(request.CellId, c));
        }

        return response;
    }

    public override async Task<GetForecastResponse> GetForecast(GetForecastRequest request, ServerCallContext context)
    {
        Authorize(context, write: false);
        var f = await grains.GetGrain<ICellGrain>(request.CellId).GetForecastAsync(request.HasEndOfLifeSoh ? request.EndOfLifeSoh : 0.8);
        var forecast = new Forecast
        {
            CellId = request.CellId,
            ComputedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            LastCycleIndex = (uint)Math.Max(0, f.LastCycle),
            EndOfLifeSoh = f.EndOfLifeSoh,
            BandProbability = f.BandProbability,
            CyclesToEndOfLifeMedian = f.CyclesToEndOfLifeMedian,
            CyclesToEndOfLifeLower = f.CyclesToEndOfLifeLower,
            CyclesToEndOfLifeUpper = f.CyclesToEndOfLifeUpper,
            Method = f.Method,
        };
        forecast.Cycle.AddRange(f.TrajectoryCycle.Select(c => (uint)Math.Max(0, c)));
        forecast.SohMedian.AddRange(f.SohMedian);
        forecast.SohLower.AddRange(f.SohLower);
        forecast.SohUpper.AddRange(f.SohUpper);
        forecast.Contributions.AddRange(f.Contributions.Select(c => new DegradationShare { Mechanism = (Contract.DegradationMechanism)(int)c.Key, CapacityLossFraction = c.Value }));
        return new GetForecastResponse { Forecast = forecast };
    }

    public override async Task<GetElectrodeStateResponse> GetElectrodeState(GetElectrodeStateRequest request, ServerCallContext context)
    {
        Authorize(context, write: false);
        var key = $"{request.CellId}/{Role(request.Electrode)}";
        var e = await grains.GetGrain<IElectrodeGrain>(key).GetStateAsync();
        return new GetElectrodeStateResponse { State = ElectrodeState(request.CellId, request.Electrode, e) };
    }

    private static Contract.ElectrodeState ElectrodeState(string cellId, Common.ElectrodeRole role, ElectrodeSnapshot e)
    {
        var state = new Contract.ElectrodeState
        {
            CellId = cellId,
            Electrode = role,
            Time = Time(e.TimeNs),
            Summary = new Contract.ElectrodeSummary { Electrode = role, AverageStoichiometry = e.AverageStoichiometry, SurfaceStoichiometry = e.SurfaceStoichiometry },
            LossOfActiveMaterial = e.LossOfActiveMaterial,
        };
        if (e.Binder is { } b)
        {
            state.Binder = new BinderState { CycleIndex = (uint)Math.Max(0, b.Cycle), PeakStress = b.PeakStress, MeanStress = b.MeanStress, AccumulatedPlasticStrain = b.AccumulatedPlasticStrain, YieldStress = b.YieldStress, FractureMargin = b.FractureMargin };
        }

        if (e.Packing is { } packing)
        {
            state.Packing = Packing(packing);
        }

        state.Particles.AddRange(e.Particles.Select(p => Particle(cellId, role, p)));
        return state;
    }

    private static PackingState Packing(PackingFigures f)
    {
        var state = new PackingState
        {
            Completed = (uint)f.Completed,
            Failures = (uint)f.Failures,
            Skipped = (uint)f.Skipped,
            LastError = f.LastError ?? "",
            Pending = f.Pending is { } p ? Pending(p) : null,
            EffectiveConductivityRatio = double.NaN,
        };
        if (f.Last is not { } r)
        {
            return state;
        }

        state.StudyId = r.StudyId;
        state.Time = Time(r.FinishedAtNs);
        state.SolidFraction = r.SolidFraction;
        state.ActiveMaterialStressZz = r.ActiveMaterialStressZz;
        state.MeanCoordination = r.MeanCoordination;
        state.CycleIndex = (uint)Math.Max(0, r.Cycle);
        state.Trigger = r.Trigger;
        state.SwellingStrain = r.SwellingStrain;
        state.PlatePressure = r.PlatePressure;
        state.Thickness = r.Thickness;
        state.AmSeContacts = (ulong)Math.Max(0, r.AmSeContacts);
        state.AmSeCoordination = r.AmSeCoordination;
        state.AmSeContactLoss = r.AmSeContactLoss;
        state.StressToStrengthRatio = r.StressToStrengthRatio;
        state.TypeStresses.AddRange(r.Types.Select(t => new PackingTypeStress
        {
            TypeName = t.TypeName, ActiveMaterial = t.ActiveMaterial, StressZz = t.StressZz, StressZzP95 = t.StressZzP95, MeanStress = t.MeanStress, Coordination = t.Coordination,
        }));
        return state;
    }

    private static Contract.PackingStudyStatus Pending(GrainInterfaces.PackingStudyStatus s) => new()
    {
        StudyId = s.StudyId,
        CycleIndex = (uint)Math.Max(0, s.Cycle),
        Trigger = s.Trigger,
        RequestedAt = Time(s.RequestedAtNs),
        Fraction = s.Fraction,
        Stage = s.Stage,
        Message = s.Message,
    };

    public override async Task<GetParticleStateResponse> GetParticleState(GetParticleStateRequest request, ServerCallContext context)
    {
        Authorize(context, write: false);
        var electrode = request.Particle?.Electrode ?? Common.ElectrodeRole.Unspecified;
        var p = await grains.GetGrain<IParticleGrain>($"{request.CellId}/{Role(electrode)}/{request.Particle?.ClassId}").GetStateAsync();
        return new GetParticleStateResponse { State = Particle(request.CellId, electrode, p) };
    }

    public override async Task<ListAlertsResponse> ListAlerts(ListAlertsRequest request, ServerCallContext context)
    {
        Authorize(context, write: false);
        var cells = request.ScopeCase == ListAlertsRequest.ScopeOneofCase.LotId
            ? (await FleetDirectory.ListAsync(grains, request.LotId)).Select(e => e.CellId).ToList()
            : [request.CellId];
        var response = new ListAlertsResponse();
        foreach (var cell in cells)
        {
            response.Alerts.AddRange((await grains.GetGrain<ICellGrain>(cell).GetAlertsAsync(request.ActiveOnly)).Select(a => Alert(cell, a)));
        }

        return response;
    }

    private static string Role(Common.ElectrodeRole role) => role switch
    {
        Common.ElectrodeRole.Positive => "positive",
        Common.ElectrodeRole.Negative => "negative",
        _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "electrode: must be NEGATIVE or POSITIVE")),
    };

    private static Contract.ParticleState Particle(string cellId, Common.ElectrodeRole electrode, ParticleSnapshot p) => new()
    {
        CellId = cellId,
        Particle = new Common.ParticleClassRef { Electrode = electrode, ClassId = p.Key[(p.Key.LastIndexOf('/') + 1)..] },
        Time = Time(p.TimeNs),
        Radius = p.Radius,
        AverageStoichiometry = p.AverageStoichiometry,
        SurfaceStoichiometry = p.SurfaceStoichiometry,
        SurfaceHoopStress = p.SurfaceHoopStress,
        MaxTensileStress = p.MaxTensileStress,
        InterfaceGap = p.InterfaceGap,
        InterfaceDamage = p.InterfaceDamage,
        ContactFraction = p.ContactFraction,
        Strength = p.Strength,
        StrengthRatio = p.StrengthRatio,
    };

    private void Authorize(ServerCallContext context, bool write)
    {
        if (access.Check(context.RequestHeaders.GetValue(ApiKeyPolicy.Header), write) is { } reason)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, reason));
        }
    }

    private static void Require(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field}: empty"));
        }
    }

    private static Contract.Cell Cell(string cellId, CellRegistration r)
    {
        var cell = new Contract.Cell { CellId = cellId, LotId = r.LotId, Design = ContractMapping.ToContract(r.Design), RegisteredAt = Time(r.RegisteredAtNs) };
        foreach (var (k, v) in r.Labels)
        {
            cell.Labels[k] = v;
        }

        return cell;
    }

    private static Contract.CellStatus Status(GrainInterfaces.CellStatus status) => status switch
    {
        GrainInterfaces.CellStatus.Registered => Contract.CellStatus.Registered,
        GrainInterfaces.CellStatus.Live => Contract.CellStatus.Live,
        GrainInterfaces.CellStatus.EndOfLife => Contract.CellStatus.EndOfLife,
        GrainInterfaces.CellStatus.Faulted => Contract.CellStatus.Faulted,
        _ => Contract.CellStatus.Unspecified,
    };

    private static Timestamp? Time(long? unixNs) =>
        unixNs is long ns && ns != 0 ? Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddTicks(ns / 100)) : null;

    private static Contract.Alert Alert(string cellId, ActiveAlert a) => new()
    {
        AlertId = a.Id,
        CellId = cellId,
        Severity = (Contract.AlertSeverity)(int)a.Severity,
        Kind = (Contract.AlertKind)(int)a.Kind,
        Reason = a.Reason,
        RaisedAt = Time(a.RaisedAtNs),
        ClearedAt = Time(a.ClearedAtNs),
        Value = a.Value,
        Threshold = a.Threshold,
        Unit = a.Unit,
    };

    private static CellCycle Cycle(string cellId, CycleRecord c) => new()
    {
        Measured = new Common.CycleSummary
        {
            CellId = cellId,
            CycleIndex = (uint)Math.Max(0, c.Cycle),
            StartTime = Time(c.StartTimeNs),
            EndTime = Time(c.EndTimeNs),
            Duration = c.Duration,
            ChargeCapacityAh = c.ChargeCapacityAh,
            DischargeCapacityAh = c.DischargeCapacityAh,
            CoulombicEfficiency = c.CoulombicEfficiency,
            ChargeEnergyWh = c.ChargeEnergyWh,
            DischargeEnergyWh = c.DischargeEnergyWh,
            MinVoltage = c.MinVoltage,
            MaxVoltage = c.MaxVoltage,
        },
        Resistance = c.Resistance,
        VoltageResidualRms = c.VoltageResidualRms,
    };
}
