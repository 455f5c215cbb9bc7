// One particle-size class of one electrode (key "cellId/positive/small"): stresses, interface gap and damage, strength.
namespace DigitalTwin.GrainInterfaces;

public interface IParticleGrain : IGrain
{
    /// <summary>Updates the class from its concentration profile (and, at a half-cycle end, its strength).</summary>
    ValueTask<ParticleSnapshot> UpdateAsync(ParticleUpdate update);

    ValueTask<ParticleSnapshot> GetStateAsync();
}

/// <summary>One step of a particle class; <see cref="Profile"/> is the contract's ParticleProfile (protobuf bytes).</summary>
public sealed record ParticleUpdate(long TimeNs, byte[] Profile, bool HalfCycleEnded, double StackPressure, MechanicsSetup Mechanics);

/// <summary>A particle class as its grain holds it (stresses tensile-positive) [Pa, m, dimensionless].</summary>
public sealed record ParticleSnapshot(
    string Key,
    long TimeNs,
    double Radius,
    double AverageStoichiometry,
    double SurfaceStoichiometry,
    double SurfaceHoopStress,
    double MaxTensileStress,
    double InterfaceGap,
    double InterfaceDamage,
    double ContactFraction,
    double Strength,
    double StrengthRatio,
    int HalfCycles);
