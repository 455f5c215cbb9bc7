// Reads of the embedded store: buckets from the coarsest rollup level that divides the bucket
// width (plus the open bucket held in memory), raw points when asked, latest points, tag values.
using DigitalTwin.TimeSeries.Schema;
using Microsoft.Data.Sqlite;

namespace DigitalTwin.TimeSeries.Embedded;

public sealed partial class SqliteTimeSeriesStore
{
    public Task<SeriesResult> QueryAsync(SeriesQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var plan = Downsampling.Plan(query);
        var level = plan.IsRaw ? -1 : RollupLevels.ForBucket(plan.BucketNs);

        // Memory (head, pending and open buckets) and disk are read as of one checkpoint generation.
        for (var attempt = 1; ; attempt++)
        {
            var snapshot = Snapshot(query, level);
            var result = Read(query, plan, level, snapshot, cancellationToken);
            lock (_state)
            {
                if (snapshot.Generation == _generation || attempt == 5)
                {
                    return Task.FromResult(result);
                }
            }
        }
    }

    public Task<IReadOnlyList<LatestPoint>> LatestAsync(LatestQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var result = new List<LatestPoint>();
        lock (_state)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var state in Matching(query.Measurement, query.Tags))
            {
                EnsureRecovered(state);
                if (state.LastTime == long.MinValue)
                {
                    continue;
                }

                var all = LastFields(state);
                var fields = query.Fields is null ? all : all.Where(f => query.Fields.Contains(f.Name)).ToArray();
                if (fields.Length > 0)
                {
                    result.Add(new LatestPoint(state.Tags, state.LastTime, fields));
                }
            }
        }

        return Task.FromResult<IReadOnlyList<LatestPoint>>(result);
    }

    public Task<IReadOnlyList<string>> TagValuesAsync(string measurement, string tag, IReadOnlyDictionary<string, string>? filter = null,
        CancellationToken cancellationToken = default)
    {
        var values = new SortedSet<string>(StringComparer.Ordinal);
        lock (_state)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var state in Matching(measurement, filter ?? new Dictionary<string, string>()))
            {
                if (state.Tags.TryGetValue(tag, out var value))
                {
                    values.Add(value);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<string>>([.. values]);
    }

    /// <summary>Counts for monitoring and benchmarks.</summary>
    public StoreStatistics GetStatistics()
    {
        lock (_state)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var rawRows = Convert.ToInt64(Scalar(_writer, "SELECT count(*) FROM raw"), System.Globalization.CultureInfo.InvariantCulture);
            var points = Scalar(_writer, "SELECT sum(n) FROM raw");
            var rollupRows = Convert.ToInt64(Scalar(_writer, "SELECT count(*) FROM rollup"), System.Globalization.CultureInfo.InvariantCulture);
            var pages = Convert.ToInt64(Scalar(_writer, "PRAGMA page_count"), System.Globalization.CultureInfo.InvariantCulture);
            var pageSize = Convert.ToInt64(Scalar(_writer, "PRAGMA page_size"), System.Globalization.CultureInfo.InvariantCulture);
            return new StoreStatistics(_seriesByKey.Count, rawRows,
                points is null or DBNull ? 0 : Convert.ToInt64(points, System.Globalization.CultureInfo.InvariantCulture),
                rollupRows, pages * pageSize, _headPoints);
        }
    }

    private IEnumerable<SeriesState> Matching(string measurement, IReadOnlyDictionary<string, string> tags)
    {
        if (!_seriesByMeasurement.TryGetValue(measurement, out var all))
        {
            return [];
        }

        return all.Where(s => s.Matches(tags)).OrderBy(s => s.Key.Key, StringComparer.Ordinal).ToList();
    }

    private QuerySnapshot Snapshot(SeriesQuery query, int level)
    {
        lock (_state)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var fieldIds = query.Fields.Select(f => _fieldIds.GetValueOrDefault(f, -1)).ToArray();
            var whereId = query.Where is null ? -1 : _fieldIds.GetValueOrDefault(query.Where.Field, -1);
            var series = new List<SeriesSnapshot>();
            foreach (var state in Matching(query.Measurement, query.Tags))
            {
                EnsureRecovered(state);
                List<PointColumns> head = state.Head is { Count: > 0 } current ? [current.Snapshot()] : [];
                head.AddRange(state.HeadLate);
                series.Add(new SeriesSnapshot(state.Id, state.Tags, head,
                    level >= 0 ? [.. state.Pending[level]] : [], level >= 0 ? state.Open[level]?.Clone() : null));
            }

            return new QuerySnapshot(_generation, fieldIds, whereId, series);
        }
    }

    private SeriesResult Read(SeriesQuery query, QueryPlan plan, int level, QuerySnapshot snapshot, CancellationToken cancellationToken)
    {
        var frames = new List<SeriesFrame>();
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        if (plan.IsRaw)
        {
            foreach (var series in snapshot.Series)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var frame = RawFrame(connection, series, query, plan, snapshot.FieldIds, snapshot.WhereId);
                if (frame is not null)
                {
                    frames.Add(frame);
                }
            }

            return new SeriesResult(query.Measurement, plan.BucketNs, frames);
        }

        var bucketCount = checked((int)((plan.ToNs - plan.FromNs) / plan.BucketNs));
        var combined = query.Combine ? new BucketGrid(bucketCount, snapshot.FieldIds.Length) : null;
        foreach (var series in snapshot.Series)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var grid = combined ?? new BucketGrid(bucketCount, snapshot.FieldIds.Length);
            FillGrid(connection, grid, series, level, plan, snapshot.FieldIds);
            if (combined is null && grid.Any)
            {
                frames.Add(grid.ToFrame(series.Tags, plan, query.Fields));
            }
        }

        if (combined is not null && combined.Any)
        {
            frames.Add(combined.ToFrame(query.Tags, plan, query.Fields));
        }

        return new SeriesResult(query.Measurement, plan.BucketNs, frames);
    }

    private static SeriesFrame? RawFrame(SqliteConnection connection, SeriesSnapshot series, SeriesQuery query, QueryPlan plan, int[] fieldIds, int whereId)
    {
        var points = ReadRawMerged(connection, null, series.Id, plan.FromNs, plan.ToNs - 1, series.Head);
        var rows = new List<int>(points.Count);
        var where = whereId >= 0 ? points.Column(whereId) : null;
        var requested = fieldIds.Where(id => id >= 0).Select(points.Column).OfType<PointColumn>().ToList();
        for (var i = 0; i < points.Count; i++)
        {
            // Like InfluxDB: a row appears only if one of the requested fields has a value there.
            var matches = query.Where is null || (where is not null && where.Present[i] && Math.Abs(where.Number(i) - query.Where.Value) < 0.5);
            if (matches && requested.Exists(c => c.Present[i]))
            {
                rows.Add(i);
            }
        }

        var limit = query.MaxPoints * Downsampling.RawLimitFactor;
        if (rows.Count > limit)
        {
            rows.RemoveRange(0, rows.Count - limit);
        }

        if (rows.Count == 0)
        {
            return null;
        }

        var times = rows.Select(r => points.Times[r]).ToArray();
        var columns = new Dictionary<string, FieldColumn>(StringComparer.Ordinal);
        for (var f = 0; f < fieldIds.Length; f++)
        {
            var column = fieldIds[f] >= 0 ? points.Column(fieldIds[f]) : null;
            var values = new double[rows.Count];
            string?[]? text = column?.Kind == FieldKind.String ? new string?[rows.Count] : null;
            for (var i = 0; i < rows.Count; i++)
            {
                var present = column is not null && column.Present[rows[i]];
                values[i] = present && column!.Kind != FieldKind.String ? column.Number(rows[i]) : double.NaN;
                if (text is not null && present)
                {
                    text[i] = column!.Texts![rows[i]];
                }
            }

            columns[query.Fields[f]] = new FieldColumn(values, text: text);
        }

        return new SeriesFrame(series.Tags, times, columns);
    }

    private static void FillGrid(SqliteConnection connection, BucketGrid grid, SeriesSnapshot series, int level, QueryPlan plan, int[] fieldIds)
    {
        if (level < 0)
        {
            var points = ReadRawMerged(connection, null, series.Id, plan.FromNs, plan.ToNs - 1, series.Head);
            for (var f = 0; f < fieldIds.Length; f++)
            {
                var column = fieldIds[f] >= 0 ? points.Column(fieldIds[f]) : null;
                if (column is null || column.Kind is not (FieldKind.Float or FieldKind.Integer))
                {
                    continue;
                }

                for (var i = 0; i < points.Count; i++)
                {
                    if (column.Present[i])
                    {
                        grid.Add(Index(points.Times[i], plan), f, column.Number(i));
                    }
                }
            }

            return;
        }

        var width = RollupLevels.Widths[level];
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT data FROM rollup WHERE series=$s AND level=$l AND t1>=$a AND t0<$b";
            select.Parameters.AddWithValue("$s", series.Id);
            select.Parameters.AddWithValue("$l", level);
            select.Parameters.AddWithValue("$a", plan.FromNs);
            select.Parameters.AddWithValue("$b", plan.ToNs);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                foreach (var bucket in RollupChunkCodec.Decode(width, (byte[])reader[0]))
                {
                    if (bucket.Start >= plan.FromNs && bucket.Start < plan.ToNs)
                    {
                        grid.Merge(Index(bucket.Start, plan), bucket, fieldIds);
                    }
                }
            }
        }

        foreach (var bucket in series.Pending.Append(series.Open))
        {
            if (bucket is not null && bucket.Start >= plan.FromNs && bucket.Start < plan.ToNs)
            {
                grid.Merge(Index(bucket.Start, plan), bucket, fieldIds);
            }
        }
    }

    private sealed record QuerySnapshot(long Generation, int[] FieldIds, int WhereId, List<SeriesSnapshot> Series);

    private sealed record SeriesSnapshot(long Id, IReadOnlyDictionary<string, string> Tags, List<PointColumns> Head,
        List<RollupBucket> Pending, RollupBucket? Open);

    private static int Index(long time, QueryPlan plan) => (int)((time - plan.FromNs) / plan.BucketNs);

    /// <summary>Aggregates per output bucket and requested field.</summary>
    private sealed class BucketGrid(int buckets, int fields)
    {
        private readonly Aggregate[] _cells = new Aggregate[buckets * fields];

        public bool Any { get; private set; }

        public void Add(int bucket, int field, double value)
        {
            _cells[(bucket * fields) + field].Add(value);
            Any = true;
        }

        public void Merge(int bucket, RollupBucket source, int[] fieldIds)
        {
            for (var f = 0; f < fieldIds.Length; f++)
            {
                if (fieldIds[f] >= 0 && source.TryGet(fieldIds[f], out var aggregate) && aggregate.Count > 0)
                {
                    _cells[(bucket * fields) + f].Merge(aggregate);
                    Any = true;
                }
            }
        }

        public SeriesFrame ToFrame(IReadOnlyDictionary<string, string> tags, QueryPlan plan, IReadOnlyList<string> names)
        {
            var used = new List<int>();
            for (var b = 0; b < buckets; b++)
            {
                for (var f = 0; f < fields; f++)
                {
                    if (_cells[(b * fields) + f].Count > 0)
                    {
                        used.Add(b);
                        break;
                    }
                }
            }

            var times = used.Select(b => plan.FromNs + (b * plan.BucketNs)).ToArray();
            var columns = new Dictionary<string, FieldColumn>(StringComparer.Ordinal);
            for (var f = 0; f < fields; f++)
            {
                var mean = new double[used.Count];
                var min = new double[used.Count];
                var max = new double[used.Count];
                var count = new long[used.Count];
                for (var i = 0; i < used.Count; i++)
                {
                    var cell = _cells[(used[i] * fields) + f];
                    count[i] = cell.Count;
                    mean[i] = cell.Count > 0 ? cell.Sum / cell.Count : double.NaN;
                    min[i] = cell.Count > 0 ? cell.Min : double.NaN;
                    max[i] = cell.Count > 0 ? cell.Max : double.NaN;
                }

                columns[names[f]] = new FieldColumn(mean, min, max, count);
            }

            return new SeriesFrame(tags, times, columns);
        }
    }
}

/// <summary>Points counts chunked points only; HeadPoints are committed to the log and not yet chunked.</summary>
public sealed record StoreStatistics(int Series, long RawChunks, long Points, long RollupChunks, long FileBytes, long HeadPoints);
