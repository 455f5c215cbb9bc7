// The production grain store: PostgreSQL through Npgsql, state as jsonb with a version column for optimistic concurrency.
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace DigitalTwin.Grains.Storage;

/// <summary>
/// Grain state and reminders in PostgreSQL. Every write is one statement that both checks and bumps the version,
/// so two hosts that activated the same grain by mistake cannot overwrite each other.
/// </summary>
public sealed class PostgreSqlGrainStore : IGrainStore
{
    private readonly NpgsqlDataSource _dataSource;

    /// <param name="connectionString">An Npgsql connection string, e.g. <c>Host=127.0.0.1;Port=5432;Username=twin;Database=twin</c>.</param>
    public PostgreSqlGrainStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            CREATE TABLE IF NOT EXISTS grain_state(
              grain_type text NOT NULL, grain_key text NOT NULL, version bigint NOT NULL, data jsonb NOT NULL,
              updated_at timestamptz NOT NULL DEFAULT now(),
              PRIMARY KEY (grain_type, grain_key));
            CREATE TABLE IF NOT EXISTS grain_reminders(
              grain_type text NOT NULL, grain_key text NOT NULL, name text NOT NULL,
              first_tick timestamptz NOT NULL, period_ms bigint NOT NULL, last_tick timestamptz NULL,
              PRIMARY KEY (grain_type, grain_key, name));
            """);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<StoredGrainState?> ReadAsync(GrainId grain, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT version, data::text FROM grain_state WHERE grain_type = $1 AND grain_key = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Type });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredGrainState(reader.GetString(1), reader.GetInt64(0).ToString(CultureInfo.InvariantCulture))
            : null;
    }

    public async ValueTask<string> WriteAsync(GrainId grain, string json, string? expectedETag, CancellationToken cancellationToken)
    {
        var expected = ParseETag(grain, expectedETag);
        var sql = expected is null
            ? "INSERT INTO grain_state(grain_type, grain_key, version, data) VALUES($1, $2, 1, $3) ON CONFLICT DO NOTHING"
            : "UPDATE grain_state SET version = version + 1, data = $3, updated_at = now() WHERE grain_type = $1 AND grain_key = $2 AND version = $4";
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Type });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Key });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = json, NpgsqlDbType = NpgsqlDbType.Jsonb });
        if (expected is long v)
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = v });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1
            ? ((expected ?? 0) + 1).ToString(CultureInfo.InvariantCulture)
            : throw await ConflictAsync(grain, expectedETag, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<GrainWriteResult>> WriteManyAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        const int Chunk = 500;
        var results = new GrainWriteResult[writes.Count];
        var conflicts = new List<int>();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        for (var start = 0; start < writes.Count; start += Chunk)
        {
            // A statement that misses its version changes nothing, so the rest of the transaction stays valid.
            await using var batch = new NpgsqlBatch(connection, transaction);
            var end = Math.Min(writes.Count, start + Chunk);
            var expected = new long?[end - start];
            for (var i = start; i < end; i++)
            {
                var w = writes[i];
                expected[i - start] = ParseETag(w.Grain, w.ExpectedETag);
                var command = new NpgsqlBatchCommand(expected[i - start] is null
                    ? "INSERT INTO grain_state(grain_type, grain_key, version, data) VALUES($1, $2, 1, $3) ON CONFLICT DO NOTHING"
                    : "UPDATE grain_state SET version = version + 1, data = $3, updated_at = now() WHERE grain_type = $1 AND grain_key = $2 AND version = $4");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = w.Grain.Type });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = w.Grain.Key });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = w.Json, NpgsqlDbType = NpgsqlDbType.Jsonb });
                if (expected[i - start] is long v)
                {
                    command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = v });
                }

                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            for (var i = start; i < end; i++)
            {
                if (batch.BatchCommands[i - start].RecordsAffected == 1)
                {
                    results[i] = new GrainWriteResult(((expected[i - start] ?? 0) + 1).ToString(CultureInfo.InvariantCulture), null);
                }
                else
                {
                    conflicts.Add(i);
                }
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var i in conflicts)
        {
            results[i] = new GrainWriteResult(null, await ConflictAsync(writes[i].Grain, writes[i].ExpectedETag, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    public async ValueTask ClearAsync(GrainId grain, string? expectedETag, CancellationToken cancellationToken)
    {
        var expected = ParseETag(grain, expectedETag);
        if (expected is not long v)
        {
            var stored = await ReadAsync(grain, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                throw new InconsistentStateException(grain, null, stored.ETag);
            }

            return;
        }

        await using var command = _dataSource.CreateCommand("DELETE FROM grain_state WHERE grain_type = $1 AND grain_key = $2 AND version = $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Type });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Key });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = v });
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            throw await ConflictAsync(grain, expectedETag, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT grain_type, grain_key, name, first_tick, period_ms, last_tick FROM grain_reminders");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<ReminderEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new ReminderEntry(
                new GrainId(reader.GetString(0), reader.GetString(1)),
                reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                TimeSpan.FromMilliseconds(reader.GetInt64(4)),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return entries;
    }

    public async ValueTask UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO grain_reminders(grain_type, grain_key, name, first_tick, period_ms, last_tick) VALUES($1, $2, $3, $4, $5, $6)
            ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET first_tick = excluded.first_tick, period_ms = excluded.period_ms, last_tick = excluded.last_tick
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Grain.Type });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Grain.Key });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Name });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = entry.FirstTickTime.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (long)entry.Period.TotalMilliseconds });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.LastTickTime is { } last ? last.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> RemoveAsync(GrainId grain, string name, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM grain_reminders WHERE grain_type = $1 AND grain_key = $2 AND name = $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Type });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Key });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static long? ParseETag(GrainId grain, string? etag) =>
        etag is null ? null
        : long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
        : throw new InconsistentStateException(grain, etag, null);

    private async ValueTask<InconsistentStateException> ConflictAsync(GrainId grain, string? expected, CancellationToken cancellationToken)
    {
        var stored = await ReadAsync(grain, cancellationToken).ConfigureAwait(false);
        return new InconsistentStateException(grain, expected, stored?.ETag);
    }
}
