// Exactly-once, in-order application of one source's samples: duplicates skipped, gaps held until filled.
namespace DigitalTwin.Estimation.Telemetry;

/// <summary>The outcome of offering a batch of one source to a cell.</summary>
/// <param name="Ready">Samples to apply now, in sequence order, each exactly once.</param>
/// <param name="Duplicates">Samples already applied (or offered twice in the batch) [count].</param>
/// <param name="Held">Samples after a gap, kept until the missing ones arrive [count of the new holding].</param>
/// <param name="Holding">Everything held for the source after this batch, in sequence order.</param>
/// <param name="LastApplied">Highest sequence applied once <see cref="Ready"/> is applied [sequence].</param>
/// <param name="Refused">Samples refused because the holding is full (the source must re-send them) [count].</param>
public sealed record SequencePlan(
    IReadOnlyList<CellSample> Ready,
    int Duplicates,
    int Held,
    IReadOnlyList<CellSample> Holding,
    ulong LastApplied,
    int Refused);

/// <summary>
/// Orders one source's samples by sequence number. Pure: the caller keeps <c>lastApplied</c> and the holding in
/// its persisted state, so after a crash the same offer gives the same plan.
/// </summary>
public static class SequenceGate
{
    /// <summary>Plans a batch against the last applied sequence and the samples already held after a gap.</summary>
    public static SequencePlan Plan(IReadOnlyList<CellSample> batch, ulong lastApplied, IReadOnlyList<CellSample> holding, int maxHolding)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(holding);
        ArgumentOutOfRangeException.ThrowIfNegative(maxHolding);
        var pending = new SortedList<ulong, CellSample>(holding.Count + batch.Count);
        foreach (var s in holding)
        {
            pending[s.Sequence] = s;
        }

        var duplicates = 0;
        var newlyHeld = 0;
        var refused = 0;
        foreach (var s in batch)
        {
            if (s.Sequence <= lastApplied || pending.ContainsKey(s.Sequence))
            {
                duplicates++;
                continue;
            }

            pending[s.Sequence] = s;
        }

        var ready = new List<CellSample>();
        var next = lastApplied;
        while (pending.Count > 0 && pending.Keys[0] == next + 1)
        {
            ready.Add(pending.Values[0]);
            next++;
            pending.RemoveAt(0);
        }

        // What stays is behind a gap; keep the lowest sequences (they unblock first), refuse the rest.
        var kept = new List<CellSample>(Math.Min(pending.Count, maxHolding));
        var heldBefore = holding.Select(h => h.Sequence).ToHashSet();
        foreach (var (sequence, sample) in pending)
        {
            if (kept.Count < maxHolding)
            {
                kept.Add(sample);
                if (!heldBefore.Contains(sequence))
                {
                    newlyHeld++;
                }
            }
            else
            {
                refused++;
            }
        }

        return new SequencePlan(ready, duplicates, newlyHeld, kept, next, refused);
    }
}
