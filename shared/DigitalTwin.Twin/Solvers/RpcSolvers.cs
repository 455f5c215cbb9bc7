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

/// <summary>
/// The Electrochem service through its generated client. With <paramref name="batching"/>, the advances of all cells
/// that arrive while earlier batches are on the wire go out as one <c>AdvanceBatch</c> (retried as a whole).
/// </summary>
public sealed class RpcElectrochemSolver(ElectrochemServiceClient client, SolverCallPolicy policy, TimeProvider time, SolverBatching? batching = null) : IElectrochemSolver
{
    private readonly RequestBatcher<AdvanceRequest, AdvanceBatchResult>? _advances = batching is null ? null : new(async items =>
    {
        var request = new AdvanceBatchRequest();
        request.Items.AddRange(items);
        var response = await policy.RunAsync("Electrochem", "AdvanceBatch", o => client.AdvanceBatchAsync(request, o).ResponseAsync, time, CancellationToken.None).ConfigureAwait(false);
        return response.Results;
    }, batching);

    /// <summary>Advance items and batch requests sent (zero without batching).</summary>
    public (long Items, long Batches) BatchCounts => (_advances?.Items ?? 0, _advances?.Batches ?? 0);

    public Task<InitializeStateResponse> InitializeStateAsync(InitializeStateRequest request, CancellationToken cancellationToken) =>
        policy.RunAsync("Electrochem", "InitializeState", o => client.InitializeStateAsync(request, o).ResponseAsync, time, cancellationToken);

    public async Task<AdvanceResponse> AdvanceAsync(AdvanceRequest request, CancellationToken cancellationToken)
    {
        if (_advances is null)
        {
            return await policy.RunAsync("Electrochem", "Advance", o => client.AdvanceAsync(request, o).ResponseAsync, time, cancellationToken).ConfigureAwait(false);
        }

        var result = await _advances.RunAsync(request).ConfigureAwait(false);
        return result.OutcomeCase == AdvanceBatchResult.OutcomeOneofCase.Response
            ? result.Response
            : throw ItemError(result.Error);
    }

    /// <summary>An item's error in a batch answer, as the single call would have raised it.</summary>
    internal static RpcException ItemError(Contracts.Common.V1.Diagnostic? error) =>
        new(new Status(Enum.TryParse<StatusCode>(error?.Code, out var code) ? code : StatusCode.Internal, error?.Message ?? "the batch item failed without a reason"));

    public async Task<IReadOnlyCollection<string>> ListParameterSetsAsync(CancellationToken cancellationToken)
    {
        var response = await policy.RunAsync("Electrochem", "ListParameterSets", o => client.ListParameterSetsAsync(new ListParameterSetsRequest(), o).ResponseAsync, time, cancellationToken).ConfigureAwait(false);
        return [.. response.Sets.Select(p => p.Name)];
    }
}

/// <summary>
/// The Mechanics service through its generated client. With <paramref name="batching"/>, the items of requests with
/// the same settings go out together as one <c>UpdateParticles</c> (the contract carries many items per request).
/// </summary>
public sealed class RpcMechanicsSolver(MechanicsServiceClient client, SolverCallPolicy policy, TimeProvider time, SolverBatching? batching = null) : IMechanicsSolver
{
    private readonly KeyedBatchers<(MechanicsSettings Settings, bool Profiles), ParticleUpdate, ParticleResult> _batchers = new(key => async items =>
    {
        var request = new UpdateParticlesRequest { Settings = key.Settings, IncludeProfiles = key.Profiles };
        request.Items.AddRange(items);
        var response = await policy.RunAsync("Mechanics", "UpdateParticles", o => client.UpdateParticlesAsync(request, o).ResponseAsync, time, CancellationToken.None).ConfigureAwait(false);
        return response.Results;
    }, batching);

    /// <summary>Particle items and batch requests sent through the batchers (zero without batching).</summary>
    public (long Items, long Batches) BatchCounts => _batchers.Counts;

    public async Task<UpdateParticlesResponse> UpdateParticlesAsync(UpdateParticlesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (batching is null)
        {
            return await policy.RunAsync("Mechanics", "UpdateParticles", o => client.UpdateParticlesAsync(request, o).ResponseAsync, time, cancellationToken).ConfigureAwait(false);
        }

        var batcher = _batchers.For((request.Settings ?? new MechanicsSettings(), request.IncludeProfiles));
        var results = await Task.WhenAll(request.Items.Select(batcher.RunAsync)).ConfigureAwait(false);
        var response = new UpdateParticlesResponse();
        response.Results.AddRange(results);
        return response;
    }
}

/// <summary>
/// The Viscoplastic service through its generated client. With <paramref name="batching"/>, points of the same
/// material and flags from many electrodes go out as one <c>IntegratePoints</c>.
/// </summary>
public sealed class RpcBinderSolver(ViscoplasticServiceClient client, SolverCallPolicy policy, TimeProvider time, SolverBatching? batching = null) : IBinderSolver
{
    private readonly KeyedBatchers<(Contracts.Common.V1.ParameterSetRef Material, bool History, bool Tangent), PointHistory, PointResult> _batchers = new(key => async items =>
    {
        var request = new IntegratePointsRequest { Material = key.Material, IncludeHistory = key.History, IncludeTangent = key.Tangent };
        request.Points.AddRange(items);
        var response = await policy.RunAsync("Viscoplastic", "IntegratePoints", o => client.IntegratePointsAsync(request, o).ResponseAsync, time, CancellationToken.None).ConfigureAwait(false);
        return response.Results;
    }, batching);

    /// <summary>Binder points and batch requests sent through the batchers (zero without batching).</summary>
    public (long Items, long Batches) BatchCounts => _batchers.Counts;

    public async Task<IntegratePointsResponse> IntegratePointsAsync(IntegratePointsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (batching is null)
        {
            return await policy.RunAsync("Viscoplastic", "IntegratePoints", o => client.IntegratePointsAsync(request, o).ResponseAsync, time, cancellationToken).ConfigureAwait(false);
        }

        var batcher = _batchers.For((request.Material ?? new Contracts.Common.V1.ParameterSetRef(), request.IncludeHistory, request.IncludeTangent));
        var results = await Task.WhenAll(request.Points.Select(batcher.RunAsync)).ConfigureAwait(false);
        var response = new IntegratePointsResponse();
        response.Results.AddRange(results);
        return response;
    }
}

/// <summary>One batcher per request key (settings that every item of a batch request shares).</summary>
internal sealed class KeyedBatchers<TKey, TItem, TResult>(Func<TKey, Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>>> send, SolverBatching? batching)
    where TKey : notnull
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TKey, RequestBatcher<TItem, TResult>> _batchers = new();

    /// <summary>Items and batch requests of all keys so far [count].</summary>
    public (long Items, long Batches) Counts => (_batchers.Values.Sum(b => b.Items), _batchers.Values.Sum(b => b.Batches));

    public RequestBatcher<TItem, TResult> For(TKey key) =>
        _batchers.TryGetValue(key, out var batcher) ? batcher : _batchers.GetOrAdd(key, k => new RequestBatcher<TItem, TResult>(send(k), batching ?? SolverBatching.Default));
}
