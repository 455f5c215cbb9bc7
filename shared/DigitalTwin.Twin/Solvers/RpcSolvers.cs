// gRPC adapters of the solver ports: every call has a deadline, transient failures are retried with backoff.
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Contracts.Viscoplastic.V1;
using DigitalTwin.Rpc;

namespace DigitalTwin.Twin.Solvers;

/// <summary>Deadline and retry settings of solver calls.</summary>
/// <param name="Deadline">Deadline of one attempt.</param>
/// <param name="Attempts">Attempts before giving up (≥ 1).</param>
/// <param name="FirstBackoff">Wait before the second attempt; doubled for each further one.</param>
public sealed record SolverCallPolicy(TimeSpan Deadline, int Attempts, TimeSpan FirstBackoff)
{
    public static SolverCallPolicy Default { get; } = new(TimeSpan.FromSeconds(5), 3, TimeSpan.FromMilliseconds(100));

    /// <summary>Runs <paramref name="call"/> with a deadline per attempt, retrying transient statuses.</summary>
    public async Task<T> RunAsync<T>(string solver, string operation, Func<CallOptions, Task<T>> call, TimeProvider time, CancellationToken cancellationToken)
    {
        Exception? last = null;
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                return await call(new CallOptions(Deadline: time.GetUtcNow().UtcDateTime + Deadline, CancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            catch (RpcException e) when (IsTransient(e.StatusCode))
            {
                last = e;
            }
            catch (HttpRequestException e)
            {
                last = e;
            }

            if (attempt < Attempts)
            {
                await Task.Delay(FirstBackoff * Math.Pow(2, attempt - 1), time, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new SolverUnavailableException(solver, operation, Attempts, last);
    }

    private static bool IsTransient(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.Internal or StatusCode.Unknown;
}

/// <summary>The Electrochem service through its generated client.</summary>
public sealed class RpcElectrochemSolver(ElectrochemServiceClient client, SolverCallPolicy policy, TimeProvider time) : IElectrochemSolver
{
    public Task<InitializeStateResponse> InitializeStateAsync(InitializeStateRequest request, CancellationToken cancellationToken) =>
        policy.RunAsync("Electrochem", "InitializeState", o => client.InitializeStateAsync(request, o).ResponseAsync, time, cancellationToken);

    public Task<AdvanceResponse> AdvanceAsync(AdvanceRequest request, CancellationToken cancellationToken) =>
        policy.RunAsync("Electrochem", "Advance", o => client.AdvanceAsync(request, o).ResponseAsync, time, cancellationToken);

    public async Task<IReadOnlyCollection<string>> ListParameterSetsAsync(CancellationToken cancellationToken)
    {
        var response = await policy.RunAsync("Electrochem", "ListParameterSets", o => client.ListParameterSetsAsync(new ListParameterSetsRequest(), o).ResponseAsync, time, cancellationToken).ConfigureAwait(false);
        return [.. response.Sets.Select(p => p.Name)];
    }
}

/// <summary>The Mechanics service through its generated client.</summary>
public sealed class RpcMechanicsSolver(MechanicsServiceClient client, SolverCallPolicy policy, TimeProvider time) : IMechanicsSolver
{
    public Task<UpdateParticlesResponse> UpdateParticlesAsync(UpdateParticlesRequest request, CancellationToken cancellationToken) =>
        policy.RunAsync("Mechanics", "UpdateParticles", o => client.UpdateParticlesAsync(request, o).ResponseAsync, time, cancellationToken);
}

/// <summary>The Viscoplastic service through its generated client.</summary>
public sealed class RpcBinderSolver(ViscoplasticServiceClient client, SolverCallPolicy policy, TimeProvider time) : IBinderSolver
{
    public Task<IntegratePointsResponse> IntegratePointsAsync(IntegratePointsRequest request, CancellationToken cancellationToken) =>
        policy.RunAsync("Viscoplastic", "IntegratePoints", o => client.IntegratePointsAsync(request, o).ResponseAsync, time, cancellationToken);
}
