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

/// <summary>One bucket: its start and an aggregate per field id.</summary>
internal sealed class RollupBucket
{
    public RollupBucket(long start)
    {
        Start = start;
    }

    public long Start { get; }

    public Dictionary<int, Aggregate> Fields { get; } = [];

    public void Add(int fieldId, double value)
    {
        ref var aggregate = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Fields, fieldId, out _);
        aggregate.Add(value);
    }

    public void Merge(RollupBucket other)
    {
        foreach (var (id, aggregate) in other.Fields)
        {
            ref var mine = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Fields, id, out _);
            mine.Merge(aggregate);
        }
    }

    public RollupBucket Clone()
    {
        var copy = new RollupBucket(Start);
        foreach (var (id, aggregate) in Fields)
        {
            copy.Fields[id] = aggregate;
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
            ids.UnionWith(bucket.Fields.Keys);
        }

        output.Varint((ulong)ids.Count);
        foreach (var id in ids)
        {
            output.Varint((ulong)id);
            foreach (var bucket in buckets)
            {
                if (!bucket.Fields.TryGetValue(id, out var aggregate) || aggregate.Count == 0)
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

                bucket.Fields[id] = new Aggregate { Count = n, Sum = reader.Double(), Min = reader.Double(), Max = reader.Double() };
            }
        }

        return buckets;
    }
}
