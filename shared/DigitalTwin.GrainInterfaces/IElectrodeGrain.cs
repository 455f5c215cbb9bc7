// One electrode of a cell (key "cellId/positive"): aggregates its particle classes; binder and packing live here.
namespace DigitalTwin.GrainInterfaces;

public interface IElectrodeGrain : IGrain
{
    /// <summary>Applies the electrode's particle profiles at the end of a segment; binder at half-cycle ends.</summary>
    ValueTask<ElectrodeSnapshot> AdvanceAsync(ElectrodeUpdate update);

    ValueTask<ElectrodeSnapshot> GetStateAsync();
}

/// <summary>Which electrode.</summary>
public enum ElectrodeRole
{
    Negative = 1,
    Positive = 2,
}

/// <summary>
/// Input of one electrode step. <see cref="Profiles"/> are the contract's ParticleProfile messages, serialized
/// (protobuf bytes), one per particle class; <see cref="AverageStoichiometry"/> drives binder swelling.
/// </summary>
public sealed record ElectrodeUpdate(
    long TimeNs,
    int Cycle,
    bool HalfCycleEnded,
    bool CycleEnded,
    double AverageStoichiometry,
    double SurfaceStoichiometry,
    IReadOnlyList<ParticleProfileBytes> Profiles,
    double StackPressure,
    MechanicsSetup Mechanics);

/// <summary>One serialized particle profile and the class it belongs to.</summary>
public sealed record ParticleProfileBytes(string ClassId, byte[] Profile);

/// <summary>How the electrode's mechanics are computed: parameter set, environment, binder material.</summary>
public sealed record MechanicsSetup(string ParameterSet, bool SolidElectrolyte, string BinderMaterial);

/// <summary>Binder figures of the electrode (issue 5).</summary>
public sealed record BinderSnapshot(int Cycle, double PeakStress, double MeanStress, double AccumulatedPlasticStrain, double YieldStress, double FractureMargin);

/// <summary>An electrode as its grain holds it.</summary>
public sealed record ElectrodeSnapshot(
    string Key,
    long TimeNs,
    double AverageStoichiometry,
    double SurfaceStoichiometry,
    BinderSnapshot? Binder,
    double LossOfActiveMaterial,
    IReadOnlyList<ParticleSnapshot> Particles,
    int SolverFailures);
