// Downsampled rollups: per series, level and bucket the count, sum, min and max of every numeric
// field. Mergeable, so buckets of a fine level combine into any coarser multiple of it.
namespace DigitalTwin.TimeSeries.Embedded;

internal struct Aggregate
{
    public long Count;
    public double Sum;
    public double Min;
    public double Max;

    public void Add(double value)
    {
        if (Count == 0)
        {
            Min = value;
            Max = value;
        }
        else
        {
            if (value < Min)
            {
                Min = value;
            }

            if (value > Max)
            {
                Max = value;
            }
        }

        Count++;
        Sum += value;
    }

    public void Merge(in Aggregate other)
    {
        if (other.Count == 0)
        {
            return;
        }

        if (Count == 0)
        {
            this = other;
            return;
        }

        Count += other.Count;
        Sum += other.Sum;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }
}

/// <summary>One bucket: its start and an aggregate per field id (a few fields: flat arrays, no dictionary per bucket).</summary>
internal sealed class RollupBucket
{
    private int[] _ids = new int[8];
    private Aggregate[] _aggregates = new Aggregate[8];

    public RollupBucket(long start)
    {
        Start = start;
    }

    public long Start { get; }

    public int Count { get; private set; }

    public int IdAt(int index) => _ids[index];

    public ref Aggregate At(int index) => ref _aggregates[index];

    public IEnumerable<KeyValuePair<int, Aggregate>> Entries()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return new(_ids[i], _aggregates[i]);
        }
    }

    public bool TryGet(int fieldId, out Aggregate aggregate)
    {
        for (var i = 0; i < Count; i++)
        {
            if (_ids[i] == fieldId)
            {
                aggregate = _aggregates[i];
                return true;
            }
        }

        aggregate = default;
        return false;
    }

    public ref Aggregate GetOrAdd(int fieldId)
    {
        for (var i = 0; i < Count; i++)
        {
            if (_ids[i] == fieldId)
            {
                return ref _aggregates[i];
            }
        }

        if (Count == _ids.Length)
        {
            Array.Resize(ref _ids, Count * 2);
            Array.Resize(ref _aggregates, Count * 2);
        }

        _ids[Count] = fieldId;
        _aggregates[Count] = default;
        return ref _aggregates[Count++];
    }

    public void Add(int fieldId, double value) => GetOrAdd(fieldId).Add(value);

    public void Merge(RollupBucket other)
    {
        for (var i = 0; i < other.Count; i++)
        {
            GetOrAdd(other._ids[i]).Merge(other._aggregates[i]);
        }
    }

    public RollupBucket Clone()
    {
        var copy = new RollupBucket(Start);
        for (var i = 0; i < Count; i++)
        {
            copy.GetOrAdd(_ids[i]) = _aggregates[i];
        }

        return copy;
    }
}

internal static class RollupLevels
{
    /// <summary>Bucket widths kept on disk: 10 s, 1 min, 10 min, 1 h (each a multiple of the one before).</summary>
    public static readonly long[] Widths =
    [
        10 * Points.TimeUnits.NanosecondsPerSecond,
        60 * Points.TimeUnits.NanosecondsPerSecond,
        600 * Points.TimeUnits.NanosecondsPerSecond,
        3600 * Points.TimeUnits.NanosecondsPerSecond,
    ];

    /// <summary>The coarsest level whose width divides the bucket width, or -1 to aggregate raw points.</summary>
    public static int ForBucket(long bucketNs)
    {
        for (var level = Widths.Length - 1; level >= 0; level--)
        {
            if (bucketNs % Widths[level] == 0)
            {
                return level;
            }
        }

        return -1;
    }
}

internal static class RollupChunkCodec
{
    private const byte Version = 1;

    /// <summary>Buckets ascending by start, all of one level.</summary>
    public static void Encode(long width, IReadOnlyList<RollupBucket> buckets, ByteWriter output)
    {
        output.Byte(Version);
        output.Varint((ulong)buckets.Count);
        output.ZigZag(buckets[0].Start / width);
        for (var i = 1; i < buckets.Count; i++)
        {
            output.Varint((ulong)((buckets[i].Start - buckets[i - 1].Start) / width));
        }

        var ids = new SortedSet<int>();
        foreach (var bucket in buckets)
        {
            for (var i = 0; i < bucket.Count; i++)
            {
                ids.Add(bucket.IdAt(i));
            }
        }

        output.Varint((ulong)ids.Count);
        foreach (var id in ids)
        {
            output.Varint((ulong)id);
            foreach (var bucket in buckets)
            {
                if (!bucket.TryGet(id, out var aggregate) || aggregate.Count == 0)
                {
                    output.Varint(0);
                    continue;
                }

                output.Varint((ulong)aggregate.Count);
                output.Double(aggregate.Sum);
                output.Double(aggregate.Min);
                output.Double(aggregate.Max);
            }
        }
    }

    public static List<RollupBucket> Decode(long width, ReadOnlySpan<byte> data)
    {
        var reader = new ByteReader(data);
        var version = reader.Byte();
        if (version != Version)
        {
            throw new InvalidDataException($"Rollup chunk version {version} is not supported (expected {Version}).");
        }

        var count = reader.Int();
        var buckets = new List<RollupBucket>(count);
        var start = reader.ZigZag() * width;
        buckets.Add(new RollupBucket(start));
        for (var i = 1; i < count; i++)
        {
            start += (long)reader.Varint() * width;
            buckets.Add(new RollupBucket(start));
        }

        var fieldCount = reader.Int();
        for (var f = 0; f < fieldCount; f++)
        {
            var id = reader.Int();
            foreach (var bucket in buckets)
            {
                var n = (long)reader.Varint();
                if (n == 0)
                {
                    continue;
                }

                bucket.GetOrAdd(id) = new Aggregate { Count = n, Sum = reader.Double(), Min = reader.Double(), Max = reader.Double() };
            }
        }

        return buckets;
    }
}
