// One electrode: fans a segment out to its particle classes, runs the binder at half-cycle ends, aggregates.
using DigitalTwin.Contracts.Viscoplastic.V1;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Twin.Solvers;
using Google.Protobuf;
using Common = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Twin.Grains;

/// <summary>
/// Persisted state of an electrode: the binder material point (the Viscoplastic service's state, protobuf bytes), the
/// stoichiometry the binder was last strained at, and the snapshot. DEM packing results plug in as a further field.
/// </summary>
public sealed record ElectrodeGrainState(byte[]? BinderPoint, double BinderReferenceStoichiometry, double BinderStoichiometry, ElectrodeSnapshot? Snapshot, int SolverFailures);

public sealed class ElectrodeGrain(TwinServices services) : Grain<ElectrodeGrainState>, IElectrodeGrain
{
    /// <summary>
    /// Binder swelling strain per unit change of the particles' stoichiometry (isotropic eigenstrain). A placeholder
    /// until issue 5's electrode model supplies the bridge geometry: 1/3 of the ~6.5 % volume change of NMC over its
    /// stoichiometry window (Kondrakov et al., J. Phys. Chem. C 121 (2017) 3286 report ~5 % for NMC811).
    /// </summary>
    internal const double SwellingPerStoichiometry = 0.065 / 3;

    protected override ElectrodeGrainState CreateInitialState() => new(null, double.NaN, double.NaN, null, 0);

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
        var snapshot = new ElectrodeSnapshot(GrainKey, update.TimeNs, update.AverageStoichiometry, update.SurfaceStoichiometry, binder, lost, particles, failures);
        State = new ElectrodeGrainState(point, reference, update.AverageStoichiometry, snapshot, failures);
        await WriteStateAsync();
        return snapshot;
    }

    public ValueTask<ElectrodeSnapshot> GetStateAsync() =>
        new(State.Snapshot ?? new ElectrodeSnapshot(GrainKey, 0, double.NaN, double.NaN, null, 0, [], 0));
}
