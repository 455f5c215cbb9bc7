// The durable, append-only telemetry log. A writer thread takes every queued record and writes the group with one
// gathered write; a flusher thread fsyncs everything written so far (group commit: one fsync covers all groups written
// meanwhile, so writing overlaps the disk flush) and only then publishes: a write is acknowledged once it is on disk.
// Idempotency: a sample whose (source, sequence) is at or below the source's last stored sequence is a duplicate.
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace DigitalTwin.Telemetry.Log;

public sealed class TelemetryLog : IDisposable, IAsyncDisposable
{
    private readonly TelemetryLogOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SourceState> _sources = new(StringComparer.Ordinal);
    private readonly List<Commit> _commits = [];
    private readonly List<Segment> _segments = [];
    private readonly Dictionary<ulong, PendingUpload> _pending = [];
    private readonly Channel<WriteItem> _queue;
    private readonly Thread _writer;
    private readonly Thread _flusher;
    private readonly object _flushGate = new();
    private readonly Queue<WrittenGroup> _unflushed = new();
    private long _unflushedBytes;
    private bool _flushing;
    private bool _writerDone;
    private readonly List<ReadOnlyMemory<byte>> _gather = [];
    private byte[] _headers = new byte[64 * Segment.RecordHeaderBytes];
    private SafeFileHandle _writeHandle;
    private long _segmentLength;
    private long _nextPosition = 1;
    private long _nextUploadId;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Exception? _fault;
    private int _disposed;
    private long _groups;
    private long _recordsWritten;

    private TelemetryLog(TelemetryLogOptions options)
    {
        _options = options;
        _queue = Channel.CreateBounded<WriteItem>(new BoundedChannelOptions(Math.Max(1, options.QueueCapacity))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var started = DateTime.UtcNow;
        (_writeHandle, Recovery) = Recover();
        Recovery = Recovery with { Elapsed = DateTime.UtcNow - started };
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "telemetry-log-writer" };
        _flusher = new Thread(FlusherLoop) { IsBackground = true, Name = "telemetry-log-flusher" };
        _writer.Start();
        _flusher.Start();
    }

    /// <summary>What opening the log found.</summary>
    public RecoveryReport Recovery { get; }

    /// <summary>Group commits (one fsync each, covering every group written since the previous one) since the log was opened.</summary>
    public long GroupCommits => Interlocked.Read(ref _groups);

    /// <summary>Records written since the log was opened.</summary>
    public long RecordsWritten => Interlocked.Read(ref _recordsWritten);

    public string Directory => _options.Directory;

    /// <summary>Position of the newest durable record (0 for an empty log).</summary>
    public long LastPosition
    {
        get
        {
            lock (_gate)
            {
                return _commits.Count == 0 ? 0 : _commits[^1].Position;
            }
        }
    }

