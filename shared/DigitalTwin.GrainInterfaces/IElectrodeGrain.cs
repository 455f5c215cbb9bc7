// One electrode of a cell (key "cellId/positive"): aggregates its particle classes; binder and packing live here.
namespace DigitalTwin.GrainInterfaces;

public interface IElectrodeGrain : IGrain
{
    /// <summary>Applies the electrode's particle profiles at the end of a segment; binder at half-cycle ends.</summary>
    ValueTask<ElectrodeSnapshot> AdvanceAsync(ElectrodeUpdate update);

    ValueTask<ElectrodeSnapshot> GetStateAsync();

    /// <summary>Starts a DEM packing study now (on demand); returns at once, the result arrives later.</summary>
    ValueTask<PackingStudyTicket> RunPackingStudyAsync();

    /// <summary>Stops the study in flight, if any (the DEM service is asked to cancel it).</summary>
    ValueTask<bool> CancelPackingStudyAsync();

    /// <summary>The end of a study the grain started (called by the study runner, off the telemetry path).</summary>
    ValueTask CompletePackingStudyAsync(PackingStudyOutcome outcome);
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
    MechanicsSetup Mechanics,
    string LotId = "");

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
    int SolverFailures,
    PackingFigures? Packing = null);

/// <summary>Stress statistics of one particle type of a DEM packing, compressive-positive [Pa, dimensionless].</summary>
public sealed record PackingTypeFigures(string TypeName, bool ActiveMaterial, double StressZz, double StressZzP95, double MeanStress, double Coordination);

/// <summary>
/// The result of one DEM packing study of the electrode (stresses compressive-positive) [Pa, m, dimensionless, count].
/// <see cref="AmSeContactLoss"/> compares with the electrode's first study; <see cref="StressToStrengthRatio"/> the
/// active material's zz stress with the weakest particle class's fracture strength (NaN when either is unknown).
/// </summary>
public sealed record PackingSnapshot(
    string StudyId,
    long FinishedAtNs,
    int Cycle,
    string Trigger,
    double SwellingStrain,
    double SolidFraction,
    double Thickness,
    double PlatePressure,
    double MeanCoordination,
    double ActiveMaterialStressZz,
    IReadOnlyList<PackingTypeFigures> Types,
    long Contacts,
    long AmSeContacts,
    double AmSeCoordination,
    double AmSeContactLoss,
    double StressToStrengthRatio);

/// <summary>A study the electrode waits for; <see cref="Fraction"/>, stage and message are the latest progress.</summary>
public sealed record PackingStudyStatus(string RequestId, string StudyId, int Cycle, string Trigger, long RequestedAtNs, double Fraction, string Stage, string Message);

/// <summary>The electrode's DEM figures: the last result, the study in flight, and counts [count].</summary>
public sealed record PackingFigures(PackingSnapshot? Last, PackingStudyStatus? Pending, int Completed, int Failures, int Skipped, string? LastError);

/// <summary>Answer to an on-demand study request.</summary>
public sealed record PackingStudyTicket(bool Accepted, string Reason, PackingStudyStatus? Study);

/// <summary>How a study ended: a result, or why there is none (service down, deadline, cancelled, refused).</summary>
public sealed record PackingStudyOutcome(string RequestId, string StudyId, PackingSnapshot? Result, string? Error, bool Cancelled = false);
