// Compaction: a live fleet writes a few points per series per flush, leaving many small chunks;
// this merges them into large ones so range reads decode few rows. Each series in its own transaction.
using Microsoft.Data.Sqlite;

namespace DigitalTwin.TimeSeries.Embedded;

public sealed partial class SqliteTimeSeriesStore
{
    /// <summary>Merges small raw and rollup chunks; returns how many rows were replaced by how many.</summary>
    public async Task<CompactionResult> CompactAsync(CancellationToken cancellationToken = default)
    {
        var removed = 0L;
        var added = 0L;
        foreach (var series in Candidates("SELECT series FROM raw WHERE n<$small GROUP BY series HAVING count(*)>=$k"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (r, a) = await LockedAsync(() => CompactRaw(series), cancellationToken).ConfigureAwait(false);
            removed += r;
            added += a;
        }

        var rollups = new List<(long Series, int Level)>();
        lock (_state)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var select = _writer.CreateCommand();
            select.CommandText = "SELECT series, level FROM rollup WHERE n<$small GROUP BY series, level HAVING count(*)>=$k";
            select.Parameters.AddWithValue("$small", _options.SmallChunkPoints);
            select.Parameters.AddWithValue("$k", _options.CompactAfterSmallChunks);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                rollups.Add((reader.GetInt64(0), reader.GetInt32(1)));
            }
        }

        foreach (var (series, level) in rollups)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (r, a) = await LockedAsync(() => CompactRollup(series, level), cancellationToken).ConfigureAwait(false);
            removed += r;
            added += a;
        }

        return new CompactionResult(removed, added);
    }

    private List<long> Candidates(string sql)
    {
        var result = new List<long>();
        lock (_state)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var select = _writer.CreateCommand();
            select.CommandText = sql;
            select.Parameters.AddWithValue("$small", _options.SmallChunkPoints);
            select.Parameters.AddWithValue("$k", _options.CompactAfterSmallChunks);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                result.Add(reader.GetInt64(0));
            }
        }

        return result;
    }

    private async Task<(long Removed, long Added)> LockedAsync(Func<(long, long)> work, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_state)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return work();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Rewrites every raw row overlapping the small rows' span: merged rows keep the write order's outcome.</summary>
    private (long, long) CompactRaw(long series)
    {
        using var transaction = _writer.BeginTransaction(deferred: false);
        var span = SpanOf(transaction, "SELECT min(t0), max(t1) FROM raw WHERE series=$s AND n<$small", series);
        if (span is null)
        {
            return (0, 0);
        }

        var rowIds = new List<long>();
        var chunks = new List<PointColumns>();
        using (var select = Command(transaction, "SELECT rowid, data FROM raw WHERE series=$s AND t1>=$a AND t0<=$b ORDER BY rowid"))
        {
            select.Parameters.AddWithValue("$s", series);
            select.Parameters.AddWithValue("$a", span.Value.From);
            select.Parameters.AddWithValue("$b", span.Value.To);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                rowIds.Add(reader.GetInt64(0));
                chunks.Add(RawChunkCodec.Decode((byte[])reader[1], out _));
            }
        }

        var merged = PointColumns.Merge(chunks);
        DeleteRows(transaction, "raw", rowIds);
        InsertRaw(transaction, series, merged);
        transaction.Commit();
        return (rowIds.Count, (merged.Count + _options.MaxChunkPoints - 1) / _options.MaxChunkPoints);
    }

    /// <summary>Rollup buckets are unique per level, so small rows merge without regard to order.</summary>
    private (long, long) CompactRollup(long series, int level)
    {
        using var transaction = _writer.BeginTransaction(deferred: false);
        var width = RollupLevels.Widths[level];
        var rowIds = new List<long>();
        var buckets = new SortedDictionary<long, RollupBucket>();
        using (var select = Command(transaction, "SELECT rowid, data FROM rollup WHERE series=$s AND level=$l AND n<$small"))
        {
            select.Parameters.AddWithValue("$s", series);
            select.Parameters.AddWithValue("$l", level);
            select.Parameters.AddWithValue("$small", _options.SmallChunkPoints);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                rowIds.Add(reader.GetInt64(0));
                foreach (var bucket in RollupChunkCodec.Decode(width, (byte[])reader[1]))
                {
                    if (buckets.TryGetValue(bucket.Start, out var existing))
                    {
                        existing.Merge(bucket);
                    }
                    else
                    {
                        buckets[bucket.Start] = bucket;
                    }
                }
            }
        }

        if (rowIds.Count < 2)
        {
            return (0, 0);
        }

        DeleteRows(transaction, "rollup", rowIds);
        InsertRollups(transaction, series, level, [.. buckets.Values]);
        transaction.Commit();
        return (rowIds.Count, (buckets.Count + MaxRollupBuckets - 1) / MaxRollupBuckets);
    }

    private (long From, long To)? SpanOf(SqliteTransaction transaction, string sql, long series)
    {
        using var select = Command(transaction, sql);
        select.Parameters.AddWithValue("$s", series);
        select.Parameters.AddWithValue("$small", _options.SmallChunkPoints);
        using var reader = select.ExecuteReader();
        return reader.Read() && !reader.IsDBNull(0) ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }
}

public sealed record CompactionResult(long RowsRemoved, long RowsAdded);
