// One series' points in columns (times ascending and unique, one column per field), the form
// raw chunks encode to and decode from, and the form duplicate timestamps are merged in.
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.TimeSeries.Embedded;

internal sealed class PointColumn
{
    public PointColumn(int fieldId, FieldKind kind, int capacity)
    {
        FieldId = fieldId;
        Kind = kind;
        Bits = new long[capacity];
        Present = new bool[capacity];
        if (kind == FieldKind.String)
        {
            Texts = new string?[capacity];
        }
    }

    public int FieldId { get; }

    public FieldKind Kind { get; }

    /// <summary>Float bits, integer or boolean (0/1) per point.</summary>
    public long[] Bits { get; private set; }

    public bool[] Present { get; private set; }

    public string?[]? Texts { get; private set; }

    public double Number(int i) => Kind == FieldKind.Float ? BitConverter.Int64BitsToDouble(Bits[i]) : Bits[i];

    public void Set(int i, in FieldValue value)
    {
        Bits[i] = value.RawBits;
        if (Texts is not null)
        {
            Texts[i] = value.Text;
        }

        Present[i] = true;
    }

    public void CopyFrom(int to, PointColumn source, int from)
    {
        Bits[to] = source.Bits[from];
        if (Texts is not null)
        {
            Texts[to] = source.Texts![from];
        }

        Present[to] = true;
    }

    /// <summary>The same arrays under another column object (see <see cref="PointColumns.Snapshot"/>).</summary>
    public PointColumn View() => new(FieldId, Kind, Bits, Present, Texts);

    private PointColumn(int fieldId, FieldKind kind, long[] bits, bool[] present, string?[]? texts)
    {
        FieldId = fieldId;
        Kind = kind;
        Bits = bits;
        Present = present;
        Texts = texts;
    }

    /// <summary>Copies rows [0, count) of <paramref name="source"/> to rows [to, to + count).</summary>
    public void CopyRange(int to, PointColumn source, int count)
    {
        Array.Copy(source.Bits, 0, Bits, to, count);
        Array.Copy(source.Present, 0, Present, to, count);
        if (Texts is not null)
        {
            Array.Copy(source.Texts!, 0, Texts, to, count);
        }
    }

    public bool SameValue(int i, PointColumn other, int j) =>
        Kind == other.Kind && Bits[i] == other.Bits[j] && (Texts is null || Texts[i] == other.Texts![j]);

    public FieldValue Value(int i, string name) => FieldValue.FromRaw(name, Kind, Bits[i], Texts?[i]);

    public void Resize(int capacity)
    {
        var bits = Bits;
        var present = Present;
        Array.Resize(ref bits, capacity);
        Array.Resize(ref present, capacity);
        Bits = bits;
        Present = present;
        if (Texts is not null)
        {
            var texts = Texts;
            Array.Resize(ref texts, capacity);
            Texts = texts;
        }
    }
}

internal sealed class PointColumns
{
    private long[] _times;

    public PointColumns(int capacity)
    {
        _times = new long[Math.Max(capacity, 1)];
    }

    public int Count { get; private set; }

    public long[] Times => _times;

    public List<PointColumn> Columns { get; } = new(8);

    public long First => _times[0];

    public long Last => _times[Count - 1];

    public PointColumn? Column(int fieldId)
    {
        foreach (var column in Columns)
        {
            if (column.FieldId == fieldId)
            {
                return column;
            }
        }

        return null;
    }

    public PointColumn ColumnFor(int fieldId, FieldKind kind)
    {
        var column = Column(fieldId);
        if (column is null)
        {
            column = new PointColumn(fieldId, kind, _times.Length);
            Columns.Add(column);
        }
        else if (column.Kind != kind)
        {
            throw new FieldTypeConflictException(fieldId, column.Kind, kind);
        }

        return column;
    }

    /// <summary>Appends a time (must not be before the last) and returns its row.</summary>
    public int AddTime(long time)
    {
        if (Count == _times.Length)
        {
            var capacity = _times.Length * 2;
            Array.Resize(ref _times, capacity);
            foreach (var column in Columns)
            {
                column.Resize(capacity);
            }
        }

        _times[Count] = time;
        return Count++;
    }

