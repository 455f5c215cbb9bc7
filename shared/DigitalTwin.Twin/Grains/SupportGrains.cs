// The cell's cycle table, the fleet directory and the Ingest cursor: small grains written rarely.
using DigitalTwin.Estimation.Cycles;
using DigitalTwin.GrainInterfaces;

namespace DigitalTwin.Twin.Grains;

public sealed class CellHistoryGrain : Grain<CellHistoryState>, ICellHistoryGrain
{
    protected override CellHistoryState CreateInitialState() => new([]);

    public async ValueTask RecordCycleAsync(CycleRecord cycle)
    {
        ArgumentNullException.ThrowIfNull(cycle);
        State = new CellHistoryState([.. State.Cycles.Where(c => c.Cycle != cycle.Cycle), cycle]);
        await WriteStateAsync();
    }

    public ValueTask<IReadOnlyList<CycleRecord>> GetCyclesAsync() => new(State.Cycles);
}

public sealed class FleetGrain : Grain<FleetState>, IFleetGrain
{
    protected override FleetState CreateInitialState() => new([]);

    public async ValueTask AddCellAsync(string cellId, string lotId)
    {
        if (State.Cells.Any(c => c.CellId == cellId && c.LotId == lotId))
        {
            return;
        }

        State = new FleetState([.. State.Cells.Where(c => c.CellId != cellId), new FleetEntry(cellId, lotId)]);
        await WriteStateAsync();
    }

    public ValueTask<IReadOnlyList<FleetEntry>> ListAsync(string lotId) =>
        new(string.IsNullOrEmpty(lotId) ? State.Cells : [.. State.Cells.Where(c => c.LotId == lotId)]);
}

public sealed class IngestCursorGrain : Grain<IngestCursorState>, IIngestCursorGrain
{
    protected override IngestCursorState CreateInitialState() => new(0);

    public ValueTask<ulong> GetPositionAsync() => new(State.Position);

    public async ValueTask SetPositionAsync(ulong position)
    {
        if (position <= State.Position)
        {
            return;
        }

        State = new IngestCursorState(position);
        await WriteStateAsync();
    }
}
