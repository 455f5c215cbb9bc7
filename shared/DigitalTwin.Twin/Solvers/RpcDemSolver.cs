// The DEM service through its generated client: unary calls with the solver policy's deadline and retries; the
// progress stream bounded only by the caller's token (a study's own deadline), since studies run for minutes.
using System.Runtime.CompilerServices;
using DigitalTwin.Contracts.Dem.V1;
using DigitalTwin.Rpc;

namespace DigitalTwin.Twin.Solvers;

public sealed class RpcDemSolver(DemServiceClient client, SolverCallPolicy policy, TimeProvider time) : IDemSolver
{
    public Task<SubmitStudyResponse> SubmitStudyAsync(SubmitStudyRequest request, CancellationToken cancellationToken) =>
        policy.RunAsync("Dem", "SubmitStudy", o => client.SubmitStudyAsync(request, o).ResponseAsync, time, cancellationToken);

    public async IAsyncEnumerable<WatchStudyResponse> WatchStudyAsync(string studyId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = client.WatchStudy(new WatchStudyRequest { StudyId = studyId }, new CallOptions(CancellationToken: cancellationToken));
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return call.ResponseStream.Current;
        }
    }

    public async Task<StudyInfo> GetStudyAsync(string studyId, CancellationToken cancellationToken) =>
        (await policy.RunAsync("Dem", "GetStudy", o => client.GetStudyAsync(new GetStudyRequest { StudyId = studyId }, o).ResponseAsync, time, cancellationToken).ConfigureAwait(false)).Study;

    public async Task<StageResult> GetStageResultAsync(string studyId, uint stageIndex, CancellationToken cancellationToken) =>
        (await policy.RunAsync("Dem", "GetStageResult", o => client.GetStageResultAsync(new GetStageResultRequest { StudyId = studyId, StageIndex = stageIndex }, o).ResponseAsync, time, cancellationToken).ConfigureAwait(false)).Result;

    public Task CancelStudyAsync(string studyId, CancellationToken cancellationToken) =>
        policy.RunAsync("Dem", "CancelStudy", o => client.CancelStudyAsync(new CancelStudyRequest { StudyId = studyId }, o).ResponseAsync, time, cancellationToken);
}
