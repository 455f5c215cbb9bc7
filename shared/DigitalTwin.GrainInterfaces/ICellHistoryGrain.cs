// The full cycle table of a cell, kept apart from the live state so the state written per sample stays small.
using DigitalTwin.Estimation.Cycles;

namespace DigitalTwin.GrainInterfaces;

public interface ICellHistoryGrain : IGrain
{
    /// <summary>Adds or replaces the record of a cycle (idempotent by cycle number).</summary>
    ValueTask RecordCycleAsync(CycleRecord cycle);

    ValueTask<IReadOnlyList<CycleRecord>> GetCyclesAsync();
}

/// <summary>Persisted state of the history grain.</summary>
public sealed record CellHistoryState(IReadOnlyList<CycleRecord> Cycles);
