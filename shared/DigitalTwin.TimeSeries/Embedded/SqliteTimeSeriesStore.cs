// The embedded default store, one SQLite file. A write commits the whole batch as one row of a
// write-ahead log and adds it to an in-memory head; checkpoints turn the head into per-series
// chunks and rollups (10 s / 1 min / 10 min / 1 h), so months of 1 Hz data chart from a few
// thousand buckets and a fleet's many tiny per-cell writes cost one row per batch, not per cell.
using System.Text.Json;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;
using Microsoft.Data.Sqlite;

namespace DigitalTwin.TimeSeries.Embedded;

public sealed partial class SqliteTimeSeriesStore : ITimeSeriesStore
{
    private const int SchemaVersion = 1;
    private const int MaxRollupBuckets = 4096;

    private readonly SqliteStoreOptions _options;
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    // Guards everything below and every use of _writer (SqliteConnection is single-threaded).
    private readonly Lock _state = new();
    private readonly Dictionary<string, SeriesState> _seriesByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<long, SeriesState> _seriesById = [];
    private readonly Dictionary<string, List<SeriesState>> _seriesByMeasurement = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _fieldIds = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _fieldNames = [];

    // Catalog field names are the same string instances in every point: a reference lookup skips hashing text.
    private readonly Dictionary<string, int> _fieldIdsByReference = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<SeriesState> _unsaved = [];
    private readonly ByteWriter _encoder = new(1 << 16);
    private readonly FieldLayout _layout = new();
    private SqliteCommand? _insertRaw;
    private SqliteCommand? _insertRollup;
    private SqliteCommand? _insertWal;
    private long _headPoints;
    private long _headSince;
    private long _lastWalId;
    private long _generation;
    private bool _disposed;

