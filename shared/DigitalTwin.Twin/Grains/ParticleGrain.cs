// One particle-size class: keeps the mechanics state the Mechanics service hands back, and its latest figures.
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Estimation.Particles;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Twin.Solvers;
using Google.Protobuf;
using Common = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Twin.Grains;

/// <summary>Persisted state of a particle class: the service's opaque mechanics state (protobuf bytes) and the snapshot.</summary>
public sealed record ParticleGrainState(byte[]? Mechanics, ParticleSnapshot? Snapshot, int SolverFailures);

public sealed class ParticleGrain(TwinServices services) : Grain<ParticleGrainState>, IParticleGrain
{
    /// <summary>The parsed mechanics state of the bytes in <see cref="ParticleGrainState.Mechanics"/> (same reference): parsed once per activation.</summary>
    private (byte[] Bytes, ParticleMechanicsState Parsed)? _mechanics;

    protected override ParticleGrainState CreateInitialState() => new(null, null, 0);

    /// <summary>Persisted with its cell (key <c>cell/positive/class</c>): under write-behind never durable ahead of the cell.</summary>
    protected override GrainId? PersistenceRoot
    {
        get
        {
            var electrode = GrainKey[..GrainKey.LastIndexOf('/')];
            return new GrainId(GrainId.TypeNameOf(typeof(ICellGrain)), electrode[..electrode.LastIndexOf('/')]);
        }
    }

    public async ValueTask<ParticleSnapshot> UpdateAsync(GrainInterfaces.ParticleUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (State.Snapshot is { } done && update.TimeNs > 0 && update.TimeNs <= done.TimeNs)
        {
            // A replayed segment (the cell crashed after this class took it): applying it again would double its damage.
            return done;
        }

        var profile = CentreToSurface(Common.ParticleProfile.Parser.ParseFrom(update.Profile));
        var (average, surface) = ProfileSummary.Of(profile.Radius, profile.Concentration, profile.MaxConcentration);
        var previous = State.Snapshot;
        var snapshot = new ParticleSnapshot(GrainKey, update.TimeNs, profile.ParticleRadius, average, surface,
            previous?.SurfaceHoopStress ?? double.NaN, previous?.MaxTensileStress ?? double.NaN, previous?.InterfaceGap ?? double.NaN,
            previous?.InterfaceDamage ?? double.NaN, previous?.ContactFraction ?? double.NaN, previous?.Strength ?? double.NaN,
            previous?.StrengthRatio ?? double.NaN, (previous?.HalfCycles ?? 0) + (update.HalfCycleEnded ? 1 : 0));
        var mechanics = State.Mechanics;
        var failures = 0;
        if (services.Solvers.Mechanics is { } solver)
        {
            var item = new Contracts.Mechanics.V1.ParticleUpdate { Key = GrainKey, Profile = profile, StackPressure = update.StackPressure };
            if (mechanics is not null)
            {
                item.State = _mechanics is { } cached && ReferenceEquals(cached.Bytes, mechanics) ? cached.Parsed : ParticleMechanicsState.Parser.ParseFrom(mechanics);
            }

            if (update.HalfCycleEnded)
            {
                item.CompletedHalfCycle = surface < average ? HalfCycle.Charge : HalfCycle.Discharge;
            }

            var request = new UpdateParticlesRequest
            {
                Settings = new MechanicsSettings
                {
                    Parameters = new Common.ParameterSetRef { Name = update.Mechanics.ParameterSet },
                    Environment = update.Mechanics.SolidElectrolyte ? Common.ElectrolyteKind.Solid : Common.ElectrolyteKind.Liquid,
                },
            };
            request.Items.Add(item);
            try
            {
                var result = (await solver.UpdateParticlesAsync(request, CancellationToken.None)).Results.Single();
                if (result.State is null)
                {
                    // The service refused this item (its diagnostics say why): a deterministic answer, so skipping it is replay-safe.
                    throw new Rpc.RpcException(new Rpc.Status(Rpc.StatusCode.FailedPrecondition, string.Join("; ", result.Diagnostics.Select(d => d.Message))));
                }

                mechanics = result.State.ToByteArray();
                _mechanics = (mechanics, result.State);
                snapshot = snapshot with
                {
                    SurfaceHoopStress = result.Stress?.SurfaceHoopStress ?? double.NaN,
                    MaxTensileStress = result.Stress?.MaxTensileStress ?? double.NaN,
                    InterfaceGap = result.Interface?.Gap ?? snapshot.InterfaceGap,
                    InterfaceDamage = result.Interface?.State?.Damage ?? snapshot.InterfaceDamage,
                    ContactFraction = result.Interface?.ContactFraction ?? snapshot.ContactFraction,
                    Strength = result.State?.Strength?.Strength ?? snapshot.Strength,
                    StrengthRatio = result.Strength?.StrengthRatio ?? StrengthRatio(result),
                };
            }
            catch (Exception e) when (e is SolverUnavailableException or Rpc.RpcException)
            {
                // The mechanics lag behind for this step; the last consistent mechanics state is kept.
                _mechanics = null;
                failures = State.SolverFailures + 1;
                snapshot = snapshot with { HalfCycles = previous?.HalfCycles ?? 0 };
            }
        }

        State = new ParticleGrainState(mechanics, snapshot, failures);
        await WriteStateAsync();
        return snapshot;
    }

    public ValueTask<ParticleSnapshot> GetStateAsync() =>
        new(State.Snapshot ?? new ParticleSnapshot(GrainKey, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0));

    /// <summary>
    /// The contract's profile runs from the centre (0) to the surface (particle_radius); the Electrochem service sends its
    /// finite-volume centres. Nodes are added at 0 (symmetry: the first value) and at the surface (linear extrapolation).
    /// </summary>
    internal static Common.ParticleProfile CentreToSurface(Common.ParticleProfile p)
    {
        var n = p.Radius.Count;
        if (n < 2 || n != p.Concentration.Count || (p.Radius[0] == 0 && !(p.Radius[^1] < p.ParticleRadius)))
        {
            return p;
        }

        var fixedUp = p.Clone();
        if (p.Radius[0] > 0)
        {
            fixedUp.Radius.Insert(0, 0);
            fixedUp.Concentration.Insert(0, p.Concentration[0]);
        }

        if (p.Radius[^1] < p.ParticleRadius)
        {
            var slope = (p.Concentration[^1] - p.Concentration[^2]) / (p.Radius[^1] - p.Radius[^2]);
            fixedUp.Radius.Add(p.ParticleRadius);
            fixedUp.Concentration.Add(p.Concentration[^1] + (slope * (p.ParticleRadius - p.Radius[^1])));
        }

        return fixedUp;
    }

    private static double StrengthRatio(ParticleResult result) =>
        result.State?.Strength is { Strength: > 0 } s && result.Stress is { } stress ? stress.MaxTensileStress / s.Strength : double.NaN;
}
