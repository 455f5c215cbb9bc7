// The durable log on its own: checksums, read-back, idempotency, uploads that only count once committed,
// group commit, segment rollover, torn-tail recovery and refusal to "repair" damage in older segments.
using System.Text;
using DigitalTwin.Ingest.Tests.Support;
using DigitalTwin.Telemetry.Log;

namespace DigitalTwin.Ingest.Tests;

public sealed class LogTests : IDisposable
{
    private static readonly SampleSource Live = new("bridge-1/ch3", "cell-A", string.Empty);
    private readonly TempDirectory _dir = new();

    private TelemetryLogOptions Options => new() { Directory = _dir.Combine("log") };

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Crc32cMatchesTheStandardCheckValue()
    {
        // CRC-32C check value of "123456789": 0xE3069283 (RFC 3720 appendix B.4; the CRC catalogue's "check").
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        // Appending continues the same CRC.
        Assert.Equal(0xE3069283u, Crc32C.Append(Crc32C.Compute("1234"u8), "56789"u8));
    }

    [Fact]
    public async Task AppendedSamplesReadBackExactlyAndSurviveReopening()
    {
        using (var log = TelemetryLog.Open(Options))
        {
            var first = await Within.Await(log.AppendAsync(Live, Synthetic.Columns(1, 1000)).AsTask(), "the first batch to be durable");
            var second = await Within.Await(log.AppendAsync(Live, Synthetic.Columns(1001, 500)).AsTask(), "the second batch to be durable");
            Assert.Equal((1000L, 0L, 1000UL), (first.Accepted, first.Duplicates, first.LastDurableSequence));
            Assert.Equal((500L, 0L, 1500UL), (second.Accepted, second.Duplicates, second.LastDurableSequence));
        }

        using var reopened = TelemetryLog.Open(Options);
        Assert.Equal(2, reopened.Recovery.Records);
        Assert.Equal(0, reopened.Recovery.TruncatedBytes);
        AssertExactlyOnce(reopened, Live.SourceId, 1500);
        var status = reopened.GetSource(Live.SourceId)!;
        Assert.Equal((1500UL, 1500L, "cell-A"), (status.LastDurableSequence, status.Samples, status.CellId));
        Assert.Equal(Synthetic.StartUnixNs + (1500L * 1_000_000_000), status.LastSampleTimeNs);
    }

    [Fact]
    public async Task ResendingOrOverlappingNeverDuplicates()
    {
        using var log = TelemetryLog.Open(Options);
        await log.AppendAsync(Live, Synthetic.Columns(1, 100));
        var again = await log.AppendAsync(Live, Synthetic.Columns(1, 100));
        var overlap = await log.AppendAsync(Live, Synthetic.Columns(51, 100));
        Assert.Equal((0L, 100L), (again.Accepted, again.Duplicates));
        Assert.Equal((50L, 50L, 150UL), (overlap.Accepted, overlap.Duplicates, overlap.LastDurableSequence));
        AssertExactlyOnce(log, Live.SourceId, 150);
    }

    [Fact]
    public async Task OverlapDecidedByTheWriterIsFilteredOnReadAndAfterRecovery()
    {
        // Both batches are queued before either is durable, so the producer-side pre-filter cannot see the overlap:
        // the writer must decide it, and recovery must decide it the same way.
        using (var log = TelemetryLog.Open(Options))
        {
            var a = await log.SubmitAsync(Live, Synthetic.Columns(1, 100));
            var b = await log.SubmitAsync(Live, Synthetic.Columns(61, 100));
            var (ra, rb) = (await Within.Await(a, "batch a"), await Within.Await(b, "batch b"));
            Assert.Equal((100L, 0L), (ra.Accepted, ra.Duplicates));
            Assert.Equal((60L, 40L), (rb.Accepted, rb.Duplicates));
            AssertExactlyOnce(log, Live.SourceId, 160);
        }

        using var reopened = TelemetryLog.Open(Options);
        AssertExactlyOnce(reopened, Live.SourceId, 160);
        Assert.Equal(160, reopened.GetSource(Live.SourceId)!.Samples);
    }

