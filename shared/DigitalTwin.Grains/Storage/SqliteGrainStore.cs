// The embedded default grain store: one SQLite file (WAL), writes group-committed by a single writer.
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace DigitalTwin.Grains.Storage;

/// <summary>How hard a SQLite commit is made durable.</summary>
public enum SqliteDurability
{
    /// <summary>Survives a process crash (WAL + synchronous=NORMAL); the last commits may be lost on power loss.</summary>
    ProcessCrash,

    /// <summary>Survives power loss (synchronous=FULL), at the cost of an fsync per group commit.</summary>
    PowerLoss,
}

/// <summary>
/// Grain state and reminders in one SQLite file. Writes from all grains queue to one writer that commits them in
/// batches (group commit): a write completes only after its batch committed, so acknowledged state is on disk.
/// </summary>
public sealed class SqliteGrainStore : IGrainStore
{
    private const int MaxBatch = 512;

    private readonly string _readConnectionString;
    private readonly string _writeConnectionString;
    private readonly SqliteDurability _durability;
    private readonly Channel<Operation> _operations = Channel.CreateUnbounded<Operation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private Task? _writer;
    private bool _disposed;

    public SqliteGrainStore(string path, SqliteDurability durability = SqliteDurability.ProcessCrash)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        _durability = durability;
        var builder = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 };
        _writeConnectionString = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadWrite;
        _readConnectionString = builder.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is not null)
            {
                return default;
            }

            var directory = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var connection = new SqliteConnection(_writeConnectionString);
            try
            {
                connection.Open();
                Execute(connection, "PRAGMA journal_mode=WAL;");
                Execute(connection, _durability == SqliteDurability.PowerLoss ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
                Execute(connection, """
                    CREATE TABLE IF NOT EXISTS grain_state(
                      grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL,
                      PRIMARY KEY (grain_type, grain_key)) WITHOUT ROWID;
                    CREATE TABLE IF NOT EXISTS grain_reminders(
                      grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, name TEXT NOT NULL,
                      first_tick_ms INTEGER NOT NULL, period_ms INTEGER NOT NULL, last_tick_ms INTEGER NULL,
                      PRIMARY KEY (grain_type, grain_key, name)) WITHOUT ROWID;
                    """);
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            _writer = Task.Factory.StartNew(() => WriteLoop(connection), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return default;
        }
    }

    public async ValueTask<StoredGrainState?> ReadAsync(GrainId grain, CancellationToken cancellationToken)
    {
        EnsureStarted();
        await using var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, data FROM grain_state WHERE grain_type = $t AND grain_key = $k";
        command.Parameters.AddWithValue("$t", grain.Type);
        command.Parameters.AddWithValue("$k", grain.Key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredGrainState(reader.GetString(1), reader.GetInt64(0).ToString(CultureInfo.InvariantCulture))
            : null;
    }

    public ValueTask<string> WriteAsync(GrainId grain, string json, string? expectedETag, CancellationToken cancellationToken) =>
        Enqueue(new WriteState(grain, json, ParseETag(grain, expectedETag)));

    public async ValueTask<IReadOnlyList<GrainWriteResult>> WriteManyAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var parsed = writes.Select(w => (w.Grain, w.Json, Expected: ParseETag(w.Grain, w.ExpectedETag))).ToList();
        var operation = new WriteMany(parsed);
        await Enqueue(operation).ConfigureAwait(false);
        return operation.Results;
    }

    public async ValueTask ClearAsync(GrainId grain, string? expectedETag, CancellationToken cancellationToken) =>
        await Enqueue(new ClearState(grain, ParseETag(grain, expectedETag))).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        await using var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT grain_type, grain_key, name, first_tick_ms, period_ms, last_tick_ms FROM grain_reminders";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<ReminderEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new ReminderEntry(
                new GrainId(reader.GetString(0), reader.GetString(1)),
                reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                TimeSpan.FromMilliseconds(reader.GetInt64(4)),
                reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }

        return entries;
    }

    public async ValueTask UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken) =>
        await Enqueue(new UpsertReminder(entry)).ConfigureAwait(false);

    public async ValueTask<bool> RemoveAsync(GrainId grain, string name, CancellationToken cancellationToken) =>
        await Enqueue(new RemoveReminder(grain, name)).ConfigureAwait(false) == "1";

    public async ValueTask DisposeAsync()
    {
        Task? writer;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            writer = _writer;
            _operations.Writer.TryComplete();
        }

        if (writer is not null)
        {
            await writer.ConfigureAwait(false);
        }

        // Pooled read connections keep the file open; release them so the file can be moved or reopened.
        SqliteConnection.ClearPool(new SqliteConnection(_readConnectionString));
        SqliteConnection.ClearPool(new SqliteConnection(_writeConnectionString));
    }

    private static long? ParseETag(GrainId grain, string? etag) =>
        etag is null ? null
        : long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
        : throw new InconsistentStateException(grain, etag, null);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void EnsureStarted()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is null)
        {
            throw new InvalidOperationException($"SQLite grain store {Path} is used before InitializeAsync.");
        }
    }

    private ValueTask<string> Enqueue(Operation operation)
    {
        EnsureStarted();
        return _operations.Writer.TryWrite(operation)
            ? new ValueTask<string>(operation.Completion.Task)
            : ValueTask.FromException<string>(new ObjectDisposedException(nameof(SqliteGrainStore), $"SQLite grain store {Path} is closed."));
    }

    private void WriteLoop(SqliteConnection connection)
    {
        using (connection)
        {
            var statements = new Statements(connection);
            var batch = new List<Operation>(MaxBatch);
            var results = new List<(Operation Operation, string Result)>(MaxBatch);
            var reader = _operations.Reader;
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                batch.Clear();
                results.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var op))
                {
                    batch.Add(op);
                }

                try
                {
                    using var transaction = connection.BeginTransaction();
                    statements.Enlist(transaction);
                    foreach (var op in batch)
                    {
                        try
                        {
                            results.Add((op, op.Execute(statements)));
                        }
                        catch (InconsistentStateException e)
                        {
                            op.Completion.TrySetException(e);
                        }
                    }

                    transaction.Commit();
                    foreach (var (op, result) in results)
                    {
                        op.Completion.TrySetResult(result);
                    }
                }
                catch (Exception e)
                {
                    foreach (var op in batch)
                    {
                        op.Completion.TrySetException(new IOException($"SQLite grain store {Path}: commit failed: {e.Message}", e));
                    }
                }
            }

            statements.Dispose();
        }
    }

    private sealed class Statements : IDisposable
    {
        public Statements(SqliteConnection connection)
        {
            Insert = Create(connection, "INSERT INTO grain_state(grain_type, grain_key, version, data) VALUES($t, $k, 1, $d) ON CONFLICT DO NOTHING", "$t", "$k", "$d");
            Update = Create(connection, "UPDATE grain_state SET version = version + 1, data = $d WHERE grain_type = $t AND grain_key = $k AND version = $v", "$t", "$k", "$d", "$v");
            Delete = Create(connection, "DELETE FROM grain_state WHERE grain_type = $t AND grain_key = $k AND version = $v", "$t", "$k", "$v");
            Version = Create(connection, "SELECT version FROM grain_state WHERE grain_type = $t AND grain_key = $k", "$t", "$k");
            UpsertReminder = Create(connection, """
                INSERT INTO grain_reminders(grain_type, grain_key, name, first_tick_ms, period_ms, last_tick_ms) VALUES($t, $k, $n, $f, $p, $l)
                ON CONFLICT(grain_type, grain_key, name) DO UPDATE SET first_tick_ms = excluded.first_tick_ms, period_ms = excluded.period_ms, last_tick_ms = excluded.last_tick_ms
                """, "$t", "$k", "$n", "$f", "$p", "$l");
            DeleteReminder = Create(connection, "DELETE FROM grain_reminders WHERE grain_type = $t AND grain_key = $k AND name = $n", "$t", "$k", "$n");
        }

        public SqliteCommand Insert { get; }

        public SqliteCommand Update { get; }

        public SqliteCommand Delete { get; }

        public SqliteCommand Version { get; }

        public SqliteCommand UpsertReminder { get; }

        public SqliteCommand DeleteReminder { get; }

        private IEnumerable<SqliteCommand> All => [Insert, Update, Delete, Version, UpsertReminder, DeleteReminder];

        public void Enlist(SqliteTransaction transaction)
        {
            foreach (var command in All)
            {
                command.Transaction = transaction;
            }
        }

        public long? StoredVersion(GrainId grain)
        {
            Version.Parameters["$t"].Value = grain.Type;
            Version.Parameters["$k"].Value = grain.Key;
            return Version.ExecuteScalar() is long v ? v : null;
        }

        public void Dispose()
        {
            foreach (var command in All)
            {
                command.Dispose();
            }
        }

        private static SqliteCommand Create(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter(name, null));
            }

            return command;
        }
    }

    private abstract class Operation
    {
        public TaskCompletionSource<string> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public abstract string Execute(Statements statements);

        protected static InconsistentStateException Conflict(Statements statements, GrainId grain, long? expected) =>
            new(grain, expected?.ToString(CultureInfo.InvariantCulture), statements.StoredVersion(grain)?.ToString(CultureInfo.InvariantCulture));
    }

    private sealed class WriteState(GrainId grain, string json, long? expected) : Operation
    {
        public override string Execute(Statements statements)
        {
            var command = expected is null ? statements.Insert : statements.Update;
            command.Parameters["$t"].Value = grain.Type;
            command.Parameters["$k"].Value = grain.Key;
            command.Parameters["$d"].Value = json;
            if (expected is long v)
            {
                command.Parameters["$v"].Value = v;
            }

            return command.ExecuteNonQuery() == 1
                ? ((expected ?? 0) + 1).ToString(CultureInfo.InvariantCulture)
                : throw Conflict(statements, grain, expected);
        }
    }

    /// <summary>Many rows in the writer's one transaction; conflicting rows are skipped and reported.</summary>
    private sealed class WriteMany(List<(GrainId Grain, string Json, long? Expected)> rows) : Operation
    {
        public GrainWriteResult[] Results { get; } = new GrainWriteResult[rows.Count];

        public override string Execute(Statements statements)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var (grain, json, expected) = rows[i];
                try
                {
                    Results[i] = new GrainWriteResult(new WriteState(grain, json, expected).Execute(statements), null);
                }
                catch (InconsistentStateException e)
                {
                    Results[i] = new GrainWriteResult(null, e);
                }
            }

            return "";
        }
    }

    private sealed class ClearState(GrainId grain, long? expected) : Operation
    {
        public override string Execute(Statements statements)
        {
            if (expected is not long v)
            {
                return statements.StoredVersion(grain) is null ? "" : throw Conflict(statements, grain, expected);
            }

            statements.Delete.Parameters["$t"].Value = grain.Type;
            statements.Delete.Parameters["$k"].Value = grain.Key;
            statements.Delete.Parameters["$v"].Value = v;
            return statements.Delete.ExecuteNonQuery() == 1 ? "" : throw Conflict(statements, grain, expected);
        }
    }

    private sealed class UpsertReminder(ReminderEntry entry) : Operation
    {
        public override string Execute(Statements statements)
        {
            var p = statements.UpsertReminder.Parameters;
            p["$t"].Value = entry.Grain.Type;
            p["$k"].Value = entry.Grain.Key;
            p["$n"].Value = entry.Name;
            p["$f"].Value = entry.FirstTickTime.ToUnixTimeMilliseconds();
            p["$p"].Value = (long)entry.Period.TotalMilliseconds;
            p["$l"].Value = entry.LastTickTime is { } last ? last.ToUnixTimeMilliseconds() : DBNull.Value;
            statements.UpsertReminder.ExecuteNonQuery();
            return "";
        }
    }

    private sealed class RemoveReminder(GrainId grain, string name) : Operation
    {
        public override string Execute(Statements statements)
        {
            var p = statements.DeleteReminder.Parameters;
            p["$t"].Value = grain.Type;
            p["$k"].Value = grain.Key;
            p["$n"].Value = name;
            return statements.DeleteReminder.ExecuteNonQuery() == 1 ? "1" : "0";
        }
    }
}
