// The fleet directory, sharded (keys "fleet-00" … "fleet-63" by cell id): which cells exist, for listings and lots.
namespace DigitalTwin.GrainInterfaces;

/// <summary>One shard of the fleet directory; a shard holds a few hundred cells even in a fleet of tens of thousands.</summary>
public interface IFleetGrain : IGrain
{
    ValueTask AddCellAsync(string cellId, string lotId);

    ValueTask<IReadOnlyList<FleetEntry>> ListAsync(string lotId);
}

public sealed record FleetEntry(string CellId, string LotId);

/// <summary>Persisted state of the fleet grain.</summary>
public sealed record FleetState(IReadOnlyList<FleetEntry> Cells);

/// <summary>Where a cell's directory entry lives, and listings over all shards.</summary>
public static class FleetDirectory
{
    public const int Shards = 64;

    /// <summary>The shard key of a cell (a stable FNV-1a hash of its id, not string.GetHashCode, which varies per process).</summary>
    public static string ShardOf(string cellId)
    {
        ArgumentNullException.ThrowIfNull(cellId);
        var hash = 2166136261u;
        foreach (var c in cellId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return $"fleet-{hash % Shards:00}";
    }

    /// <summary>Every cell (of one lot, or all when <paramref name="lotId"/> is empty), ordered by cell id.</summary>
    public static async ValueTask<IReadOnlyList<FleetEntry>> ListAsync(IGrainFactory grains, string lotId)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var shards = await Task.WhenAll(Enumerable.Range(0, Shards).Select(i => grains.GetGrain<IFleetGrain>($"fleet-{i:00}").ListAsync(lotId).AsTask()));
        return [.. shards.SelectMany(s => s).OrderBy(e => e.CellId, StringComparer.Ordinal)];
    }
}
