// The embedded default store: one SQLite file holding raw chunks (the truth) and rollups at
// 10 s / 1 min / 10 min / 1 h, so months of 1 Hz data chart from a few thousand buckets.
// Writes are serialized; readers use their own pooled connections (WAL) and never block writers.
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
    private readonly ByteWriter _encoder = new(1 << 16);
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
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Opens (or creates) the store file.</summary>
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

                _disposed = true;
                _writer.Dispose();
                SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void WriteLocked(PointBatch batch)
    {
        var groups = GroupBySeries(batch);
        RegisterSeriesAndFields(batch, groups);
        var prepared = new List<(SeriesState State, PointColumns Points)>(groups.Count);
        var conflicts = new List<string>();
        foreach (var (state, indices) in groups)
        {
            var points = PointColumns.FromBatch(batch, indices, name => _fieldIds[name]);
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

        using var transaction = _writer.BeginTransaction(deferred: false);
        try
        {
            RegisterFieldKinds(transaction, prepared);
            foreach (var (state, points) in prepared)
            {
                EnsureRecovered(state, transaction);
                var split = points.LowerBound(state.HighWater == long.MinValue ? long.MinValue : state.HighWater + 1);
                if (split > 0)
                {
                    WriteLate(transaction, state, points.Range(0, split));
                }

                if (split < points.Count)
                {
                    WriteFresh(transaction, state, points.Range(split, points.Count - split));
                }
            }

            transaction.Commit();
        }
        catch
        {
            transaction.Rollback();
            foreach (var (state, _) in prepared)
            {
                state.Forget();
            }

            throw;
        }
    }

    private List<(SeriesState State, List<int> Indices)> GroupBySeries(PointBatch batch)
    {
        var byKey = new Dictionary<SeriesKey, List<int>>();
        SeriesKey? lastKey = null;
        List<int>? lastList = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var key = batch.Series(i);
            if (!ReferenceEquals(key, lastKey))
            {
                if (!byKey.TryGetValue(key, out lastList))
                {
                    lastList = [];
                    byKey[key] = lastList;
                }

                lastKey = key;
            }

            lastList!.Add(i);
        }

        var result = new List<(SeriesState, List<int>)>(byKey.Count);
        foreach (var (key, indices) in byKey)
        {
            _seriesByKey.TryGetValue(key.Key, out var state);
            result.Add((state!, indices));
        }

        return result;
    }

    /// <summary>New series and field names get ids in their own transaction (harmless if the data write then fails).</summary>
    private void RegisterSeriesAndFields(PointBatch batch, List<(SeriesState State, List<int> Indices)> groups)
    {
        var newFields = new HashSet<string>(StringComparer.Ordinal);
        string? lastName = null;
        for (var i = 0; i < batch.Count; i++)
        {
            foreach (ref readonly var field in batch.Fields(i))
            {
                if (!ReferenceEquals(field.Name, lastName) && !_fieldIds.ContainsKey(field.Name))
                {
                    newFields.Add(field.Name);
                }

                lastName = field.Name;
            }
        }

        var missingSeries = groups.Where(g => g.State is null).ToList();
        if (newFields.Count == 0 && missingSeries.Count == 0)
        {
            return;
        }

        using (var transaction = _writer.BeginTransaction(deferred: false))
        {
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

                var seriesKey = batch.Series(groups[g].Indices[0]);
                measurement.Value = seriesKey.Measurement;
                key.Value = seriesKey.Key;
                tags.Value = JsonSerializer.Serialize(seriesKey.Tags.ToDictionary(t => t.Key, t => t.Value));
                var id = (long)insertSeries.ExecuteScalar()!;
                var state = new SeriesState(id, seriesKey) { Recovered = true };
                AddSeries(state);
                groups[g] = (state, groups[g].Indices);
            }

            transaction.Commit();
        }
    }

    private void RegisterFieldKinds(SqliteTransaction transaction, List<(SeriesState State, PointColumns Points)> prepared)
    {
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

                    insert ??= Command(transaction, "INSERT OR REPLACE INTO series_field(series, field, kind) VALUES($s, $f, $k)");
                    insert.Parameters.Clear();
                    insert.Parameters.AddWithValue("$s", state.Id);
                    insert.Parameters.AddWithValue("$f", column.FieldId);
                    insert.Parameters.AddWithValue("$k", (int)column.Kind);
                    insert.ExecuteNonQuery();
                    state.FieldKinds[column.FieldId] = column.Kind;
                }
            }
        }
        finally
        {
            insert?.Dispose();
        }
    }

    private void WriteFresh(SqliteTransaction transaction, SeriesState state, PointColumns points)
    {
        InsertRaw(transaction, state.Id, points);
        var closed = new List<RollupBucket>();
        for (var level = 0; level < RollupLevels.Widths.Length; level++)
        {
            closed.Clear();
            Fold(state, points, level, closed);
            if (closed.Count > 0)
            {
                InsertRollups(transaction, state.Id, level, closed);
                state.LastPersisted[level] = Math.Max(state.LastPersisted[level], closed[^1].Start);
            }
        }

        state.HighWater = points.Last;
        SetLast(state, points, points.Count - 1);
    }

    /// <summary>Points at or before the newest time: exact duplicates are dropped, the rest stored and the rollups they touch rebuilt.</summary>
    private void WriteLate(SqliteTransaction transaction, SeriesState state, PointColumns late)
    {
        var existing = ReadRawMerged(_writer, transaction, state.Id, late.First, late.Last);
        var keep = new List<int>();
        for (var i = 0; i < late.Count; i++)
        {
            var row = existing.Count == 0 ? -1 : existing.LowerBound(late.Times[i]);
            if (row < 0 || row >= existing.Count || existing.Times[row] != late.Times[i] || !SameFields(late, i, existing, row))
            {
                keep.Add(i);
            }
        }

        if (keep.Count == 0)
        {
            return;
        }

        var remaining = keep.Count == late.Count ? late : Select(late, keep);
        InsertRaw(transaction, state.Id, remaining);
        RebuildRollups(transaction, state, remaining.First, remaining.Last);
        if (remaining.Last == state.HighWater)
        {
            var newest = ReadRawMerged(_writer, transaction, state.Id, state.HighWater, state.HighWater);
            SetLast(state, newest, newest.Count - 1);
        }
    }

    private static bool SameFields(PointColumns late, int row, PointColumns existing, int existingRow)
    {
        foreach (var column in late.Columns)
        {
            if (!column.Present[row])
            {
                continue;
            }

            var other = existing.Column(column.FieldId);
            if (other is null || !other.Present[existingRow] || !column.SameValue(row, other, existingRow))
            {
                return false;
            }
        }

        return true;
    }

    private static PointColumns Select(PointColumns source, List<int> rows)
    {
        var result = new PointColumns(rows.Count);
        foreach (var row in rows)
        {
            var target = result.AddTime(source.Times[row]);
            foreach (var column in source.Columns)
            {
                if (column.Present[row])
                {
                    result.ColumnFor(column.FieldId, column.Kind).CopyFrom(target, column, row);
                }
            }
        }

        return result;
    }

    /// <summary>Folds ascending points into the open bucket of a level, moving finished buckets to <paramref name="closed"/>.</summary>
    private static void Fold(SeriesState state, PointColumns points, int level, List<RollupBucket> closed)
    {
        var width = RollupLevels.Widths[level];
        var times = points.Times;
        var i = 0;
        while (i < points.Count)
        {
            var start = Downsampling.FloorTo(times[i], width);
            var end = start + width;
            var j = i + 1;
            while (j < points.Count && times[j] < end)
            {
                j++;
            }

            if (start > state.LastPersisted[level])
            {
                var open = state.Open[level];
                if (open is null || open.Start != start)
                {
                    if (open is not null && open.Start < start)
                    {
                        closed.Add(open);
                    }

                    open = new RollupBucket(start);
                    state.Open[level] = open;
                }

                AddRun(open, points, i, j);
            }

            i = j;
        }
    }

    private static void AddRun(RollupBucket bucket, PointColumns points, int from, int to)
    {
        foreach (var column in points.Columns)
        {
            if (column.Kind is not (FieldKind.Float or FieldKind.Integer))
            {
                continue;
            }

            var run = default(Aggregate);
            var present = column.Present;
            var bits = column.Bits;
            var isFloat = column.Kind == FieldKind.Float;
            for (var k = from; k < to; k++)
            {
                if (present[k])
                {
                    run.Add(isFloat ? BitConverter.Int64BitsToDouble(bits[k]) : bits[k]);
                }
            }

            if (run.Count > 0)
            {
                ref var aggregate = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(bucket.Fields, column.FieldId, out _);
                aggregate.Merge(run);
            }
        }
    }

    private static List<RollupBucket> BucketsOf(PointColumns points, long width)
    {
        var buckets = new List<RollupBucket>();
        var i = 0;
        while (i < points.Count)
        {
            var start = Downsampling.FloorTo(points.Times[i], width);
            var j = i + 1;
            while (j < points.Count && points.Times[j] < start + width)
            {
                j++;
            }

            var bucket = new RollupBucket(start);
            AddRun(bucket, points, i, j);
            buckets.Add(bucket);
            i = j;
        }

        return buckets;
    }

    private void RebuildRollups(SqliteTransaction transaction, SeriesState state, long from, long to)
    {
        for (var level = 0; level < RollupLevels.Widths.Length; level++)
        {
            var width = RollupLevels.Widths[level];
            var first = Downsampling.FloorTo(from, width);
            var last = Downsampling.FloorTo(to, width);
            var open = state.Open[level];
            var lastClosed = open is null ? last : Math.Min(last, open.Start - width);
            if (first <= lastClosed)
            {
                var kept = new List<RollupBucket>();
                var rowIds = new List<long>();
                using (var select = Command(transaction, "SELECT rowid, data FROM rollup WHERE series=$s AND level=$l AND t1>=$a AND t0<=$b"))
                {
                    select.Parameters.AddWithValue("$s", state.Id);
                    select.Parameters.AddWithValue("$l", level);
                    select.Parameters.AddWithValue("$a", first);
                    select.Parameters.AddWithValue("$b", lastClosed);
                    using var reader = select.ExecuteReader();
                    while (reader.Read())
                    {
                        rowIds.Add(reader.GetInt64(0));
                        kept.AddRange(RollupChunkCodec.Decode(width, (byte[])reader[1]).Where(b => b.Start < first || b.Start > lastClosed));
                    }
                }

                DeleteRows(transaction, "rollup", rowIds);
                var raw = ReadRawMerged(_writer, transaction, state.Id, first, lastClosed + width - 1);
                kept.AddRange(BucketsOf(raw, width));
                if (kept.Count > 0)
                {
                    kept.Sort((a, b) => a.Start.CompareTo(b.Start));
                    InsertRollups(transaction, state.Id, level, kept);
                    state.LastPersisted[level] = Math.Max(state.LastPersisted[level], kept[^1].Start);
                }
            }

            if (open is not null && open.Start >= first && open.Start <= last)
            {
                var raw = ReadRawMerged(_writer, transaction, state.Id, open.Start, open.Start + width - 1);
                var rebuilt = BucketsOf(raw, width);
                state.Open[level] = rebuilt.Count > 0 ? rebuilt[0] : new RollupBucket(open.Start);
            }
        }
    }

    /// <summary>Derives a series' open buckets and latest point from the file (after open or a failed write).</summary>
    private void EnsureRecovered(SeriesState state, SqliteTransaction? transaction)
    {
        if (state.Recovered)
        {
            return;
        }

        state.Forget();
        var highWater = Scalar(_writer, "SELECT max(t1) FROM raw WHERE series=$s", transaction, ("$s", state.Id));
        if (highWater is null or DBNull)
        {
            state.Recovered = true;
            return;
        }

        state.HighWater = Convert.ToInt64(highWater, System.Globalization.CultureInfo.InvariantCulture);
        var readFrom = long.MaxValue;
        for (var level = 0; level < RollupLevels.Widths.Length; level++)
        {
            var persisted = Scalar(_writer, "SELECT max(t1) FROM rollup WHERE series=$s AND level=$l", transaction, ("$s", state.Id), ("$l", level));
            state.LastPersisted[level] = persisted is null or DBNull ? long.MinValue : Convert.ToInt64(persisted, System.Globalization.CultureInfo.InvariantCulture);
            readFrom = Math.Min(readFrom, state.LastPersisted[level] == long.MinValue ? long.MinValue : state.LastPersisted[level] + RollupLevels.Widths[level]);
        }

        var points = ReadRawMerged(_writer, transaction, state.Id, readFrom, state.HighWater);
        var closed = new List<RollupBucket>();
        for (var level = 0; level < RollupLevels.Widths.Length; level++)
        {
            closed.Clear();
            Fold(state, points, level, closed);
            if (closed.Count > 0)
            {
                // Closed buckets are written with the raw point that closes them, so this only repairs a damaged file.
                if (transaction is not null)
                {
                    InsertRollups(transaction, state.Id, level, closed);
                }
                else
                {
                    using var own = _writer.BeginTransaction(deferred: false);
                    InsertRollups(own, state.Id, level, closed);
                    own.Commit();
                }

                state.LastPersisted[level] = closed[^1].Start;
            }
        }

        if (points.Count > 0 && points.Last == state.HighWater)
        {
            SetLast(state, points, points.Count - 1);
        }

        state.Recovered = true;
    }

    private void SetLast(SeriesState state, PointColumns points, int row)
    {
        if (row < 0)
        {
            return;
        }

        var fields = new List<FieldValue>(points.Columns.Count);
        foreach (var column in points.Columns)
        {
            if (column.Present[row])
            {
                fields.Add(column.Value(row, _fieldNames[column.FieldId]));
            }
        }

        state.LastTime = points.Times[row];
        state.LastFields = [.. fields];
    }

    private void InsertRaw(SqliteTransaction transaction, long series, PointColumns points)
    {
        using var insert = Command(transaction, "INSERT INTO raw(series, t0, t1, n, data) VALUES($s, $a, $b, $n, $d)");
        var s = insert.Parameters.Add("$s", SqliteType.Integer);
        var a = insert.Parameters.Add("$a", SqliteType.Integer);
        var b = insert.Parameters.Add("$b", SqliteType.Integer);
        var n = insert.Parameters.Add("$n", SqliteType.Integer);
        var d = insert.Parameters.Add("$d", SqliteType.Blob);
        for (var start = 0; start < points.Count; start += _options.MaxChunkPoints)
        {
            var count = Math.Min(_options.MaxChunkPoints, points.Count - start);
            _encoder.Reset();
            RawChunkCodec.Encode(points, start, count, _encoder);
            s.Value = series;
            a.Value = points.Times[start];
            b.Value = points.Times[start + count - 1];
            n.Value = count;
            d.Value = _encoder.ToArray();
            insert.ExecuteNonQuery();
        }
    }

    private void InsertRollups(SqliteTransaction transaction, long series, int level, IReadOnlyList<RollupBucket> buckets)
    {
        using var insert = Command(transaction, "INSERT INTO rollup(series, level, t0, t1, n, data) VALUES($s, $l, $a, $b, $n, $d)");
        for (var start = 0; start < buckets.Count; start += MaxRollupBuckets)
        {
            var count = Math.Min(MaxRollupBuckets, buckets.Count - start);
            var slice = buckets.Skip(start).Take(count).ToList();
            _encoder.Reset();
            RollupChunkCodec.Encode(RollupLevels.Widths[level], slice, _encoder);
            insert.Parameters.Clear();
            insert.Parameters.AddWithValue("$s", series);
            insert.Parameters.AddWithValue("$l", level);
            insert.Parameters.AddWithValue("$a", slice[0].Start);
            insert.Parameters.AddWithValue("$b", slice[^1].Start);
            insert.Parameters.AddWithValue("$n", count);
            insert.Parameters.AddWithValue("$d", _encoder.ToArray());
            insert.ExecuteNonQuery();
        }
    }

    private void DeleteRows(SqliteTransaction transaction, string table, List<long> rowIds)
    {
        if (rowIds.Count == 0)
        {
            return;
        }

        using var delete = Command(transaction, $"DELETE FROM {table} WHERE rowid=$r");
        var r = delete.Parameters.Add("$r", SqliteType.Integer);
        foreach (var id in rowIds)
        {
            r.Value = id;
            delete.ExecuteNonQuery();
        }
    }

    /// <summary>Raw points of a series with from ≤ t ≤ to, duplicates merged (later writes win).</summary>
    private static PointColumns ReadRawMerged(SqliteConnection connection, SqliteTransaction? transaction, long series, long from, long to)
    {
        var chunks = new List<PointColumns>();
        using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT data FROM raw WHERE series=$s AND t1>=$a AND t0<=$b ORDER BY rowid";
            select.Parameters.AddWithValue("$s", series);
            select.Parameters.AddWithValue("$a", from);
            select.Parameters.AddWithValue("$b", to);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                chunks.Add(RawChunkCodec.Decode((byte[])reader[0]));
            }
        }

        if (chunks.Count == 0)
        {
            return new PointColumns(1);
        }

        return PointColumns.Merge(chunks).Slice(from, to);
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
