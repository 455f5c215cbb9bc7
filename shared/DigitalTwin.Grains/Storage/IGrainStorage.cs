// Storage providers for grain state and reminders: the contract every provider (memory, SQLite, PostgreSQL) meets.
namespace DigitalTwin.Grains.Storage;

/// <summary>A grain's persisted state as stored: JSON text and its version tag.</summary>
public sealed record StoredGrainState(string Json, string ETag);

/// <summary>One row of a batched state write: the state and the version it replaces (null for none).</summary>
public sealed record GrainStateWrite(GrainId Grain, string Json, string? ExpectedETag);

/// <summary>What happened to one row of a batched write: its new version, or the conflict that kept it out.</summary>
public readonly record struct GrainWriteResult(string? ETag, InconsistentStateException? Conflict);

/// <summary>
/// Persists grain state with optimistic concurrency: a write names the version it replaces (null for none) and is
/// refused with <see cref="InconsistentStateException"/> when the stored version differs.
/// </summary>
public interface IGrainStorage
{
    ValueTask<StoredGrainState?> ReadAsync(GrainId grain, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="json"/> over version <paramref name="expectedETag"/>; returns the new version.</summary>
    ValueTask<string> WriteAsync(GrainId grain, string json, string? expectedETag, CancellationToken cancellationToken);

    ValueTask ClearAsync(GrainId grain, string? expectedETag, CancellationToken cancellationToken);

    /// <summary>
    /// Writes many states in one transaction (the write-behind flush): every row without a version conflict commits
    /// together or, on a failure of the store, none does. Conflicting rows are left out and reported per row.
    /// </summary>
    ValueTask<IReadOnlyList<GrainWriteResult>> WriteManyAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken);
}

/// <summary>One durable reminder: first tick, period, and the last tick that was delivered (UTC).</summary>
public sealed record ReminderEntry(GrainId Grain, string Name, DateTimeOffset FirstTickTime, TimeSpan Period, DateTimeOffset? LastTickTime);

/// <summary>Durable table of reminders; read whole at host start.</summary>
public interface IReminderTable
{
    ValueTask<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken);

    ValueTask UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken);

    /// <summary>Removes a reminder; false when there was none.</summary>
    ValueTask<bool> RemoveAsync(GrainId grain, string name, CancellationToken cancellationToken);
}

/// <summary>A provider that keeps both grain state and reminders (one database for both).</summary>
public interface IGrainStore : IGrainStorage, IReminderTable, IAsyncDisposable
{
    /// <summary>Creates the tables if needed; idempotent.</summary>
    ValueTask InitializeAsync(CancellationToken cancellationToken);
}
