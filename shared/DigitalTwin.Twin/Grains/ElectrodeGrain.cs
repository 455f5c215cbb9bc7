// One electrode: fans a segment out to its particle classes, runs the binder at half-cycle ends, aggregates, and
// starts DEM packing studies at cycle ends or on demand (run off its turns; the outcome comes back as a call).
using DigitalTwin.Contracts.Viscoplastic.V1;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Twin.Dem;
using DigitalTwin.Twin.Series;
using DigitalTwin.Twin.Solvers;
using Google.Protobuf;
using Common = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Twin.Grains;

/// <summary>
/// Persisted state of an electrode: the binder material point (the Viscoplastic service's state, protobuf bytes), the
/// stoichiometry the binder was last strained at, the snapshot, and the DEM packing studies.
/// </summary>
public sealed record ElectrodeGrainState(byte[]? BinderPoint, double BinderReferenceStoichiometry, double BinderStoichiometry, ElectrodeSnapshot? Snapshot, int SolverFailures,
    ElectrodePackingState? Packing = null);

/// <summary>
/// The electrode's DEM studies: last and first results, the study in flight (its request id is replay-safe: the DEM
/// service returns the same study for the same id), the stoichiometry range since the last request and the reference
/// (the first one seen: the packing as pressed), the inputs of the next study (from the latest segment), and counts.
/// </summary>
public sealed record ElectrodePackingState(
    PackingSnapshot? Last,
    PackingSnapshot? First,
    PackingStudyStatus? Pending,
    int Requests,
    int LastRequestCycle,
    double WindowMin,
    double WindowMax,
    int Completed,
    int Failures,
    int Skipped,
    string? LastError,
    string LotId,
    int Cycle,
    double StackPressure,
    bool SolidElectrolyte,
    double Reference)
{
    public static ElectrodePackingState Empty { get; } = new(null, null, null, 0, int.MinValue, double.NaN, double.NaN, 0, 0, 0, null, "", 0, 0, false, double.NaN);
}

public sealed class ElectrodeGrain(TwinServices services) : Grain<ElectrodeGrainState>, IElectrodeGrain
{
    /// <summary>
    /// Binder swelling strain per unit change of the particles' stoichiometry (isotropic eigenstrain). A placeholder
    /// until issue 5's electrode model supplies the bridge geometry: 1/3 of the ~6.5 % volume change of NMC over its
    /// stoichiometry window (Kondrakov et al., J. Phys. Chem. C 121 (2017) 3286 report ~5 % for NMC811).
    /// </summary>
    internal const double SwellingPerStoichiometry = 0.065 / 3;

    protected override ElectrodeGrainState CreateInitialState() => new(null, double.NaN, double.NaN, null, 0);

    /// <summary>Persisted with its cell (key <c>cell/positive</c>): under write-behind never durable ahead of the cell.</summary>
    protected override GrainId? PersistenceRoot => new GrainId(GrainId.TypeNameOf(typeof(ICellGrain)), GrainKey[..GrainKey.LastIndexOf('/')]);