    [Fact]
    public async Task AnUploadIsInvisibleUntilCommittedAndGoneIfNeverCommitted()
    {
        var file = new SampleSource("file:abc", "cell-B", "run.csv");
        using (var log = TelemetryLog.Open(Options))
        {
            var abandoned = log.BeginUpload();
            abandoned.Append(Synthetic.Columns(1, 300));
            await abandoned.AttachAsync("note", "abandoned"u8.ToArray());

            var upload = log.BeginUpload();
            upload.Append(Synthetic.Columns(1, 200));
            upload.Append(Synthetic.Columns(201, 200));
            await upload.AttachAsync("note", "kept"u8.ToArray());
            Assert.Null(log.GetSource(file.SourceId));

            var ack = await Within.Await(upload.CommitAsync(file), "the upload's commit");
            Assert.Equal((400L, 0L, 400UL), (ack.Accepted, ack.Duplicates, ack.LastDurableSequence));
        }

        using var reopened = TelemetryLog.Open(Options);
        AssertExactlyOnce(reopened, file.SourceId, 400);
        var note = Assert.Single(reopened.ReadAttachments(file.SourceId));
        Assert.Equal("kept", Encoding.UTF8.GetString(note.Data));

        // A second upload of the same file writes nothing new and counts every row as a duplicate.
        var again = reopened.BeginUpload(reopened.GetSource(file.SourceId)!.LastDurableSequence);
        again.Append(Synthetic.Columns(1, 400));
        var ack2 = await again.CommitAsync(file);
        Assert.Equal((0L, 400L), (ack2.Accepted, ack2.Duplicates));
        Assert.Equal(0, again.Written);
        AssertExactlyOnce(reopened, file.SourceId, 400);
    }

    [Fact]
    public async Task ConcurrentWritersShareGroupCommits()
    {
        using var log = TelemetryLog.Open(Options);
        const int Sources = 8, Batches = 100;
        var durable = new List<Task<AppendResult>>();
        for (var b = 0; b < Batches; b++)
        {
            for (var s = 0; s < Sources; s++)
            {
                durable.Add(await log.SubmitAsync(new SampleSource($"src-{s}", "cell", string.Empty), Synthetic.Columns(((ulong)b * 10) + 1, 10)));
            }
        }

        await Within.Await(Task.WhenAll(durable), "every batch to be durable");
        Assert.Equal(Sources * Batches, log.RecordsWritten);
        // 800 records queued faster than fsync completes: one fsync per record would mean 800 groups.
        Assert.True(log.GroupCommits <= Sources * Batches / 2, $"{log.GroupCommits} group commits for {log.RecordsWritten} records");
        for (var s = 0; s < Sources; s++)
        {
            AssertExactlyOnce(log, $"src-{s}", Batches * 10);
        }
    }

    [Fact]
    public async Task SegmentsRollOverAndRecoverInOrder()
    {
        var options = Options with { SegmentBytes = 64 * 1024 };
        using (var log = TelemetryLog.Open(options))
        {
            for (var b = 0; b < 40; b++)
            {
                await log.AppendAsync(Live, Synthetic.Columns(((ulong)b * 500) + 1, 500));
            }
        }

        Assert.True(Directory.GetFiles(options.Directory, "*.seg").Length >= 10);
        using var reopened = TelemetryLog.Open(options);
        Assert.Equal(40, reopened.Recovery.Records);
        AssertExactlyOnce(reopened, Live.SourceId, 20_000);
    }

    [Theory]
    [InlineData("cut-in-payload")]
    [InlineData("cut-in-header")]
    [InlineData("flipped-byte")]
    [InlineData("garbage-appended")]
    public async Task ATornTailIsCutOffAndEverythingBeforeItKept(string damage)
    {
        using (var log = TelemetryLog.Open(Options))
        {
            await log.AppendAsync(Live, Synthetic.Columns(1, 1000));
            await log.AppendAsync(Live, Synthetic.Columns(1001, 1000));
        }

        var segment = Directory.GetFiles(Options.Directory, "*.seg").Single();
        var length = new FileInfo(segment).Length;
        using (var f = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            switch (damage)
            {
                case "cut-in-payload":
                    f.SetLength(length - 100);
                    break;
                case "cut-in-header":
                    // 2 records of 16 + payload each: keep the first record and 7 bytes of the second's header.
                    f.SetLength(((length - 24) / 2) + 24 + 7);
                    break;
                case "flipped-byte":
                    f.Position = length - 5;
                    var b = f.ReadByte();
                    f.Position = length - 5;
                    f.WriteByte((byte)(b ^ 0x40));
                    break;
                default:
                    f.Position = length;
                    f.Write(Encoding.ASCII.GetBytes(new string('x', 37)));
                    break;
            }
        }

        using (var reopened = TelemetryLog.Open(Options))
        {
            var expected = damage == "garbage-appended" ? 2000 : 1000;
            Assert.Equal(expected / 1000, reopened.Recovery.Records);
            Assert.True(reopened.Recovery.TruncatedBytes > 0);
            Assert.NotNull(reopened.Recovery.TruncationReason);
            AssertExactlyOnce(reopened, Live.SourceId, expected);

            // The log keeps working after the cut: the lost batch can be sent again.
            var ack = await reopened.AppendAsync(Live, Synthetic.Columns(1, 2000));
            Assert.Equal((long)(2000 - expected), ack.Accepted);
        }

        using var again = TelemetryLog.Open(Options);
        Assert.Equal(0, again.Recovery.TruncatedBytes);
        AssertExactlyOnce(again, Live.SourceId, 2000);
    }

