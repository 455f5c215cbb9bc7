// In-memory studies: one worker runs them in submission order; each keeps its stages, particle lists,
// diagnostics and the latest progress, and wakes its watchers on every change.
using System.Collections.Concurrent;
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Dem.V1;
using ParticleSnapshot = DigitalTwin.Physics.Dem.Studies.ParticleSnapshot;
using CompactionOptions = DigitalTwin.Physics.Dem.Studies.CompactionOptions;
using Google.Protobuf.WellKnownTypes;

namespace DigitalTwin.Services.Dem;

/// <summary>Server-side numerics (tests shrink the chunks).</summary>
public sealed record DemServiceOptions
{
    public CompactionOptions Compaction { get; init; } = new();

    /// <summary>Particles per StreamParticles chunk when the client sends 0.</summary>
    public int ParticleChunk { get; init; } = 4096;
}

/// <summary>One study: state, results and the signal watchers wait on.</summary>
public sealed class StudyRun
{
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public required string Id { get; init; }

    public required StudySpec Spec { get; init; }

    public required Func<StudyRun, CancellationToken, Task> Work { get; init; }

    public CancellationTokenSource Cancel { get; } = new();

    public StudyState State { get; private set; } = StudyState.Queued;

    public Timestamp SubmittedAt { get; init; } = new();

    public Timestamp? StartedAt { get; set; }

    public Timestamp? FinishedAt { get; set; }

    public List<(StageInfo Info, StageResult Result, ParticleSnapshot? Snapshot, double[]? LoveWeber, double[]? Split, int[]? Coordination)> Stages { get; } = [];

    public List<Diagnostic> Diagnostics { get; } = [];

    public WatchStudyResponse Latest { get; private set; } = new();

    public int Version { get; private set; }

    public bool IsFinal => State is StudyState.Succeeded or StudyState.Failed or StudyState.Cancelled or StudyState.Unconverged;

    public void Update(Action<StudyRun> change, WatchStudyResponse? progress = null, StudyState? state = null)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            change(this);
            if (state is { } s)
            {
                State = s;
            }

            if (progress is not null)
            {
                Latest = progress;
            }

            Latest.State = State;
            Version++;
            signal = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
    }

    public (int Version, WatchStudyResponse Latest, Task Changed) Snapshot()
    {
        lock (_gate)
        {
            return (Version, Latest.Clone(), _changed.Task);
        }
    }
}

public sealed class StudyRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, StudyRun> _studies = new();
    private readonly ConcurrentDictionary<string, string> _byRequest = new();
    private readonly SemaphoreSlim _worker = new(1, 1);
    private readonly TimeProvider _time;
    private int _next;

    public StudyRegistry(TimeProvider time) => _time = time;

    public IEnumerable<StudyRun> All => _studies.Values.OrderByDescending(s => s.SubmittedAt.ToDateTimeOffset()).ThenByDescending(s => s.Id, StringComparer.Ordinal);

    public bool TryGet(string id, out StudyRun run) => _studies.TryGetValue(id, out run!);

    public StudyRun? ByRequest(string requestId) =>
        requestId.Length > 0 && _byRequest.TryGetValue(requestId, out var id) && _studies.TryGetValue(id, out var run) ? run : null;

    public StudyRun Add(string requestId, StudySpec spec, Func<StudyRun, CancellationToken, Task> work)
    {
        var id = $"dem-{Interlocked.Increment(ref _next):D5}";
        var run = new StudyRun { Id = id, Spec = spec, Work = work, SubmittedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) };
        _studies[id] = run;
        if (requestId.Length > 0)
        {
            _byRequest[requestId] = id;
        }

        _ = Task.Factory.StartNew(() => Execute(run), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        return run;
    }

    private async Task Execute(StudyRun run)
    {
        await _worker.WaitAsync(CancellationToken.None);
        try
        {
            if (run.Cancel.IsCancellationRequested)
            {
                run.Update(r => r.FinishedAt = Now(), state: StudyState.Cancelled);
                return;
            }

            run.Update(r => r.StartedAt = Now(), state: StudyState.Running);
            try
            {
                await run.Work(run, run.Cancel.Token);
                var final = run.Stages.Any(s => s.Info.State == StudyState.Unconverged) ? StudyState.Unconverged : StudyState.Succeeded;
                run.Update(r => r.FinishedAt = Now(), state: final);
            }
            catch (OperationCanceledException) when (run.Cancel.IsCancellationRequested)
            {
                run.Update(r => r.FinishedAt = Now(), state: StudyState.Cancelled);
            }
            catch (Exception e)
            {
                run.Update(r =>
                {
                    r.FinishedAt = Now();
                    r.Diagnostics.Add(new Diagnostic { Severity = Severity.Error, Code = "study_failed", Message = e.Message, Source = r.Id });
                }, state: StudyState.Failed);
            }
        }
        finally
        {
            _worker.Release();
        }
    }

    private Timestamp Now() => Timestamp.FromDateTimeOffset(_time.GetUtcNow());

    public void Dispose()
    {
        foreach (var s in _studies.Values)
        {
            s.Cancel.Cancel();
        }
    }
}