    public async ValueTask<ElectrodeSnapshot> AdvanceAsync(ElectrodeUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (State.Snapshot is { } done && update.TimeNs > 0 && update.TimeNs <= done.TimeNs)
        {
            // A cell replaying a segment after a crash: this electrode (and its particles) already took it.
            return done;
        }

        var particles = await Task.WhenAll(update.Profiles.Select(p =>
            GrainFactory.GetGrain<IParticleGrain>($"{GrainKey}/{p.ClassId}").UpdateAsync(new ParticleUpdate(update.TimeNs, p.Profile, update.HalfCycleEnded, update.StackPressure, update.Mechanics)).AsTask()));
        var s = State;
        var binder = s.Snapshot?.Binder;
        var point = s.BinderPoint;
        var reference = double.IsNaN(s.BinderReferenceStoichiometry) ? update.AverageStoichiometry : s.BinderReferenceStoichiometry;
        var failures = 0;
        if (update.HalfCycleEnded && services.Solvers.Binder is { } solver && update.Mechanics.BinderMaterial.Length > 0 && double.IsFinite(update.AverageStoichiometry))
        {
            var eigen = SwellingPerStoichiometry * (update.AverageStoichiometry - reference);
            var history = new PointHistory { Key = GrainKey };
            history.Time.Add(1);
            history.Eigenstrain.AddRange([eigen, eigen, eigen, 0, 0, 0]);

            // Total strain held at zero: the binder bridge is clamped by the particles it joins (an upper bound on its stress).
            history.Strain.AddRange([0, 0, 0, 0, 0, 0]);
            if (point is not null)
            {
                history.State = MaterialPointState.Parser.ParseFrom(point);
            }

            var request = new IntegratePointsRequest { Material = new Common.ParameterSetRef { Name = update.Mechanics.BinderMaterial } };
            request.Points.Add(history);
            try
            {
                var result = (await solver.IntegratePointsAsync(request, CancellationToken.None)).Results.Single();
                if (result.State is null)
                {
                    // The service refused the point: the binder keeps its last state (a deterministic answer, replay-safe).
                    throw new Rpc.RpcException(new Rpc.Status(Rpc.StatusCode.FailedPrecondition, "the Viscoplastic service returned no state for the binder point"));
                }

                point = result.State.ToByteArray();
                binder = new BinderSnapshot(update.Cycle, Math.Max(binder?.Cycle == update.Cycle ? binder.PeakStress : 0, result.PeakEquivalentStress),
                    result.EquivalentStress.DefaultIfEmpty(double.NaN).Average(), result.State.EquivalentPlasticStrain, result.YieldStress, result.StressFractureMargin);
            }
            catch (Exception e) when (e is SolverUnavailableException or Rpc.RpcException)
            {
                failures = s.SolverFailures + 1;
            }
        }

        // Loss of active material: the volume share of classes whose strength fell below their operating stress.
        var lost = particles.Count(p => p.StrengthRatio >= 1) / (double)Math.Max(1, particles.Length);
        // The electrode's stoichiometry from the model's summary, else the mean over its particle classes.
        var x = double.IsFinite(update.AverageStoichiometry) ? update.AverageStoichiometry
            : particles.Select(p => p.AverageStoichiometry).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
        var packing = Track(s.Packing ?? ElectrodePackingState.Empty, update, x);
        if (update.CycleEnded && services.PackingStudies is { Options.EveryCycles: > 0 } runner && (long)update.Cycle - packing.LastRequestCycle >= runner.Options.EveryCycles)
        {
            packing = Start(packing, "cycle-end", packing.Reference, x, out _).Packing;
        }

        var snapshot = new ElectrodeSnapshot(GrainKey, update.TimeNs, update.AverageStoichiometry, update.SurfaceStoichiometry, binder, lost, particles, failures, Figures(packing));
        State = new ElectrodeGrainState(point, reference, update.AverageStoichiometry, snapshot, failures, packing);
        await WriteStateAsync();
        return snapshot;
    }

    public ValueTask<ElectrodeSnapshot> GetStateAsync()
    {
        var snapshot = State.Snapshot ?? new ElectrodeSnapshot(GrainKey, 0, double.NaN, double.NaN, null, 0, [], 0);
        return new(State.Packing is { } p ? snapshot with { Packing = Figures(p) } : snapshot);
    }

    public async ValueTask<PackingStudyTicket> RunPackingStudyAsync()
    {
        if (services.PackingStudies is null)
        {
            return new PackingStudyTicket(false, services.Solvers.Dem is null ? "no DEM service is configured (Twin:DemAddress)" : "DEM studies are switched off (Twin:Dem:Enabled)", null);
        }

        if (State.Snapshot is null)
        {
            return new PackingStudyTicket(false, $"electrode {GrainKey} has no state yet: a study needs its state of charge from at least one segment", null);
        }

        var (packing, started, reason) = Start(State.Packing ?? ElectrodePackingState.Empty, "on-demand", State.Packing?.Reference ?? double.NaN, double.NaN, out var status);
        State = State with { Packing = packing, Snapshot = State.Snapshot with { Packing = Figures(packing) } };
        await WriteStateAsync();
        return new PackingStudyTicket(started, reason, status);
    }

    public ValueTask<bool> CancelPackingStudyAsync() => new(services.PackingStudies?.Cancel(GrainKey) ?? false);