    [Fact]
    public async Task DamageInAnOlderSegmentIsReportedNotRepaired()
    {
        var options = Options with { SegmentBytes = 32 * 1024 };
        using (var log = TelemetryLog.Open(options))
        {
            for (var b = 0; b < 6; b++)
            {
                await log.AppendAsync(Live, Synthetic.Columns(((ulong)b * 500) + 1, 500));
            }
        }

        var first = Directory.GetFiles(options.Directory, "*.seg").Order(StringComparer.Ordinal).First();
        using (var f = new FileStream(first, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = 200;
            f.WriteByte(0xAA);
        }

        var e = Assert.Throws<LogCorruptException>(() => TelemetryLog.Open(options));
        Assert.Contains(Path.GetFileName(first), e.Message, StringComparison.Ordinal);
        Assert.Contains("CRC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubscribersSeeEverythingInOrderAndFollowNewData()
    {
        using var log = TelemetryLog.Open(Options);
        await log.AppendAsync(Live, Synthetic.Columns(1, 10));
        var upload = log.BeginUpload();
        upload.Append(Synthetic.Columns(1, 20));
        await upload.AttachAsync("spectrum", new byte[] { 1, 2, 3 });
        var committed = await upload.CommitAsync(new SampleSource("file:x", "cell-C", "x.csv"));

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<LogItem>();
        await using var items = log.SubscribeAsync(0, follow: true, cancellationToken: cancel.Token).GetAsyncEnumerator();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await Within.Await(items.MoveNextAsync().AsTask(), $"subscription item {i + 1}"));
            seen.Add(items.Current);
        }

        Assert.Equal(Live.SourceId, seen[0].Source.SourceId);
        Assert.True(seen[0].LastOfPosition);
        Assert.Equal((committed.Position, 20, false), (seen[1].Position, seen[1].Samples!.Count, seen[1].LastOfPosition));
        Assert.Equal((committed.Position, "spectrum", true), (seen[2].Position, seen[2].AttachmentKind, seen[2].LastOfPosition));

        var next = items.MoveNextAsync().AsTask();
        Assert.False(next.IsCompleted);
        var live = await log.AppendAsync(Live, Synthetic.Columns(11, 5));
        Assert.True(await Within.Await(next, "the followed live batch"));
        Assert.Equal((live.Position, 11UL, 5), (items.Current.Position, items.Current.Samples!.Sequence[0], items.Current.Samples.Count));

        // Resuming after a position delivers only what came later.
        var after = new List<LogItem>();
        await foreach (var item in log.SubscribeAsync(committed.Position, follow: false))
        {
            after.Add(item);
        }

        Assert.Equal([live.Position], after.Select(i => i.Position));
    }

    /// <summary>The source holds sequences 1..count exactly once, in order, with the synthetic values.</summary>
    internal static void AssertExactlyOnce(TelemetryLog log, string sourceId, int count)
    {
        var expected = 1UL;
        foreach (var batch in log.ReadSource(sourceId))
        {
            var c = batch.Samples;
            for (var i = 0; i < c.Count; i++)
            {
                Assert.True(c.Sequence[i] == expected, $"{sourceId}: found sequence {c.Sequence[i]} where {expected} was expected");
                Assert.Equal(Synthetic.Voltage(expected), c.Voltage[i]);
                expected++;
            }
        }

        Assert.True(expected - 1 == (ulong)count, $"{sourceId}: {expected - 1} samples read back, {count} expected");
    }
}
