// The fleet directory (a single grain, key "fleet"): which cells exist, for listings and per-lot queries.
namespace DigitalTwin.GrainInterfaces;

public interface IFleetGrain : IGrain
{
    ValueTask AddCellAsync(string cellId, string lotId);

    ValueTask<IReadOnlyList<FleetEntry>> ListAsync(string lotId);
}

public sealed record FleetEntry(string CellId, string LotId);

/// <summary>Persisted state of the fleet grain.</summary>
public sealed record FleetState(IReadOnlyList<FleetEntry> Cells);
