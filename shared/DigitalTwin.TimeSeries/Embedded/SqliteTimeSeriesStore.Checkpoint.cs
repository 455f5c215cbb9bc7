// Checkpoint and recovery of the embedded store: the head becomes chunks, pending rollup buckets
// are written, late points are deduplicated and the rollups they touch rebuilt, the log emptied.
// On open (or after a failed checkpoint) state is derived from the chunks and the log is replayed.
using DigitalTwin.TimeSeries.Schema;
using Microsoft.Data.Sqlite;

namespace DigitalTwin.TimeSeries.Embedded;

public sealed partial class SqliteTimeSeriesStore
{
    private void Checkpoint()
    {
        if (_unsaved.Count == 0 && _lastWalId == 0)
        {
            return;
        }

        using var transaction = _writer.BeginTransaction(deferred: false);
        try
        {
            foreach (var state in _unsaved.OrderBy(s => s.Id))
            {
                SaveSeries(transaction, state);
            }

            using (var delete = Command(transaction, "DELETE FROM wal WHERE id<=$id"))
            {
                delete.Parameters.AddWithValue("$id", _lastWalId);
                delete.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        catch
        {
            transaction.Rollback();
            ResetFromDisk();
            throw;
        }

        foreach (var state in _unsaved)
        {
            // A new head, not a cleared one: readers may still hold views of the old arrays.
            state.Head = null;
            state.HeadLate.Clear();
            foreach (var pending in state.Pending)
            {
                pending.Clear();
            }
        }

        _unsaved.Clear();
        _headPoints = 0;
        _headSince = 0;
        _lastWalId = 0;
        _generation++;
    }

    private void SaveSeries(SqliteTransaction transaction, SeriesState state)
    {
        // Fresh points first, late ones after: a late point overwrites whatever was at its time (rowid order).
        if (state.Head is { Count: > 0 } head)
        {
            InsertRaw(transaction, state.Id, head);
        }

        for (var level = 0; level < RollupLevels.Widths.Length; level++)
        {
            if (state.Pending[level].Count > 0)
            {
                InsertRollups(transaction, state.Id, level, state.Pending[level]);
            }
        }

        if (state.HeadLate.Count == 0)
        {
            return;
        }

        var late = PointColumns.Merge(state.HeadLate);
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

        if (keep.Count > 0)
        {
            var remaining = keep.Count == late.Count ? late : Select(late, keep);
            InsertRaw(transaction, state.Id, remaining);
            RebuildRollups(transaction, state, remaining.First, remaining.Last);
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

            if (start > state.LastClosed[level])
            {
                var open = state.Open[level];
                if (open is null || open.Start != start)
                {
                    if (open is not null && open.Start < start)
                    {
                        closed.Add(open);
                        state.LastClosed[level] = open.Start;
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
                bucket.GetOrAdd(column.FieldId).Merge(run);
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

    /// <summary>Recomputes from the raw points every rollup bucket in [from, to] (closed ones on disk, the open one in memory).</summary>
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
                    state.LastClosed[level] = Math.Max(state.LastClosed[level], kept[^1].Start);
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

    /// <summary>Derives a series' open buckets and latest point from the chunks (its head must be empty).</summary>
    private void EnsureRecovered(SeriesState state)
    {
        if (state.Recovered)
        {
            return;
        }

        state.Forget();
        var highWater = Scalar(_writer, "SELECT max(t1) FROM raw WHERE series=$s", null, ("$s", state.Id));
        if (highWater is null or DBNull)
        {
            state.Recovered = true;
            return;
        }

        state.HighWater = Convert.ToInt64(highWater, System.Globalization.CultureInfo.InvariantCulture);
        var readFrom = long.MaxValue;
        for (var level = 0; level < RollupLevels.Widths.Length; level++)
        {
            var persisted = Scalar(_writer, "SELECT max(t1) FROM rollup WHERE series=$s AND level=$l", null, ("$s", state.Id), ("$l", level));
            state.LastClosed[level] = persisted is null or DBNull ? long.MinValue : Convert.ToInt64(persisted, System.Globalization.CultureInfo.InvariantCulture);
            readFrom = Math.Min(readFrom, state.LastClosed[level] == long.MinValue ? long.MinValue : state.LastClosed[level] + RollupLevels.Widths[level]);
        }

        // Everything after the newest closed bucket of every level is at most one hour of points.
        var points = ReadRawMerged(_writer, null, state.Id, readFrom, state.HighWater);
        for (var level = 0; level < RollupLevels.Widths.Length; level++)
        {
            Fold(state, points, level, state.Pending[level]);
            if (state.Pending[level].Count > 0)
            {
                _unsaved.Add(state);
            }
        }

        if (points.Count > 0 && points.Last == state.HighWater)
        {
            SetLast(state, points, points.Count - 1);
        }

        state.Recovered = true;
    }

    /// <summary>Re-applies the log rows left by a crash (or a failed checkpoint), in commit order.</summary>
    private void ReplayLog()
    {
        using var select = _writer.CreateCommand();
        select.CommandText = "SELECT id, data FROM wal ORDER BY id";
        using var reader = select.ExecuteReader();
        var entries = new List<(long Id, byte[] Data)>();
        while (reader.Read())
        {
            entries.Add((reader.GetInt64(0), (byte[])reader[1]));
        }

        reader.Close();
        foreach (var (id, data) in entries)
        {
            foreach (var (seriesId, points) in DecodeLogEntry(data))
            {
                if (!_seriesById.TryGetValue(seriesId, out var state))
                {
                    throw new InvalidDataException($"{Path}: log entry {id} names series {seriesId}, which is not in the series table.");
                }

                EnsureRecovered(state);
                Apply(state, points);
            }

            _lastWalId = id;
        }
    }

    private static List<(long Series, PointColumns Points)> DecodeLogEntry(byte[] data)
    {
        var result = new List<(long, PointColumns)>();
        var offset = 0;
        var count = (int)ReadVarint(data, ref offset);
        for (var i = 0; i < count; i++)
        {
            var series = (long)ReadVarint(data, ref offset);
            var points = RawChunkCodec.Decode(data.AsSpan(offset), out var used);
            offset += used;
            result.Add((series, points));
        }

        return result;
    }

    private static ulong ReadVarint(byte[] data, ref int offset)
    {
        ulong result = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[offset++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
    }

    /// <summary>After a failed checkpoint: forget memory, derive it again from the chunks and the log.</summary>
    private void ResetFromDisk()
    {
        foreach (var state in _seriesById.Values)
        {
            state.Forget();
        }

        _unsaved.Clear();
        _headPoints = 0;
        _headSince = 0;
        _lastWalId = 0;
        _generation++;
        ReplayLog();
    }

    private void InsertRaw(SqliteTransaction transaction, long series, PointColumns points)
    {
        var insert = Prepared(ref _insertRaw, transaction,
            "INSERT INTO raw(series, t0, t1, n, data) VALUES($s, $a, $b, $n, zeroblob($len)); SELECT last_insert_rowid();", "$s", "$a", "$b", "$n", "$len");
        for (var start = 0; start < points.Count; start += _options.MaxChunkPoints)
        {
            var count = Math.Min(_options.MaxChunkPoints, points.Count - start);
            _encoder.Reset();
            RawChunkCodec.Encode(points, start, count, _encoder);
            insert.Parameters[0].Value = series;
            insert.Parameters[1].Value = points.Times[start];
            insert.Parameters[2].Value = points.Times[start + count - 1];
            insert.Parameters[3].Value = count;
            InsertBlob(insert, "raw");
        }
    }

    private void InsertRollups(SqliteTransaction transaction, long series, int level, IReadOnlyList<RollupBucket> buckets)
    {
        var insert = Prepared(ref _insertRollup, transaction,
            "INSERT INTO rollup(series, level, t0, t1, n, data) VALUES($s, $l, $a, $b, $n, zeroblob($len)); SELECT last_insert_rowid();", "$s", "$l", "$a", "$b", "$n", "$len");
        for (var start = 0; start < buckets.Count; start += MaxRollupBuckets)
        {
            var count = Math.Min(MaxRollupBuckets, buckets.Count - start);
            var slice = count == buckets.Count ? buckets : buckets.Skip(start).Take(count).ToList();
            _encoder.Reset();
            RollupChunkCodec.Encode(RollupLevels.Widths[level], slice, _encoder);
            insert.Parameters[0].Value = series;
            insert.Parameters[1].Value = level;
            insert.Parameters[2].Value = slice[0].Start;
            insert.Parameters[3].Value = slice[^1].Start;
            insert.Parameters[4].Value = count;
            InsertBlob(insert, "rollup");
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

    /// <summary>Chunked points of a series with from ≤ t ≤ to, duplicates merged (later writes win).</summary>
    private static PointColumns ReadRawMerged(SqliteConnection connection, SqliteTransaction? transaction, long series, long from, long to,
        IReadOnlyList<PointColumns>? newer = null)
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
                chunks.Add(RawChunkCodec.Decode((byte[])reader[0], out _));
            }
        }

        if (newer is not null)
        {
            chunks.AddRange(newer);
        }

        if (chunks.Count == 0)
        {
            return new PointColumns(1);
        }

        return PointColumns.Merge(chunks).Slice(from, to);
    }
}