    private SqliteTimeSeriesStore(string path, SqliteStoreOptions options)
    {
        _options = options;
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        Execute(_writer, $"""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous={(options.SurvivePowerLoss ? "FULL" : "NORMAL")};
            PRAGMA cache_size=-{options.CacheKiB};
            PRAGMA temp_store=MEMORY;
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, measurement TEXT NOT NULL, key TEXT NOT NULL UNIQUE, tags TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS field(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
            CREATE TABLE IF NOT EXISTS series_field(series INTEGER NOT NULL, field INTEGER NOT NULL, kind INTEGER NOT NULL, PRIMARY KEY(series, field)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS wal(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS raw(series INTEGER NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS raw_series_t1 ON raw(series, t1);
            CREATE TABLE IF NOT EXISTS rollup(series INTEGER NOT NULL, level INTEGER NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS rollup_series_level_t1 ON rollup(series, level, t1);
            INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '{SchemaVersion}');
            """);
        var version = Scalar(_writer, "SELECT value FROM meta WHERE key='schema_version'");
        if (version?.ToString() != SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            _writer.Dispose();
            throw new InvalidDataException($"{Path}: time-series file has schema version {version}; this build reads version {SchemaVersion}.");
        }

        LoadCatalog();
        lock (_state)
        {
            ReplayLog();
            Checkpoint();
        }
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Opens (or creates) the store file; points left in the log by a crash are replayed.</summary>
    public static SqliteTimeSeriesStore Open(string path, SqliteStoreOptions? options = null)
    {
        options ??= new SqliteStoreOptions();
        options.Validate();
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return new SqliteTimeSeriesStore(path, options);
    }

    public async ValueTask WriteAsync(PointBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate();
        if (batch.Count == 0)
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_state)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                WriteLocked(batch);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Writes are durable when <see cref="WriteAsync"/> returns; nothing to wait for.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <summary>Moves the head into chunks and rollups now (also done by size, by age and on dispose).</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_state)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                Checkpoint();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_state)
            {
                if (_disposed)
                {
                    return;
                }

                try
                {
                    Checkpoint();
                }
                finally
                {
                    _disposed = true;
                    _insertRaw?.Dispose();
                    _insertRollup?.Dispose();
                    _insertWal?.Dispose();
                    _writer.Dispose();
                    SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void WriteLocked(PointBatch batch)
    {
        var (groups, order) = GroupBySeries(batch);
        RegisterSeriesAndFields(batch, groups, order);
        var prepared = new List<(SeriesState State, PointColumns Points)>(groups.Count);
        var conflicts = new List<string>();
        foreach (var (state, start, count) in groups)
        {
            PointColumns points;
            try
            {
                points = PointColumns.FromBatch(batch, order.AsSpan(start, count), FieldId, _layout);
            }
            catch (FieldTypeConflictException ex)
            {
                conflicts.Add($"{state.Key.Key} field '{_fieldNames[ex.FieldId]}' is written as both {ex.Existing} and {ex.Written} in one batch");
                continue;
            }

            foreach (var column in points.Columns)
            {
                if (state.FieldKinds.TryGetValue(column.FieldId, out var kind) && kind != column.Kind)
                {
                    conflicts.Add($"{state.Key.Key} field '{_fieldNames[column.FieldId]}' is {kind}, written as {column.Kind}");
                }
            }

            prepared.Add((state, points));
        }

        if (conflicts.Count > 0)
        {
            throw new ArgumentException("Field type conflict, nothing written: " + string.Join("; ", conflicts) + ".", nameof(batch));
        }

        RegisterFieldKinds(prepared);
        foreach (var (state, _) in prepared)
        {
            EnsureRecovered(state);
        }

        // Many new points of one series: straight to a chunk. Few, or late ones: through the log and the head.
        var direct = prepared.Where(p => _options.DirectWritePoints > 0 && p.Points.Count >= _options.DirectWritePoints
            && (p.State.HighWater == long.MinValue || p.Points.First > p.State.HighWater)).ToList();
        var logged = direct.Count == 0 ? prepared : prepared.Where(p => !direct.Contains(p)).ToList();
        long walId = 0;
        using (var transaction = _writer.BeginTransaction(deferred: false))
        {
            foreach (var (state, points) in direct)
            {
                InsertRaw(transaction, state.Id, points);
            }

            if (logged.Count > 0)
            {
                _encoder.Reset();
                _encoder.Varint((ulong)logged.Count);
                foreach (var (state, points) in logged)
                {
                    _encoder.Varint((ulong)state.Id);
                    RawChunkCodec.Encode(points, 0, points.Count, _encoder);
                }

                var insert = Prepared(ref _insertWal, transaction, "INSERT INTO wal(data) VALUES(zeroblob($n)); SELECT last_insert_rowid();", "$n");
                walId = InsertBlob(insert, "wal");
            }

            transaction.Commit();
        }

        foreach (var (state, points) in direct)
        {
            ApplyStored(state, points);
        }

        var late = false;
        foreach (var (state, points) in logged)
        {
            late |= Apply(state, points);
        }

        if (walId != 0)
        {
            _lastWalId = walId;
        }

        var now = _options.TimeProvider.GetTimestamp();
        if (_headSince == 0)
        {
            _headSince = now;
        }

        if (late || _headPoints >= _options.CheckpointPoints || _options.TimeProvider.GetElapsedTime(_headSince, now) >= _options.CheckpointInterval)
        {
            Checkpoint();
        }
    }

    /// <summary>Points already in a chunk (direct write, all newer than the series): rollups and latest point only.</summary>
    private void ApplyStored(SeriesState state, PointColumns points)
    {
        // Counted like head points so a checkpoint also bounds the rollup buckets waiting in memory.
        _unsaved.Add(state);
        _headPoints += points.Count;
        for (var level = 0; level < RollupLevels.Widths.Length; level++)
        {
            Fold(state, points, level, state.Pending[level]);
        }

        state.HighWater = points.Last;
        SetLast(state, points, points.Count - 1);
    }

    /// <summary>Adds committed points to the head and the rollups in memory; returns true if some were late.</summary>
    private bool Apply(SeriesState state, PointColumns points)
    {
        var split = points.LowerBound(state.HighWater == long.MinValue ? long.MinValue : state.HighWater + 1);
        _unsaved.Add(state);
        _headPoints += points.Count;
        if (split > 0)
        {
            var late = points.Range(0, split);
            state.HeadLate.Add(late);
            if (late.Last == state.HighWater)
            {
                MergeIntoLast(state, late, late.Count - 1);
            }
        }

        if (split == points.Count)
        {
            return split > 0;
        }

        var fresh = points.Range(split, points.Count - split);
        state.Head ??= new PointColumns(Math.Max(16, fresh.Count));
        state.Head.AppendFrom(fresh);
        for (var level = 0; level < RollupLevels.Widths.Length; level++)
        {
            Fold(state, fresh, level, state.Pending[level]);
        }

        state.HighWater = fresh.Last;

        // The latest point is the head's last row (appends never change earlier rows), so the batch's own
        // columns are not kept alive by every series until its next write.
        SetLast(state, state.Head, state.Head.Count - 1);
        return split > 0;
    }

    /// <summary>Points grouped by series without a list per series: group g is order[start..start+count).</summary>
    private (List<(SeriesState State, int Start, int Count)> Groups, int[] Order) GroupBySeries(PointBatch batch)
    {
        var groupOf = new int[batch.Count];
        var byKey = new Dictionary<SeriesKey, int>();
        var counts = new List<int>();
        SeriesKey? lastKey = null;
        var lastGroup = -1;
        for (var i = 0; i < batch.Count; i++)
        {
            var key = batch.Series(i);
            if (!ReferenceEquals(key, lastKey))
            {
                if (!byKey.TryGetValue(key, out lastGroup))
                {
                    lastGroup = byKey.Count;
                    byKey[key] = lastGroup;
                    counts.Add(0);
                }

                lastKey = key;
            }

            groupOf[i] = lastGroup;
            counts[lastGroup]++;
        }

        var starts = new int[counts.Count];
        for (var g = 1; g < starts.Length; g++)
        {
            starts[g] = starts[g - 1] + counts[g - 1];
        }

        var order = new int[batch.Count];
        var fill = (int[])starts.Clone();
        for (var i = 0; i < batch.Count; i++)
        {
            order[fill[groupOf[i]]++] = i;
        }

        var groups = new List<(SeriesState, int, int)>(counts.Count);
        foreach (var (key, g) in byKey)
        {
            _seriesByKey.TryGetValue(key.Key, out var state);
            groups.Add((state!, starts[g], counts[g]));
        }

        return (groups, order);
    }

    /// <summary>New series and field names get ids in their own transaction (harmless if the data write then fails).</summary>
    private void RegisterSeriesAndFields(PointBatch batch, List<(SeriesState State, int Start, int Count)> groups, int[] order)
    {
        var newFields = new HashSet<string>(StringComparer.Ordinal);
        string? lastName = null;
        for (var i = 0; i < batch.Count; i++)
        {
            foreach (ref readonly var field in batch.Fields(i))
            {
                if (!ReferenceEquals(field.Name, lastName) && !_fieldIdsByReference.ContainsKey(field.Name) && !_fieldIds.ContainsKey(field.Name))
                {
                    newFields.Add(field.Name);
                }

                lastName = field.Name;
            }
        }

        if (newFields.Count == 0 && groups.All(g => g.State is not null))
        {
            return;
        }

        using var transaction = _writer.BeginTransaction(deferred: false);
        using var insertField = Command(transaction, "INSERT INTO field(name) VALUES($name); SELECT last_insert_rowid();");
        var name = insertField.Parameters.Add("$name", SqliteType.Text);
        foreach (var field in newFields)
        {
            name.Value = field;
            var id = Convert.ToInt32(insertField.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            _fieldIds[field] = id;
            _fieldNames[id] = field;
        }

        using var insertSeries = Command(transaction, "INSERT INTO series(measurement, key, tags) VALUES($m, $k, $t); SELECT last_insert_rowid();");
        var measurement = insertSeries.Parameters.Add("$m", SqliteType.Text);
        var key = insertSeries.Parameters.Add("$k", SqliteType.Text);
        var tags = insertSeries.Parameters.Add("$t", SqliteType.Text);
        for (var g = 0; g < groups.Count; g++)
        {
            if (groups[g].State is not null)
            {
                continue;
            }

            var seriesKey = batch.Series(order[groups[g].Start]);
            measurement.Value = seriesKey.Measurement;
            key.Value = seriesKey.Key;
            tags.Value = JsonSerializer.Serialize(seriesKey.Tags.ToDictionary(t => t.Key, t => t.Value));
            var state = new SeriesState((long)insertSeries.ExecuteScalar()!, seriesKey) { Recovered = true };
            AddSeries(state);
            groups[g] = (state, groups[g].Start, groups[g].Count);
        }

        transaction.Commit();
    }

    private void RegisterFieldKinds(List<(SeriesState State, PointColumns Points)> prepared)
    {
        SqliteTransaction? transaction = null;
        SqliteCommand? insert = null;
        try
        {
            foreach (var (state, points) in prepared)
            {
                foreach (var column in points.Columns)
                {
                    if (state.FieldKinds.ContainsKey(column.FieldId))
                    {
                        continue;
                    }

                    transaction ??= _writer.BeginTransaction(deferred: false);
                    insert ??= Command(transaction, "INSERT OR REPLACE INTO series_field(series, field, kind) VALUES($s, $f, $k)");
                    insert.Parameters.Clear();
                    insert.Parameters.AddWithValue("$s", state.Id);
                    insert.Parameters.AddWithValue("$f", column.FieldId);
                    insert.Parameters.AddWithValue("$k", (int)column.Kind);
                    insert.ExecuteNonQuery();
                    state.FieldKinds[column.FieldId] = column.Kind;
                }
            }

            transaction?.Commit();
        }
        finally
        {
            insert?.Dispose();
            transaction?.Dispose();
        }
    }

    private int FieldId(string name)
    {
        if (!_fieldIdsByReference.TryGetValue(name, out var id))
        {
            id = _fieldIds[name];
            if (_fieldIdsByReference.Count < 10_000)
            {
                _fieldIdsByReference[name] = id;
            }
        }

        return id;
    }

    private static void SetLast(SeriesState state, PointColumns points, int row)
    {
        if (row < 0)
        {
            return;
        }

        state.LastPoint = points;
        state.LastRow = row;
    }

    /// <summary>The newest point's fields (materialized only when asked for).</summary>
    private FieldValue[] LastFields(SeriesState state)
    {
        if (state.LastPoint is not { } points)
        {
            return [];
        }

        var fields = new List<FieldValue>(points.Columns.Count);
        foreach (var column in points.Columns)
        {
            if (column.Present[state.LastRow])
            {
                fields.Add(column.Value(state.LastRow, _fieldNames[column.FieldId]));
            }
        }

        return [.. fields];
    }

    /// <summary>A late point at the newest time overwrites the latest point field by field.</summary>
    private static void MergeIntoLast(SeriesState state, PointColumns points, int row)
    {
        var merged = new PointColumns(1);
        merged.AddTime(points.Times[row]);
        if (state.LastPoint is { } previous && previous.Times[state.LastRow] == points.Times[row])
        {
            foreach (var column in previous.Columns.Where(c => c.Present[state.LastRow]))
            {
                merged.ColumnFor(column.FieldId, column.Kind).CopyFrom(0, column, state.LastRow);
            }
        }

        foreach (var column in points.Columns.Where(c => c.Present[row]))
        {
            merged.ColumnFor(column.FieldId, column.Kind).CopyFrom(0, column, row);
        }

        SetLast(state, merged, 0);
    }

    private void LoadCatalog()
    {
        using (var fields = _writer.CreateCommand())
        {
            fields.CommandText = "SELECT id, name FROM field";
            using var reader = fields.ExecuteReader();
            while (reader.Read())
            {
                _fieldIds[reader.GetString(1)] = reader.GetInt32(0);
                _fieldNames[reader.GetInt32(0)] = reader.GetString(1);
            }
        }

        using (var series = _writer.CreateCommand())
        {
            series.CommandText = "SELECT id, measurement, tags FROM series";
            using var reader = series.ExecuteReader();
            while (reader.Read())
            {
                var tags = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(2)) ?? [];
                AddSeries(new SeriesState(reader.GetInt64(0), SeriesKey.Create(reader.GetString(1), tags)));
            }
        }

        using (var kinds = _writer.CreateCommand())
        {
            kinds.CommandText = "SELECT series, field, kind FROM series_field";
            using var reader = kinds.ExecuteReader();
            while (reader.Read())
            {
                if (_seriesById.TryGetValue(reader.GetInt64(0), out var state))
                {
                    state.FieldKinds[reader.GetInt32(1)] = (FieldKind)reader.GetInt32(2);
                }
            }
        }
    }

    private void AddSeries(SeriesState state)
    {
        _seriesByKey[state.Key.Key] = state;
        _seriesById[state.Id] = state;
        if (!_seriesByMeasurement.TryGetValue(state.Key.Measurement, out var list))
        {
            list = [];
            _seriesByMeasurement[state.Key.Measurement] = list;
        }

        list.Add(state);
    }

    /// <summary>A statement prepared once on the writer connection and reused (preparing per insert dominated write time).</summary>
    private SqliteCommand Prepared(ref SqliteCommand? command, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        if (command is null)
        {
            command = _writer.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
        }

        command.Transaction = transaction;
        return command;
    }

    /// <summary>
    /// Runs an INSERT whose last parameter is the blob length (zeroblob($n)) and fills the blob from the
    /// encoder in place: no byte[] per row (large rows would land on the large-object heap).
    /// </summary>
    private long InsertBlob(SqliteCommand insert, string table)
    {
        insert.Parameters[^1].Value = _encoder.Length;
        var rowId = (long)insert.ExecuteScalar()!;
        using var blob = new SqliteBlob(_writer, table, "data", rowId);
        blob.Write(_encoder.Span);
        return rowId;
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteScalar();
    }
}
