// Writes one upload (a file's samples and attachments) into the log as it is parsed; nothing becomes visible,
// counted or acknowledged until CommitAsync, so a rejected or interrupted upload leaves no trace for readers.
namespace DigitalTwin.Telemetry.Log;

public sealed class UploadWriter
{
    private readonly TelemetryLog _log;
    private readonly ulong _skipThrough;
    private ulong _last;
    private bool _committed;

    internal UploadWriter(TelemetryLog log, ulong id, ulong skipThrough)
    {
        _log = log;
        Id = id;
        _skipThrough = skipThrough;
        _last = skipThrough;
    }

    public ulong Id { get; }

    /// <summary>Samples written so far (not yet visible) [count].</summary>
    public long Written { get; private set; }

    /// <summary>Samples not written because they were at or below the skip-through sequence [count].</summary>
    public long Skipped { get; private set; }

    /// <summary>Queues a batch (blocking while the writer's queue is full). Sequences continue strictly above earlier batches.</summary>
    public void Append(SampleColumns samples)
    {
        var item = Prepare(samples);
        if (item is not null)
        {
            _log.Enqueue(item);
        }
    }

    public async ValueTask AppendAsync(SampleColumns samples, CancellationToken cancellationToken = default)
    {
        var item = Prepare(samples);
        if (item is not null)
        {
            await _log.EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Queues opaque data kept with the upload, e.g. an impedance spectrum or the file's provenance.</summary>
    public async ValueTask AttachAsync(string kind, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ThrowIfCommitted();
        _log.ThrowIfUnusable();
        var payload = new PayloadBuffer(data.Length + 64);
        RecordCodec.EncodeAttachment(payload, Id, kind, data.Span);
        await _log.EnqueueAsync(WriteItem.ForPayload(RecordKind.Attachment, Id, default, payload), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the upload visible as samples of <paramref name="source"/> and completes once that is durable. Rows at or
    /// below the source's last sequence at that moment count as duplicates.
    /// </summary>
    public async Task<AppendResult> CommitAsync(SampleSource source, CancellationToken cancellationToken = default)
    {
        ThrowIfCommitted();
        TelemetryLog.ValidateSource(source);
        _log.ThrowIfUnusable();
        _committed = true;
        var payload = new PayloadBuffer(256);
        RecordCodec.EncodeCommit(payload, Id, source.SourceId, source.CellId, source.SourceFile);
        var item = WriteItem.ForPayload(RecordKind.Commit, Id, source, payload);
        item.Done = new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _log.EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
        var result = await item.Done.Task.ConfigureAwait(false);
        return result with { Duplicates = result.Duplicates + Skipped };
    }

    private WriteItem? Prepare(SampleColumns samples)
    {
        ThrowIfCommitted();
        _log.ThrowIfUnusable();
        TelemetryLog.ValidateSequences(samples);
        var start = samples.IndexAfter(_skipThrough);
        if (start < samples.Count && samples.Sequence[start] <= _last)
        {
            throw new ArgumentException($"sequence {samples.Sequence[start]} is not above the upload's previous batch (last {_last})", nameof(samples));
        }

        Skipped += start;
        if (start == samples.Count)
        {
            return null;
        }

        _last = samples.Sequence[samples.Count - 1];
        Written += samples.Count - start;
        return WriteItem.ForSamples(Id, default, samples, start);
    }

    private void ThrowIfCommitted()
    {
        if (_committed)
        {
            throw new InvalidOperationException($"upload {Id} is already committed");
        }
    }
}