    /// <summary>Opens (creating if needed) the log in options.Directory, verifying every record and cutting off a torn tail.</summary>
    public static TelemetryLog Open(TelemetryLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Directory);
        return new TelemetryLog(options);
    }

    /// <summary>
    /// Appends live samples (strictly increasing sequences); completes once they are durable. Samples at or below the
    /// source's last stored sequence are skipped and counted as duplicates.
    /// </summary>
    public async ValueTask<AppendResult> AppendAsync(SampleSource source, SampleColumns samples, CancellationToken cancellationToken = default)
    {
        var durable = await SubmitAsync(source, samples, cancellationToken).ConfigureAwait(false);
        return await durable.ConfigureAwait(false);
    }

    /// <summary>
    /// Queues live samples and returns once they are queued (calls are ordered: queue the next batch after this returns);
    /// the returned task completes when they are durable. <paramref name="samples"/> may be reused as soon as this returns.
    /// </summary>
    public async ValueTask<Task<AppendResult>> SubmitAsync(SampleSource source, SampleColumns samples, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        ValidateSource(source);
        ValidateSequences(samples);
        var durable = LastDurable(source.SourceId);
        var start = samples.IndexAfter(durable);
        if (start == samples.Count)
        {
            return Task.FromResult(new AppendResult(0, durable, 0, samples.Count));
        }

        var item = WriteItem.ForSamples(0, source, samples, start);
        item.Done = new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
        return WithDuplicates(item.Done.Task, start);
    }

    /// <summary>
    /// Starts an upload: its records are written as they come but stay invisible (and are not counted) until
    /// <see cref="UploadWriter.CommitAsync"/>; an upload never committed (crash, rejected file) leaves nothing visible.
    /// </summary>
    /// <param name="skipThrough">Samples at or below this sequence are not even written (the source's known durable sequence).</param>
    public UploadWriter BeginUpload(ulong skipThrough = 0)
    {
        ThrowIfUnusable();
        return new UploadWriter(this, (ulong)Interlocked.Increment(ref _nextUploadId), skipThrough);
    }

    public SourceStatus? GetSource(string sourceId)
    {
        lock (_gate)
        {
            return _sources.TryGetValue(sourceId, out var s) ? s.ToStatus() : null;
        }
    }

    public IReadOnlyList<SourceStatus> Sources(string? cellId = null)
    {
        lock (_gate)
        {
            return _sources.Values.Where(s => cellId is null || s.CellId == cellId).Select(s => s.ToStatus()).OrderBy(s => s.LastPosition).ToList();
        }
    }

    /// <summary>
    /// The samples of one source with a sequence above <paramref name="afterSequence"/>, in sequence order, one batch per
    /// record. With <paramref name="reuse"/> every batch is decoded into that instance.
    /// </summary>
    public IEnumerable<LogBatch> ReadSource(string sourceId, ulong afterSequence = 0, SampleColumns? reuse = null)
    {
        foreach (var entry in EntriesAfter(sourceId, afterSequence))
        {
            var columns = reuse ?? new SampleColumns(entry.Record.Summary.Count);
            Decode(entry.Record, Math.Max(entry.After, afterSequence), columns);
            if (columns.Count > 0)
            {
                yield return new LogBatch(entry.Commit.Position, entry.Commit.Source, columns);
            }
        }
    }

    /// <summary>The attachments committed with a source's uploads, oldest first, optionally of one kind.</summary>
    public IReadOnlyList<(long Position, string Kind, byte[] Data)> ReadAttachments(string sourceId, string? kind = null)
    {
        Commit[] commits;
        lock (_gate)
        {
            if (!_sources.TryGetValue(sourceId, out var state))
            {
                return [];
            }

            commits = [.. state.Commits];
        }

        var result = new List<(long, string, byte[])>();
        foreach (var commit in commits)
        {
            foreach (var a in commit.Attachments)
            {
                var (k, data) = ReadAttachment(a);
                if (kind is null || k == kind)
                {
                    result.Add((commit.Position, k, data));
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Everything that became durable after <paramref name="afterPosition"/>, in log order (per source, in sequence order).
    /// With <paramref name="follow"/> the enumeration waits for new records instead of ending. A consumer that stores the
    /// Position of the last item it applied with LastOfPosition resumes exactly there.
    /// </summary>
    public async IAsyncEnumerable<LogItem> SubscribeAsync(long afterPosition, bool follow, Func<SampleSource, bool>? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = -1;
        while (true)
        {
            Commit[] batch;
            Task changed;
            lock (_gate)
            {
                if (next < 0)
                {
                    next = FirstCommitAfter(afterPosition);
                }

                batch = _commits.GetRange(next, Math.Min(256, _commits.Count - next)).ToArray();
                changed = _changed.Task;
            }

            if (batch.Length == 0)
            {
                if (!follow || _disposed != 0)
                {
                    yield break;
                }

                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            next += batch.Length;
            foreach (var commit in batch)
            {
                if (filter is not null && !filter(commit.Source))
                {
                    continue;
                }

                var total = commit.Samples.Length + commit.Attachments.Length;
                var k = 0;
                foreach (var entry in commit.Samples)
                {
                    k++;
                    var columns = new SampleColumns(entry.Record.Summary.Count);
                    Decode(entry.Record, entry.After, columns);
                    yield return new LogItem(commit.Position, commit.Source, columns, null, null, k == total);
                }

                foreach (var a in commit.Attachments)
                {
                    k++;
                    var (kind, data) = ReadAttachment(a);
                    yield return new LogItem(commit.Position, commit.Source, null, kind, data, k == total);
                }

                if (total == 0)
                {
                    yield return new LogItem(commit.Position, commit.Source, null, null, null, true);
                }
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        _writer.Join();
        _flusher.Join();
        _writeHandle.Dispose();
        lock (_gate)
        {
            foreach (var s in _segments)
            {
                s.Dispose();
            }

            _changed.TrySetResult();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<AppendResult> WithDuplicates(Task<AppendResult> durable, int skipped)
    {
        var result = await durable.ConfigureAwait(false);
        return skipped == 0 ? result : result with { Duplicates = result.Duplicates + skipped };
    }

    internal ulong LastDurable(string sourceId)
    {
        lock (_gate)
        {
            return _sources.TryGetValue(sourceId, out var s) ? s.LastDurable : 0;
        }
    }

    internal async ValueTask EnqueueAsync(WriteItem item, CancellationToken cancellationToken)
    {
        try
        {
            if (!_queue.Writer.TryWrite(item))
            {
                await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ChannelClosedException)
        {
            item.Release();
            ThrowIfUnusable();
            throw new ObjectDisposedException(nameof(TelemetryLog));
        }
    }

    internal void Enqueue(WriteItem item)
    {
        if (!_queue.Writer.TryWrite(item))
        {
            EnqueueAsync(item, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }

    internal static void ValidateSource(SampleSource source)
    {
        if (string.IsNullOrEmpty(source.SourceId))
        {
            throw new ArgumentException("a source id is required", nameof(source));
        }
    }

    /// <summary>Sequences must be ≥ 1 and strictly increasing.</summary>
    internal static void ValidateSequences(SampleColumns samples)
    {
        var seq = samples.Sequence;
        var last = 0UL;
        for (var i = 0; i < samples.Count; i++)
        {
            if (seq[i] == 0 || (i > 0 && seq[i] <= last))
            {
                throw new ArgumentException($"row {i + 1}: sequence {seq[i]} is not above the previous ({last}); sequences start at 1 and increase strictly", nameof(samples));
            }

            last = seq[i];
        }
    }

    internal void ThrowIfUnusable()
    {
        if (_fault is { } fault)
        {
            throw new LogFaultedException($"the telemetry log in {_options.Directory} stopped after a write failure: {fault.Message}", fault);
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
    }

    private SourceEntry[] EntriesAfter(string sourceId, ulong afterSequence)
    {
        lock (_gate)
        {
            if (!_sources.TryGetValue(sourceId, out var state))
            {
                return [];
            }

            var list = state.Entries;
            var lo = 0;
            var hi = list.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (list[mid].Record.Summary.LastSequence <= afterSequence)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return list.GetRange(lo, list.Count - lo).ToArray();
        }
    }

    private int FirstCommitAfter(long position)
    {
        var lo = 0;
        var hi = _commits.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_commits[mid].Position <= position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private Segment SegmentOf(in RecordRef r)
    {
        lock (_gate)
        {
            return _segments[r.Segment];
        }
    }

    private void Decode(in RecordRef r, ulong after, SampleColumns target)
    {
        var payload = SegmentOf(r).ReadPayload(r.Offset, r.PayloadLength, r.Position);
        var header = RecordCodec.ReadHeader(payload);
        RecordCodec.DecodeSamples(payload, header, after, target);
    }

    private (string Kind, byte[] Data) ReadAttachment(in RecordRef r)
    {
        var payload = SegmentOf(r).ReadPayload(r.Offset, r.PayloadLength, r.Position);
        var header = RecordCodec.ReadHeader(payload);
        return RecordCodec.DecodeAttachment(payload, header);
    }

    private long CountAbove(in RecordRef r, ulong after)
    {
        var s = r.Summary;
        if (s.Count == 0 || s.LastSequence <= after)
        {
            return 0;
        }

        if (s.FirstSequence > after)
        {
            return s.Count;
        }

        var payload = SegmentOf(r).ReadPayload(r.Offset, r.PayloadLength, r.Position);
        var header = RecordCodec.ReadHeader(payload);
        long n = 0;
        foreach (var q in RecordCodec.Sequences(payload, header))
        {
            n += q > after ? 1 : 0;
        }

        return n;
    }

    // ---- Recovery ----

    private (SafeFileHandle Handle, RecoveryReport Report) Recover()
    {
        var dir = _options.Directory;
        System.IO.Directory.CreateDirectory(dir);
        var files = new List<(long First, string Path)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(dir, "*" + Segment.Extension))
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(path), out var first) || Segment.FileName(first) != Path.GetFileName(path))
            {
                throw new LogCorruptException($"{path}: not a segment name (expected {Segment.FileName(1)}-style names); move foreign files out of {dir}");
            }

            files.Add((first, path));
        }

        files.Sort((a, b) => a.First.CompareTo(b.First));
        long records = 0, bytes = 0, truncated = 0;
        string? reason = null;
        var expected = 1L;
        for (var i = 0; i < files.Count; i++)
        {
            var (first, path) = files[i];
            var last = i == files.Count - 1;
            if (i > 0 && first != expected)
            {
                throw new LogCorruptException($"{path}: segment starts at position {first}, but the previous segment ends before position {expected}");
            }

            using var handle = Segment.OpenForAppend(path);
            var scanner = new SegmentScanner(handle, path, _options.MaxRecordBytes);
            if (!scanner.ReadHeader(first))
            {
                if (!last)
                {
                    throw new LogCorruptException(scanner.StopReason!);
                }

                // A crash while creating the newest segment: nothing in it was ever acknowledged.
                truncated += scanner.FileLength;
                reason = scanner.StopReason;
                handle.Dispose();
                File.Delete(path);
                break;
            }

            _nextPosition = first;
            var segmentIndex = _segments.Count;
            _segments.Add(Segment.OpenExisting(segmentIndex, first, path));
            scanner.Scan(first, (offset, position, payload) =>
            {
                ApplyRecovered(segmentIndex, offset, position, payload);
                records++;
            });
            if (scanner.StopReason is not null)
            {
                if (!last)
                {
                    throw new LogCorruptException(scanner.StopReason + " (not the newest segment, so this is damage, not a torn write)");
                }

                truncated += scanner.FileLength - scanner.ValidEnd;
                reason = scanner.StopReason;
                RandomAccess.SetLength(handle, scanner.ValidEnd);
                RandomAccess.FlushToDisk(handle);
            }

            bytes += scanner.ValidEnd;
            expected = _nextPosition;
        }

        // Uploads never committed before the crash stay invisible for good.
        _pending.Clear();
        SafeFileHandle write;
        if (_segments.Count == 0)
        {
            var (segment, handle) = Segment.Create(0, dir, _nextPosition);
            _segments.Add(segment);
            write = handle;
            _segmentLength = Segment.HeaderBytes;
        }
        else
        {
            write = Segment.OpenForAppend(_segments[^1].Path);
            _segmentLength = RandomAccess.GetLength(write);
        }

        return (write, new RecoveryReport(_segments.Count, records, bytes, truncated, reason, TimeSpan.Zero));
    }

    private void ApplyRecovered(int segment, long offset, long position, ReadOnlySpan<byte> payload)
    {
        var header = RecordCodec.ReadHeader(payload);
        var item = new WriteItem
        {
            Kind = header.Kind,
            UploadId = header.UploadId,
            Source = new SampleSource(header.SourceId, header.CellId, header.SourceFile),
            Length = payload.Length,
            Summary = header.Kind == RecordKind.Samples ? RecordCodec.Summarize(payload, header) : default,
        };
        item.Ref = new RecordRef(segment, offset, payload.Length, position, item.Summary);
        _nextPosition = position + 1;
        _nextUploadId = Math.Max(_nextUploadId, (long)header.UploadId);
        Decide(item);
        lock (_gate)
        {
            Publish(item);
        }
    }

    // ---- Writer ----

    private void WriterLoop()
    {
        var group = new List<WriteItem>();
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                if (!reader.TryRead(out var first))
                {
                    if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                    {
                        return;
                    }

                    continue;
                }

                group = [first];
                long bytes = first.Length;
                while (bytes < _options.MaxGroupBytes && reader.TryRead(out var more))
                {
                    group.Add(more);
                    bytes += more.Length;
                }

                WriteGroup(group);
            }
        }
        catch (Exception e)
        {
            Fail(e, group);
        }
        finally
        {
            lock (_flushGate)
            {
                _writerDone = true;
                Monitor.PulseAll(_flushGate);
            }
        }
    }

    /// <summary>Writes a group (no fsync) and hands it to the flusher; waits while too much written data awaits its fsync.</summary>
    private void WriteGroup(List<WriteItem> group)
    {
        if (_segmentLength >= _options.SegmentBytes)
        {
            Roll();
        }

        if (_headers.Length < group.Count * Segment.RecordHeaderBytes)
        {
            _headers = new byte[group.Count * 2 * Segment.RecordHeaderBytes];
        }

        var segment = _segments.Count - 1;
        var start = _segmentLength;
        var offset = start;
        _gather.Clear();
        for (var i = 0; i < group.Count; i++)
        {
            var item = group[i];
            var position = _nextPosition++;
            item.Ref = new RecordRef(segment, offset, item.Length, position, item.Summary);
            var header = _headers.AsMemory(i * Segment.RecordHeaderBytes, Segment.RecordHeaderBytes);
            Segment.WriteRecordHeader(header.Span, item.Length, item.PayloadCrc, position);
            Decide(item);
            _gather.Add(header);
            _gather.Add(item.Payload!.Memory);
            offset += Segment.RecordHeaderBytes + item.Length;
        }

        try
        {
            RandomAccess.Write(_writeHandle, _gather, start);
        }
        catch
        {
            // Leave no half-written group behind for readers of this process; recovery would cut it anyway.
            try
            {
                RandomAccess.SetLength(_writeHandle, start);
            }
            catch (IOException)
            {
            }

            throw;
        }

        _gather.Clear();
        _segmentLength = offset;
        Interlocked.Add(ref _recordsWritten, group.Count);
        foreach (var item in group)
        {
            // The bytes are in the page cache now; the payload buffers go back to the pool before the fsync.
            item.Release();
        }

        lock (_flushGate)
        {
            while (_unflushedBytes >= _options.MaxUnflushedBytes && _fault is null)
            {
                Monitor.Wait(_flushGate);
            }

            if (_fault is { } fault)
            {
                throw new IOException("the flusher failed", fault);
            }

            _unflushed.Enqueue(new WrittenGroup(group, offset - start));
            _unflushedBytes += offset - start;
            Monitor.PulseAll(_flushGate);
        }
    }

    /// <summary>
    /// fsyncs everything written so far, then publishes and acknowledges those groups in log order. While one fsync runs
    /// the writer goes on writing; the next fsync covers all of that at once.
    /// </summary>
    private void FlusherLoop()
    {
        var batch = new List<WrittenGroup>();
        while (true)
        {
            SafeFileHandle handle;
            long bytes = 0;
            lock (_flushGate)
            {
                while (_unflushed.Count == 0 && !_writerDone && _fault is null)
                {
                    Monitor.Wait(_flushGate);
                }

                if (_unflushed.Count == 0 || _fault is not null)
                {
                    return;
                }

                batch.Clear();
                while (_unflushed.TryDequeue(out var g))
                {
                    batch.Add(g);
                    bytes += g.Bytes;
                }

                _flushing = true;
                handle = _writeHandle;
            }

            try
            {
                RandomAccess.FlushToDisk(handle);
            }
            catch (Exception e)
            {
                lock (_flushGate)
                {
                    _flushing = false;
                }

                Fail(e, [.. batch.SelectMany(g => g.Items)]);
                return;
            }

            Interlocked.Increment(ref _groups);
            lock (_gate)
            {
                foreach (var g in batch)
                {
                    foreach (var item in g.Items)
                    {
                        Publish(item);
                    }
                }

                var changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed.TrySetResult();
            }

            foreach (var g in batch)
            {
                foreach (var item in g.Items)
                {
                    item.Complete();
                }
            }

            lock (_flushGate)
            {
                _flushing = false;
                _unflushedBytes -= bytes;
                Monitor.PulseAll(_flushGate);
            }
        }
    }

    private void Roll()
    {
        // The old segment is closed only once the flusher has made all of it durable.
        lock (_flushGate)
        {
            while ((_unflushed.Count > 0 || _flushing) && _fault is null)
            {
                Monitor.Wait(_flushGate);
            }

            if (_fault is { } fault)
            {
                throw new IOException("the flusher failed", fault);
            }
        }

        var (segment, handle) = Segment.Create(_segments.Count, _options.Directory, _nextPosition);
        lock (_gate)
        {
            _segments.Add(segment);
        }

        lock (_flushGate)
        {
            _writeHandle.Dispose();
            _writeHandle = handle;
        }

        _segmentLength = Segment.HeaderBytes;
    }

    /// <summary>
    /// Stops the log after a write or fsync failure: the given items, every group written but not yet flushed, and
    /// everything still queued fail; nothing of them is published.
    /// </summary>
    private void Fail(Exception e, List<WriteItem> current)
    {
        List<WriteItem> failed = [.. current];
        lock (_flushGate)
        {
            _fault ??= e;
            while (_unflushed.TryDequeue(out var g))
            {
                failed.AddRange(g.Items);
            }

            _unflushedBytes = 0;
            Monitor.PulseAll(_flushGate);
        }

        _queue.Writer.TryComplete(e);
        var failure = new LogFaultedException($"the telemetry log in {_options.Directory} could not write: {e.Message}", e);
        foreach (var item in failed)
        {
            item.Release();
            item.Done?.TrySetException(failure);
        }

        while (_queue.Reader.TryRead(out var item))
        {
            item.Release();
            item.Done?.TrySetException(failure);
        }

        lock (_gate)
        {
            _changed.TrySetResult();
        }
    }

    // ---- The decision rules, shared by the writer and recovery so both reach the same state ----

    /// <summary>Decides, in log order, which rows of a record count: everything above the source's last sequence so far.</summary>
    private void Decide(WriteItem item)
    {
        switch (item.Kind)
        {
            case RecordKind.Samples when item.UploadId == 0:
            {
                var state = SourceFor(item.Source);
                item.After = state.LastAssigned;
                state.LastAssigned = Math.Max(state.LastAssigned, item.Summary.LastSequence);
                break;
            }

            case RecordKind.Samples:
                PendingFor(item.UploadId).Samples.Add(item.Ref);
                break;
            case RecordKind.Attachment:
                PendingFor(item.UploadId).Attachments.Add(item.Ref);
                break;
            case RecordKind.Commit:
            {
                var state = SourceFor(item.Source);
                item.Upload = _pending.Remove(item.UploadId, out var upload) ? upload : new PendingUpload();
                item.After = state.LastAssigned;
                foreach (var r in item.Upload.Samples)
                {
                    state.LastAssigned = Math.Max(state.LastAssigned, r.Summary.LastSequence);
                }

                break;
            }
        }
    }

    /// <summary>Makes a durable record visible (under the lock) and fills in the acknowledgement.</summary>
    private void Publish(WriteItem item)
    {
        if (item.Kind == RecordKind.Samples && item.UploadId == 0)
        {
            var state = _sources[item.Source.SourceId];
            var commit = new Commit(item.Ref.Position, item.Source, [], []);
            var accepted = Attach(state, commit, [item.Ref], item.After);
            _commits.Add(commit);
            item.Result = new AppendResult(item.Ref.Position, state.LastDurable, accepted, item.Summary.Count - accepted);
        }
        else if (item.Kind == RecordKind.Commit)
        {
            var state = _sources[item.Source.SourceId];
            var upload = item.Upload!;
            var commit = new Commit(item.Ref.Position, item.Source, [], [.. upload.Attachments]);
            var accepted = Attach(state, commit, upload.Samples, item.After);
            state.Commits.Add(commit);
            _commits.Add(commit);
            var rows = upload.Samples.Sum(r => (long)r.Summary.Count);
            item.Result = new AppendResult(item.Ref.Position, state.LastDurable, accepted, rows - accepted);
        }
    }

    private long Attach(SourceState state, Commit commit, List<RecordRef> records, ulong after)
    {
        var entries = new List<SourceEntry>(records.Count);
        long accepted = 0;
        foreach (var r in records)
        {
            var n = CountAbove(r, after);
            if (n == 0)
            {
                continue;
            }

            var entry = new SourceEntry(r, after, commit);
            entries.Add(entry);
            state.Entries.Add(entry);
            accepted += n;
            state.LastDurable = Math.Max(state.LastDurable, r.Summary.LastSequence);
            if (r.Summary.MaxTimeNs != SampleColumns.NoTime)
            {
                state.LastTimeNs = Math.Max(state.LastTimeNs, r.Summary.MaxTimeNs);
            }
        }

        commit.Samples = [.. entries];
        state.Samples += accepted;
        state.CellId = commit.Source.CellId;
        state.SourceFile = commit.Source.SourceFile;
        state.LastPosition = commit.Position;
        return accepted;
    }

    private SourceState SourceFor(SampleSource source)
    {
        lock (_gate)
        {
            if (!_sources.TryGetValue(source.SourceId, out var state))
            {
                state = new SourceState(source.SourceId) { CellId = source.CellId, SourceFile = source.SourceFile };
                _sources.Add(source.SourceId, state);
            }

            return state;
        }
    }

    private PendingUpload PendingFor(ulong uploadId)
    {
        if (!_pending.TryGetValue(uploadId, out var upload))
        {
            upload = new PendingUpload();
            _pending.Add(uploadId, upload);
        }

        return upload;
    }
}

/// <summary>A group written by the writer and waiting for the flusher's fsync.</summary>
internal readonly record struct WrittenGroup(List<WriteItem> Items, long Bytes);

/// <summary>Records of an upload written but not yet committed (writer thread and recovery only).</summary>
internal sealed class PendingUpload
{
    public List<RecordRef> Samples { get; } = [];

    public List<RecordRef> Attachments { get; } = [];
}

/// <summary>One record on its way to the writer, and what the writer decided about it.</summary>
internal sealed class WriteItem
{
    public RecordKind Kind { get; init; }

    public ulong UploadId { get; init; }

    public SampleSource Source { get; init; }

    public PayloadBuffer? Payload { get; private set; }

    public int Length { get; init; }

    public uint PayloadCrc { get; init; }

    public SamplesSummary Summary { get; init; }

    public TaskCompletionSource<AppendResult>? Done { get; set; }

    public RecordRef Ref { get; set; }

    public ulong After { get; set; }

    public PendingUpload? Upload { get; set; }

    public AppendResult? Result { get; set; }

    public static WriteItem ForSamples(ulong uploadId, SampleSource source, SampleColumns samples, int start)
    {
        var payload = new PayloadBuffer(64 + ((samples.Count - start) * 112));
        var record = uploadId == 0 ? source : default;
        RecordCodec.EncodeSamples(payload, uploadId, record.SourceId ?? string.Empty, record.CellId ?? string.Empty, record.SourceFile ?? string.Empty, samples, start);
        var header = RecordCodec.ReadHeader(payload.Span);
        return new WriteItem
        {
            Kind = RecordKind.Samples,
            UploadId = uploadId,
            Source = source,
            Payload = payload,
            Length = payload.Length,
            PayloadCrc = Crc32C.Compute(payload.Span),
            Summary = RecordCodec.Summarize(payload.Span, header),
        };
    }

    public static WriteItem ForPayload(RecordKind kind, ulong uploadId, SampleSource source, PayloadBuffer payload) => new()
    {
        Kind = kind,
        UploadId = uploadId,
        Source = source,
        Payload = payload,
        Length = payload.Length,
        PayloadCrc = Crc32C.Compute(payload.Span),
    };

    public void Release()
    {
        Payload?.Dispose();
        Payload = null;
    }

    public void Complete()
    {
        if (Done is not null && Result is not null)
        {
            Done.TrySetResult(Result);
        }
    }
}