    public async ValueTask CompletePackingStudyAsync(PackingStudyOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (State.Packing is not { Pending: { } pending } p || pending.RequestId != outcome.RequestId)
        {
            // The outcome of a study this electrode no longer waits for (a replay started another one).
            return;
        }

        PackingSnapshot? result = null;
        if (outcome.Result is { } r)
        {
            var strengths = State.Snapshot?.Particles.Select(x => x.Strength).Where(v => double.IsFinite(v) && v > 0).ToList() ?? [];
            result = PackingStudySpec.WithComparisons(r, p.First ?? r, strengths.Count > 0 ? strengths.Min() : double.NaN);
            p = p with { Last = result, First = p.First ?? result, Pending = null, Completed = p.Completed + 1, LastError = null };
        }
        else
        {
            p = p with { Pending = null, Failures = p.Failures + 1, LastError = outcome.Error };
        }

        State = State with { Packing = p, Snapshot = State.Snapshot is { } snap ? snap with { Packing = Figures(p) } : null };
        await WriteStateAsync();
        var slash = GrainKey.LastIndexOf('/');
        var (cellId, electrode) = (GrainKey[..slash], GrainKey[(slash + 1)..]);
        if (result is not null && services.Series is { } series && p.LotId.Length > 0)
        {
            var points = new TwinPoints(cellId, p.LotId, services.Options.Model);
            points.Dem(electrode, result);
            series.Enqueue(points.Batch);
        }

        services.Updates.Publish(new CellChanged(cellId, p.LotId, electrode));
    }

    /// <summary>The inputs of the next study from the latest segment, and the stoichiometry range since the last request.</summary>
    private static ElectrodePackingState Track(ElectrodePackingState p, ElectrodeUpdate update, double x) =>
        p with
        {
            Reference = double.IsNaN(p.Reference) ? x : p.Reference,
            WindowMin = double.IsFinite(x) ? (double.IsNaN(p.WindowMin) ? x : Math.Min(p.WindowMin, x)) : p.WindowMin,
            WindowMax = double.IsFinite(x) ? (double.IsNaN(p.WindowMax) ? x : Math.Max(p.WindowMax, x)) : p.WindowMax,
            LotId = update.LotId.Length > 0 ? update.LotId : p.LotId,
            Cycle = update.Cycle,
            StackPressure = update.StackPressure,
            SolidElectrolyte = update.Mechanics.SolidElectrolyte,
        };

    /// <summary>
    /// Hands a study to the runner, unless one is in flight (skipped). A pending study the runner does not know (the
    /// host restarted) starts again under its request id. The active material swells to the stoichiometry of the
    /// window that lies farthest from the reference (the packing as pressed).
    /// </summary>
    private (ElectrodePackingState Packing, bool Started, string Reason) Start(ElectrodePackingState p, string trigger, double reference, double current, out PackingStudyStatus? status)
    {
        var runner = services.PackingStudies!;
        status = null;
        if (p.Pending is { } pending && runner.IsRunning(GrainKey, pending.RequestId))
        {
            status = runner.Progress(GrainKey) ?? pending;
            return (p with { Skipped = p.Skipped + 1 }, false, $"study {status.StudyId} requested at cycle {pending.Cycle} is still in flight");
        }

        var o = runner.Options;
        var peak = Math.Abs(p.WindowMax - reference) >= Math.Abs(p.WindowMin - reference) ? p.WindowMax : p.WindowMin;
        var strain = double.IsFinite(peak) && double.IsFinite(reference) ? o.SwellingPerStoichiometry * (peak - reference) : 0;
        var pressure = p.StackPressure > 0 ? p.StackPressure : o.DefaultStackPressure;
        var requests = p.Pending is null ? p.Requests + 1 : p.Requests;
        var requestId = p.Pending?.RequestId ?? $"{GrainKey}#{requests}";
        var now = (TimeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        var next = new PackingStudyStatus(requestId, "", p.Cycle, trigger, now, 0, "", "queued");
        var spec = PackingStudySpec.Build(o, pressure, p.SolidElectrolyte, strain, $"twin {GrainKey} cycle {p.Cycle} ({trigger})");
        var factory = GrainFactory;
        var key = GrainKey;
        if (!runner.TryStart(key, next, spec, outcome => factory.GetGrain<IElectrodeGrain>(key).CompletePackingStudyAsync(outcome), out var reason))
        {
            return (p with { Skipped = p.Skipped + 1, LastError = reason }, false, reason);
        }

        status = next;
        return (p with { Pending = next, Requests = requests, LastRequestCycle = p.Cycle, WindowMin = current, WindowMax = current }, true, "");
    }

    /// <summary>The snapshot's view: the pending study carries the runner's latest progress (not persisted).</summary>
    private PackingFigures Figures(ElectrodePackingState p)
    {
        var pending = p.Pending is { } q && services.PackingStudies?.Progress(GrainKey) is { } live && live.RequestId == q.RequestId ? live : p.Pending;
        return new PackingFigures(p.Last, pending, p.Completed, p.Failures, p.Skipped, p.LastError);
    }
}
