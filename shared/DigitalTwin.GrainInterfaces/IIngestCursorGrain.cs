// Where the twin stands in Ingest's durable log: the last log position whose samples every cell has applied.
namespace DigitalTwin.GrainInterfaces;

/// <summary>
/// One per Ingest log (key "ingest"). The position only moves forward; a restart resumes the subscription after it,
/// and what is re-delivered past it is skipped by the cells' per-source sequence numbers.
/// </summary>
public interface IIngestCursorGrain : IGrain
{
    ValueTask<ulong> GetPositionAsync();

    /// <summary>Stores the position if it is later than the stored one.</summary>
    ValueTask SetPositionAsync(ulong position);
}

/// <summary>Persisted state of the cursor grain [log position, 1-based; 0 = nothing applied].</summary>
public sealed record IngestCursorState(ulong Position);
