// The solver services as the grains see them: stateless calls with contract messages, behind deadlines and retries.
using DigitalTwin.Contracts.Dem.V1;
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Contracts.Viscoplastic.V1;

namespace DigitalTwin.Twin.Solvers;

/// <summary>The Electrochem service (issue 3): model states in, states and voltages out.</summary>
public interface IElectrochemSolver
{
    Task<InitializeStateResponse> InitializeStateAsync(InitializeStateRequest request, CancellationToken cancellationToken);

    Task<AdvanceResponse> AdvanceAsync(AdvanceRequest request, CancellationToken cancellationToken);

    Task<IReadOnlyCollection<string>> ListParameterSetsAsync(CancellationToken cancellationToken);
}

/// <summary>The Mechanics service (issue 4): particle stress, interface and strength updates.</summary>
public interface IMechanicsSolver
{
    Task<UpdateParticlesResponse> UpdateParticlesAsync(UpdateParticlesRequest request, CancellationToken cancellationToken);
}

/// <summary>The Viscoplastic service (issue 5): binder material points over a strain history.</summary>
public interface IBinderSolver
{
    Task<IntegratePointsResponse> IntegratePointsAsync(IntegratePointsRequest request, CancellationToken cancellationToken);
}

/// <summary>The DEM service (issue 6): long studies submitted, watched to the end, read, or cancelled.</summary>
public interface IDemSolver
{
    Task<SubmitStudyResponse> SubmitStudyAsync(SubmitStudyRequest request, CancellationToken cancellationToken);

    /// <summary>Progress reports until the study is final (the stream ends) or <paramref name="cancellationToken"/> fires.</summary>
    IAsyncEnumerable<WatchStudyResponse> WatchStudyAsync(string studyId, CancellationToken cancellationToken);

    Task<StudyInfo> GetStudyAsync(string studyId, CancellationToken cancellationToken);

    Task<StageResult> GetStageResultAsync(string studyId, uint stageIndex, CancellationToken cancellationToken);

    Task CancelStudyAsync(string studyId, CancellationToken cancellationToken);
}

/// <summary>A solver call that failed after its retries; the grain keeps its state and reports the failure.</summary>
public sealed class SolverUnavailableException(string solver, string operation, int attempts, Exception? last)
    : Exception($"{solver}.{operation} failed after {attempts} attempt(s): {last?.Message}", last)
{
    public string Solver { get; } = solver;

    public string Operation { get; } = operation;

    public int Attempts { get; } = attempts;
}

/// <summary>The solvers a twin host has; null members are not configured (the twin runs without that physics).</summary>
public sealed record SolverSet(IElectrochemSolver? Electrochem, IMechanicsSolver? Mechanics, IBinderSolver? Binder, IDemSolver? Dem = null)
{
    public static SolverSet None { get; } = new(null, null, null);
}
