// Write-behind grain state: writes are staged in memory and flushed in batches; a group of grains persists as one cut.
using System.Text.Json;
using DigitalTwin.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Grains.Hosting;

/// <summary>
/// Holds the latest state of each grain until the next flush writes all of them in one store transaction. A grain
/// that persists with a root grain (<see cref="Grain.PersistenceRoot"/>) has its writes held back until the root
/// writes: the root's write seals the group, and only sealed states are flushed, so the store always holds a state of
/// the group as it was between two of the root's turns (a consistent cut) — never a member ahead of its root.
/// Repeated writes of a grain between two flushes cost one store write (coalescing).
/// </summary>
internal sealed class WriteBehindBuffer(IGrainStorage store, JsonSerializerOptions serializerOptions, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<GrainId, Entry> _entries = [];
    private readonly Dictionary<GrainId, List<Entry>> _openByRoot = [];
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>States waiting for a flush (sealed or not) [count].</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _entries.Values.Count(e => e.Open is not null || e.Sealed is not null);
            }
        }
    }

    /// <summary>The grain's staged state, newest first; false when the store holds the latest.</summary>
    public bool TryGetStaged(GrainId grain, out object? state)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(grain, out var entry) && (entry.Open ?? entry.Sealed) is { } staged)
            {
                entry.Active = true;
                state = staged;
                return true;
            }
        }

        state = null;
        return false;
    }

    /// <summary>Records the version an activation read from the store (what the next flush of the grain replaces).</summary>
    public void Observe(GrainId grain, string? etag)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(grain, out var entry))
            {
                _entries[grain] = entry = new Entry(grain) { DurableETag = etag };
            }

            entry.Active = true;
        }
    }

    /// <summary>Stages a write; a root's write seals the states its members staged since its last write.</summary>
    public void Stage(GrainId grain, object state, Type stateType, GrainId? root)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(grain, out var entry))
            {
                _entries[grain] = entry = new Entry(grain);
            }

            entry.StateType = stateType;
            entry.Active = true;
            if (root is not { } r || r == grain)
            {
                entry.Sealed = state;
                entry.Open = null;
                if (_openByRoot.Remove(grain, out var members))
                {
                    foreach (var member in members)
                    {
                        member.InOpenList = false;
                        if (member.Open is not null)
                        {
                            member.Sealed = member.Open;
                            member.Open = null;
                        }
                    }
                }

                return;
            }

            entry.Open = state;
            if (!entry.InOpenList)
            {
                entry.InOpenList = true;
                if (!_openByRoot.TryGetValue(r, out var list))
                {
                    _openByRoot[r] = list = [];
                }

                list.Add(entry);
            }
        }
    }

    /// <summary>The activation ended; its entry goes once nothing of it waits for a flush.</summary>
    public void Deactivated(GrainId grain)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(grain, out var entry))
            {
                entry.Active = false;
                RemoveIfClean(entry);
            }
        }
    }

    /// <summary>Drops what is staged for the grain and clears it in the store (after any flush in progress).</summary>
    public async ValueTask ClearAsync(GrainId grain, CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string? etag;
            lock (_gate)
            {
                etag = _entries.TryGetValue(grain, out var entry) ? entry.DurableETag : null;
                if (entry is not null)
                {
                    entry.Open = null;
                    entry.Sealed = null;
                    entry.DurableETag = null;
                }
            }

            await store.ClearAsync(grain, etag, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>
    /// Writes every sealed state (with <paramref name="everything"/>, also the unsealed ones: at shutdown, when no
    /// turn runs) in one transaction. Returns the number of states written.
    /// </summary>
    public async Task<int> FlushAsync(bool everything, CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var due = new List<(Entry Entry, object State, string? ETag)>();
            lock (_gate)
            {
                foreach (var entry in _entries.Values)
                {
                    if ((everything ? entry.Open ?? entry.Sealed : entry.Sealed) is { } state)
                    {
                        due.Add((entry, state, entry.DurableETag));
                    }
                }
            }

            if (due.Count == 0)
            {
                return 0;
            }

            // Serialized outside the lock and outside any turn: states are immutable records, safe to read here.
            var writes = new GrainStateWrite[due.Count];
            for (var i = 0; i < due.Count; i++)
            {
                writes[i] = new GrainStateWrite(due[i].Entry.Grain, JsonSerializer.Serialize(due[i].State, due[i].Entry.StateType!, serializerOptions), due[i].ETag);
            }

            var results = await store.WriteManyAsync(writes, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (everything)
                {
                    foreach (var members in _openByRoot.Values)
                    {
                        members.ForEach(m => m.InOpenList = false);
                    }

                    _openByRoot.Clear();
                }

                for (var i = 0; i < due.Count; i++)
                {
                    var (entry, state, _) = due[i];
                    if (results[i].Conflict is { } conflict)
                    {
                        logger.LogError(conflict, "Write-behind state of grain {Grain} was not written: another writer changed it", entry.Grain);
                    }
                    else
                    {
                        entry.DurableETag = results[i].ETag;
                    }

                    if (ReferenceEquals(entry.Sealed, state))
                    {
                        entry.Sealed = null;
                    }

                    if (everything && ReferenceEquals(entry.Open, state))
                    {
                        entry.Open = null;
                    }

                    RemoveIfClean(entry);
                }
            }

            return due.Count;
        }
        finally
        {
            _flushing.Release();
        }
    }

    private void RemoveIfClean(Entry entry)
    {
        if (!entry.Active && entry.Open is null && entry.Sealed is null && !entry.InOpenList)
        {
            _entries.Remove(entry.Grain);
        }
    }

    private sealed class Entry(GrainId grain)
    {
        public GrainId Grain { get; } = grain;

        /// <summary>Staged by a group member and not yet sealed by its root's write.</summary>
        public object? Open { get; set; }

        /// <summary>Due for the next flush.</summary>
        public object? Sealed { get; set; }

        public Type? StateType { get; set; }

        /// <summary>The version in the store (null: no row).</summary>
        public string? DurableETag { get; set; }

        public bool Active { get; set; }

        public bool InOpenList { get; set; }
    }
}
