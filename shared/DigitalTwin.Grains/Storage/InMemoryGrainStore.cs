// A grain store in process memory, for tests and throwaway hosts; same concurrency rules as the durable ones.
using System.Collections.Concurrent;

namespace DigitalTwin.Grains.Storage;

/// <summary>Keeps state and reminders in memory; survives host restarts only when the same instance is reused.</summary>
public sealed class InMemoryGrainStore : IGrainStore
{
    private readonly ConcurrentDictionary<GrainId, StoredGrainState> _states = new();
    private readonly ConcurrentDictionary<(GrainId Grain, string Name), ReminderEntry> _reminders = new();
    private readonly Lock _gate = new();
    private long _version;

    public ValueTask InitializeAsync(CancellationToken cancellationToken) => default;

    public ValueTask<StoredGrainState?> ReadAsync(GrainId grain, CancellationToken cancellationToken) =>
        new(_states.TryGetValue(grain, out var state) ? state : null);

    public ValueTask<string> WriteAsync(GrainId grain, string json, string? expectedETag, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var stored = _states.TryGetValue(grain, out var s) ? s.ETag : null;
            if (stored != expectedETag)
            {
                throw new InconsistentStateException(grain, expectedETag, stored);
            }

            var etag = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _states[grain] = new StoredGrainState(json, etag);
            return new(etag);
        }
    }

    public ValueTask<IReadOnlyList<GrainWriteResult>> WriteManyAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var results = new GrainWriteResult[writes.Count];
        lock (_gate)
        {
            for (var i = 0; i < writes.Count; i++)
            {
                var w = writes[i];
                var stored = _states.TryGetValue(w.Grain, out var s) ? s.ETag : null;
                if (stored != w.ExpectedETag)
                {
                    results[i] = new GrainWriteResult(null, new InconsistentStateException(w.Grain, w.ExpectedETag, stored));
                    continue;
                }

                var etag = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
                _states[w.Grain] = new StoredGrainState(w.Json, etag);
                results[i] = new GrainWriteResult(etag, null);
            }
        }

        return new(results);
    }

    public ValueTask ClearAsync(GrainId grain, string? expectedETag, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var stored = _states.TryGetValue(grain, out var s) ? s.ETag : null;
            if (stored != expectedETag)
            {
                throw new InconsistentStateException(grain, expectedETag, stored);
            }

            _states.TryRemove(grain, out _);
            return default;
        }
    }

    public ValueTask<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken) =>
        new([.. _reminders.Values]);

    public ValueTask UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken)
    {
        _reminders[(entry.Grain, entry.Name)] = entry;
        return default;
    }

    public ValueTask<bool> RemoveAsync(GrainId grain, string name, CancellationToken cancellationToken) =>
        new(_reminders.TryRemove((grain, name), out _));

    public ValueTask DisposeAsync() => default;
}
