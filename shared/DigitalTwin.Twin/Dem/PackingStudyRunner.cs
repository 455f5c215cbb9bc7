// Runs the electrodes' DEM studies off the grain turns: submit, stream progress, read the last stage, and hand the
// outcome back to the electrode as a grain call. Bounded (slots and a queue), with a deadline and cancellation, so a
// slow or absent DEM service delays or skips studies and never holds up telemetry.
using System.Collections.Concurrent;
using DigitalTwin.Contracts.Dem.V1;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Twin.Solvers;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Twin.Dem;

public sealed class PackingStudyRunner : IAsyncDisposable
{
    private readonly IDemSolver _solver;
    private readonly PackingStudyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);

    public PackingStudyRunner(IDemSolver solver, PackingStudyOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(solver);
        ArgumentNullException.ThrowIfNull(options);
        _solver = solver;
        _options = options;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxConcurrent, options.MaxConcurrent);
    }

    public PackingStudyOptions Options => _options;

    /// <summary>Studies waiting or running [count].</summary>
    public int InFlight => _jobs.Count;

    /// <summary>Whether the study <paramref name="requestId"/> of electrode <paramref name="key"/> is still under way here.</summary>
    public bool IsRunning(string key, string requestId) => _jobs.TryGetValue(key, out var job) && job.Status.RequestId == requestId;

    /// <summary>The latest status (study id, progress) of the electrode's study under way, if any.</summary>
    public PackingStudyStatus? Progress(string key) => _jobs.TryGetValue(key, out var job) ? job.Status : null;

    /// <summary>
    /// Starts a study for electrode <paramref name="key"/> unless one runs already or the queue is full (the reason
    /// says which). <paramref name="complete"/> is called once with the outcome, unless the runner is stopping.
    /// </summary>
    public bool TryStart(string key, PackingStudyStatus status, StudySpec spec, Func<PackingStudyOutcome, ValueTask> complete, out string reason)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (_stop.IsCancellationRequested)
        {
            reason = "the twin host is stopping";
            return false;
        }

        if (_jobs.Count >= _options.MaxQueued)
        {
            reason = $"{_jobs.Count} DEM studies are already queued (Twin:Dem:MaxQueued)";
            return false;
        }

        var job = new Job(status, CancellationTokenSource.CreateLinkedTokenSource(_stop.Token));
        if (!_jobs.TryAdd(key, job))
        {
            job.Cancel.Dispose();
            reason = $"study {_jobs[key].Status.StudyId} is still in flight";
            return false;
        }

        job.Cancel.CancelAfter(_options.Deadline);
        reason = "";
        job.Running = Task.Run(() => RunAsync(key, job, spec, complete));
        return true;
    }

    /// <summary>Cancels the electrode's study; false when none runs.</summary>
    public bool Cancel(string key)
    {
        if (!_jobs.TryGetValue(key, out var job))
        {
            return false;
        }

        job.CancelledByUser = true;
        job.Cancel.Cancel();
        return true;
    }

    private async Task RunAsync(string key, Job job, StudySpec spec, Func<PackingStudyOutcome, ValueTask> complete)
    {
        var token = job.Cancel.Token;
        string studyId = "";
        PackingStudyOutcome outcome;
        try
        {
            await _slots.WaitAsync(token).ConfigureAwait(false);
            try
            {
                var submitted = await _solver.SubmitStudyAsync(new SubmitStudyRequest { Spec = spec, RequestId = job.Status.RequestId }, token).ConfigureAwait(false);
                studyId = submitted.StudyId;
                job.Status = job.Status with { StudyId = studyId, Message = "submitted" };
                await foreach (var report in _solver.WatchStudyAsync(studyId, token).ConfigureAwait(false))
                {
                    if (report.Progress is { } p)
                    {
                        job.Status = job.Status with { Fraction = Overall(p), Stage = p.Stage, Message = p.Message };
                    }
                }

                var info = await _solver.GetStudyAsync(studyId, token).ConfigureAwait(false);
                if (info.State != StudyState.Succeeded || info.Stages.Count == 0)
                {
                    var why = string.Join("; ", info.Diagnostics.Where(d => d.Severity >= Contracts.Common.V1.Severity.Warning).Select(d => d.Message));
                    outcome = new PackingStudyOutcome(job.Status.RequestId, studyId, null, $"DEM study {studyId} ended {info.State}{(why.Length > 0 ? ": " + why : "")}");
                }
                else
                {
                    var last = info.Stages[^1];
                    var stage = await _solver.GetStageResultAsync(studyId, last.Index, token).ConfigureAwait(false);
                    var finished = info.FinishedAt?.ToDateTimeOffset() ?? _time.GetUtcNow();
                    var strain = spec.Compaction.Stages[^1].Schedule?.DiameterStrain.LastOrDefault() ?? 0;
                    var result = PackingStudySpec.Figures(stage.Packing ?? new PackingResult(), spec.Compaction.ParticleTypes, studyId,
                        (finished - DateTimeOffset.UnixEpoch).Ticks * 100, job.Status.Cycle, job.Status.Trigger, strain);
                    outcome = new PackingStudyOutcome(job.Status.RequestId, studyId, result, null);
                }
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (Exception e) when (token.IsCancellationRequested && e is OperationCanceledException or Rpc.RpcException or SolverUnavailableException or HttpRequestException or IOException)
        {
            // A cancelled call surfaces as CANCELLED from the RPC runtime, or as an OperationCanceledException.
            var why = _stop.IsCancellationRequested ? "the twin host stopped" : job.CancelledByUser ? "cancelled on request" : $"deadline of {_options.Deadline} exceeded";
            outcome = new PackingStudyOutcome(job.Status.RequestId, studyId, null, $"DEM study {(studyId.Length > 0 ? studyId : job.Status.RequestId)} stopped: {why}", Cancelled: true);
            await CancelOnServiceAsync(studyId).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SolverUnavailableException or Rpc.RpcException or HttpRequestException or IOException)
        {
            outcome = new PackingStudyOutcome(job.Status.RequestId, studyId, null, e is Rpc.RpcException r ? $"DEM service: {r.StatusCode}: {r.Status.Detail}" : $"DEM service: {e.Message}");
            await CancelOnServiceAsync(studyId).ConfigureAwait(false);
        }
        finally
        {
            _jobs.TryRemove(new KeyValuePair<string, Job>(key, job));
            job.Cancel.Dispose();
        }

        if (_stop.IsCancellationRequested)
        {
            // The electrode keeps the study as pending in its state and starts it again after the restart.
            return;
        }

        try
        {
            await complete(outcome).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning(e, "DEM study {Study} of {Electrode}: the electrode did not take the outcome", outcome.StudyId, key);
        }
    }

    private async Task CancelOnServiceAsync(string studyId)
    {
        if (studyId.Length == 0)
        {
            return;
        }

        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _solver.CancelStudyAsync(studyId, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SolverUnavailableException or Rpc.RpcException or HttpRequestException or OperationCanceledException or IOException)
        {
            // The service is gone or the study already ended; nothing is left to stop.
            _logger.LogDebug(e, "DEM study {Study} could not be cancelled on the service", studyId);
        }
    }

    /// <summary>Progress over the whole study: finished stages plus the share of the current one [dimensionless].</summary>
    private static double Overall(Contracts.Common.V1.Progress p) =>
        p.StageCount > 0 ? Math.Clamp((p.StageIndex + Math.Clamp(p.Fraction, 0, 1)) / p.StageCount, 0, 1) : Math.Clamp(p.Fraction, 0, 1);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            // Each study asks the service to cancel (bounded at 5 s) and ends without calling its electrode.
            await Task.WhenAll(_jobs.Values.Select(j => j.Running)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("{Count} DEM studies did not stop within 10 s of the host's stop", _jobs.Count);
        }

        _stop.Dispose();
        if (_jobs.IsEmpty)
        {
            _slots.Dispose();
        }
    }

    private sealed class Job(PackingStudyStatus status, CancellationTokenSource cancel)
    {
        public PackingStudyStatus Status { get; set; } = status;

        public CancellationTokenSource Cancel { get; } = cancel;

        public bool CancelledByUser { get; set; }

        public Task Running { get; set; } = Task.CompletedTask;
    }
}
