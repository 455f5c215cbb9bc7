// Exactly-once, in-order application: duplicates, gaps held and released, a bounded holding.
using DigitalTwin.Estimation.Telemetry;

namespace DigitalTwin.Estimation.Tests;

public sealed class SequenceGateTests
{
    private static CellSample S(ulong sequence) => new(sequence, 0, sequence, 1, 1, StepKind.Rest, 0, 3.7, double.NaN, double.NaN, double.NaN);

    [Fact]
    public void Samples_in_order_are_ready_and_repeats_are_duplicates()
    {
        var plan = SequenceGate.Plan([S(1), S(2), S(3)], 0, [], 100);
        Assert.Equal([1UL, 2, 3], plan.Ready.Select(s => s.Sequence));
        Assert.Equal(3UL, plan.LastApplied);

        var again = SequenceGate.Plan([S(2), S(3), S(4), S(4)], plan.LastApplied, plan.Holding, 100);
        Assert.Equal([4UL], again.Ready.Select(s => s.Sequence));
        Assert.Equal(3, again.Duplicates);
    }

    [Fact]
    public void A_gap_holds_later_samples_until_the_missing_ones_arrive()
    {
        var first = SequenceGate.Plan([S(1), S(4), S(5)], 0, [], 100);
        Assert.Equal([1UL], first.Ready.Select(s => s.Sequence));
        Assert.Equal(2, first.Held);
        Assert.Equal([4UL, 5], first.Holding.Select(s => s.Sequence));

        var filled = SequenceGate.Plan([S(3), S(2)], first.LastApplied, first.Holding, 100);
        Assert.Equal([2UL, 3, 4, 5], filled.Ready.Select(s => s.Sequence));
        Assert.Empty(filled.Holding);
        Assert.Equal(5UL, filled.LastApplied);
    }

    [Fact]
    public void A_full_holding_refuses_the_highest_sequences_so_the_source_resends_them()
    {
        var plan = SequenceGate.Plan([S(10), S(3), S(7), S(5)], 1, [], 2);
        Assert.Empty(plan.Ready);
        Assert.Equal([3UL, 5], plan.Holding.Select(s => s.Sequence));
        Assert.Equal(2, plan.Refused);
    }

    [Fact]
    public void Any_split_of_a_stream_into_batches_applies_every_sample_once_in_order()
    {
        var random = new Random(7);
        var stream = Enumerable.Range(1, 500).Select(i => S((ulong)i)).ToList();
        ulong last = 0;
        IReadOnlyList<CellSample> holding = [];
        var applied = new List<ulong>();
        for (var round = 0; round < 400; round++)
        {
            // A source that re-sends, reorders and skips: random windows of the stream, shuffled.
            var start = random.Next(0, 500);
            var batch = stream.Skip(start).Take(random.Next(1, 20)).OrderBy(_ => random.Next()).ToList();
            var plan = SequenceGate.Plan(batch, last, holding, 50);
            applied.AddRange(plan.Ready.Select(s => s.Sequence));
            (last, holding) = (plan.LastApplied, plan.Holding);
        }

        var final = SequenceGate.Plan(stream, last, holding, 50);
        applied.AddRange(final.Ready.Select(s => s.Sequence));
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (ulong)i), applied);
    }
}