    /// <summary>Points of one series from a write batch: sorted by time, equal times merged (later fields win).</summary>
    public static PointColumns FromBatch(PointBatch batch, ReadOnlySpan<int> indices, Func<string, int> fieldId, FieldLayout layout)
    {
        var sorted = true;
        for (var i = 1; i < indices.Length && sorted; i++)
        {
            sorted = batch.Timestamp(indices[i]) >= batch.Timestamp(indices[i - 1]);
        }

        int[]? reordered = null;
        if (!sorted)
        {
            // Stable: equal timestamps keep write order, so the later point's fields win below.
            reordered = indices.ToArray();
            var keys = reordered.Select(batch.Timestamp).ToArray();
            var position = Enumerable.Range(0, reordered.Length).ToArray();
            Array.Sort(position, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
            reordered = position.Select(p => reordered[p]).ToArray();
        }

        var order = reordered is null ? indices : reordered;
        var result = new PointColumns(order.Length);

        // Points of a series nearly always carry the same fields in the same order: resolve the layout once.
        layout.Clear();
        foreach (var index in order)
        {
            var time = batch.Timestamp(index);
            var row = result.Count > 0 && result.Last == time ? result.Count - 1 : result.AddTime(time);
            var fields = batch.Fields(index);
            if (!layout.Matches(fields))
            {
                layout.Clear();
                foreach (ref readonly var field in fields)
                {
                    layout.Add(field.Name, result.ColumnFor(fieldId(field.Name), field.Kind));
                }
            }

            for (var f = 0; f < fields.Length; f++)
            {
                layout.Column(f).Set(row, fields[f]);
            }
        }

        layout.Clear();
        return result;
    }

    /// <summary>Merges chunks given in write order: union of times, later chunks win per field on equal times.</summary>
    public static PointColumns Merge(IReadOnlyList<PointColumns> inWriteOrder)
    {
        if (inWriteOrder.Count == 1)
        {
            return inWriteOrder[0];
        }

        var ordered = true;
        for (var i = 1; i < inWriteOrder.Count && ordered; i++)
        {
            ordered = inWriteOrder[i - 1].Count == 0 || inWriteOrder[i].Count == 0 || inWriteOrder[i].First > inWriteOrder[i - 1].Last;
        }

        var total = inWriteOrder.Sum(c => c.Count);
        var result = new PointColumns(total);
        if (ordered)
        {
            foreach (var chunk in inWriteOrder)
            {
                AppendAll(result, chunk);
            }

            return result;
        }

        var entries = new (long Time, int Chunk, int Row)[total];
        var n = 0;
        for (var c = 0; c < inWriteOrder.Count; c++)
        {
            for (var r = 0; r < inWriteOrder[c].Count; r++)
            {
                entries[n++] = (inWriteOrder[c].Times[r], c, r);
            }
        }

        Array.Sort(entries, (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Chunk != b.Chunk ? a.Chunk.CompareTo(b.Chunk) : a.Row.CompareTo(b.Row));
        foreach (var (time, chunk, row) in entries)
        {
            var target = result.Count > 0 && result.Last == time ? result.Count - 1 : result.AddTime(time);
            var source = inWriteOrder[chunk];
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

    /// <summary>The points with from ≤ time ≤ to (inclusive), as a new set.</summary>
    public PointColumns Slice(long from, long to)
    {
        var start = LowerBound(from);
        var end = LowerBound(to == long.MaxValue ? to : to + 1);
        return Range(start, end - start);
    }

    public PointColumns Range(int start, int count)
    {
        if (start == 0 && count == Count)
        {
            return this;
        }

        var result = new PointColumns(count);
        for (var i = 0; i < count; i++)
        {
            result.AddTime(_times[start + i]);
        }

        foreach (var column in Columns)
        {
            PointColumn? copy = null;
            for (var i = 0; i < count; i++)
            {
                if (column.Present[start + i])
                {
                    copy ??= result.ColumnFor(column.FieldId, column.Kind);
                    copy.CopyFrom(i, column, start + i);
                }
            }
        }

        return result;
    }

    public int LowerBound(long time)
    {
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_times[mid] < time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Appends every row of <paramref name="chunk"/> (its times must come after this set's last).</summary>
    public void AppendFrom(PointColumns chunk) => AppendAll(this, chunk);

    /// <summary>
    /// A fixed-length view of the rows written so far, sharing the arrays: later appends go past its end
    /// and growth reallocates, so the view never changes (readers take it while the writer keeps appending).
    /// </summary>
    public PointColumns Snapshot()
    {
        var view = new PointColumns(_times, Count);
        foreach (var column in Columns)
        {
            view.Columns.Add(column.View());
        }

        return view;
    }

    private PointColumns(long[] times, int count)
    {
        _times = times;
        Count = count;
    }

    private static void AppendAll(PointColumns result, PointColumns chunk)
    {
        var offset = result.Count;
        result.AddTimes(chunk.Times.AsSpan(0, chunk.Count));
        foreach (var column in chunk.Columns)
        {
            result.ColumnFor(column.FieldId, column.Kind).CopyRange(offset, column, chunk.Count);
        }
    }

    private void AddTimes(ReadOnlySpan<long> times)
    {
        if (Count + times.Length > _times.Length)
        {
            var capacity = Math.Max(_times.Length * 2, Count + times.Length);
            Array.Resize(ref _times, capacity);
            foreach (var column in Columns)
            {
                column.Resize(capacity);
            }
        }

        times.CopyTo(_times.AsSpan(Count));
        Count += times.Length;
    }
}

/// <summary>Scratch for <see cref="PointColumns.FromBatch"/>: the field names of the last point and their columns.</summary>
internal sealed class FieldLayout
{
    private string[] _names = new string[16];
    private PointColumn[] _columns = new PointColumn[16];
    private int _count;

    public void Clear()
    {
        Array.Clear(_columns, 0, _count);
        _count = 0;
    }

    public void Add(string name, PointColumn column)
    {
        if (_count == _names.Length)
        {
            Array.Resize(ref _names, _count * 2);
            Array.Resize(ref _columns, _count * 2);
        }

        _names[_count] = name;
        _columns[_count++] = column;
    }

    public PointColumn Column(int index) => _columns[index];

    public bool Matches(ReadOnlySpan<FieldValue> fields)
    {
        if (fields.Length != _count)
        {
            return false;
        }

        for (var f = 0; f < fields.Length; f++)
        {
            if (!ReferenceEquals(fields[f].Name, _names[f]) || fields[f].Kind != _columns[f].Kind)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A field written with a different type than before (InfluxDB refuses this too).</summary>
internal sealed class FieldTypeConflictException(int fieldId, FieldKind existing, FieldKind written)
    : Exception($"field type conflict: field #{fieldId} is {existing}, written as {written}")
{
    public int FieldId { get; } = fieldId;

    public FieldKind Existing { get; } = existing;

    public FieldKind Written { get; } = written;
}
