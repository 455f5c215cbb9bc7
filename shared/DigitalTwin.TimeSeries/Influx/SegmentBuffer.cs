// The bounded on-disk buffer between WriteAsync and InfluxDB: each batch of line protocol is a
// numbered file (written to .tmp, then renamed, so a crash never leaves half a segment); a file is
// deleted only once InfluxDB has accepted it. Writers wait when the buffer is full.
namespace DigitalTwin.TimeSeries.Influx;

internal sealed class Segment
{
    public Segment(long sequence, string path, long bytes, int lines, byte[]? data)
    {
        Sequence = sequence;
        Path = path;
        Bytes = bytes;
        Lines = lines;
        Data = data;
    }

    public long Sequence { get; }

    public string Path { get; }

    public long Bytes { get; }

    public int Lines { get; }

    /// <summary>The bytes, if still held in memory.</summary>
    public byte[]? Data { get; set; }

    public int Attempts { get; set; }
}

internal sealed class SegmentBuffer
{
    private const string Extension = ".lp";
    private readonly string _directory;
    private readonly string _rejected;
    private readonly long _maxBytes;
    private readonly long _maxMemory;
    private readonly bool _sync;
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, Segment> _pending = [];
    private TaskCompletionSource _changed = NewSignal();
    private long _bytes;
    private long _memory;
    private long _nextSequence;

    public SegmentBuffer(string directory, long maxBytes, long maxMemory, bool sync)
    {
        _directory = Path.GetFullPath(directory);
        _rejected = Path.Combine(_directory, "rejected");
        _maxBytes = maxBytes;
        _maxMemory = maxMemory;
        _sync = sync;
        Directory.CreateDirectory(_directory);
        foreach (var leftover in Directory.EnumerateFiles(_directory, "*" + Extension + ".tmp"))
        {
            File.Delete(leftover);
        }

        foreach (var file in Directory.EnumerateFiles(_directory, "*" + Extension))
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(file), out var sequence))
            {
                continue;
            }

            var info = new FileInfo(file);
            var lines = CountLines(File.ReadAllBytes(file));
            _pending[sequence] = new Segment(sequence, file, info.Length, lines, null);
            _bytes += info.Length;
            _nextSequence = Math.Max(_nextSequence, sequence + 1);
        }
    }

    public long BufferedBytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public int PendingSegments
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Raised (on the writer's thread) when a writer starts waiting for space.</summary>
    public event Action? Full;

    /// <summary>Segments found on disk at start, oldest first.</summary>
    public IReadOnlyList<Segment> Recovered()
    {
        lock (_lock)
        {
            return [.. _pending.Values];
        }
    }

    /// <summary>Stores a segment durably, waiting while the buffer is full (one oversized segment is always let in).</summary>
    public async ValueTask<Segment> AppendAsync(byte[] data, int lines, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            Segment? segment = null;
            lock (_lock)
            {
                if (_bytes == 0 || _bytes + data.Length <= _maxBytes)
                {
                    var sequence = _nextSequence++;
                    var path = Path.Combine(_directory, sequence.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + Extension);
                    var keep = _memory + data.Length <= _maxMemory;
                    segment = new Segment(sequence, path, data.Length, lines, keep ? data : null);
                    _pending[sequence] = segment;
                    _bytes += data.Length;
                    if (keep)
                    {
                        _memory += data.Length;
                    }
                }

                changed = _changed.Task;
            }

            if (segment is not null)
            {
                try
                {
                    WriteFile(segment.Path, data);
                }
                catch
                {
                    Release(segment);
                    throw;
                }

                return segment;
            }

            Full?.Invoke();
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<byte[]> ReadAsync(Segment segment, CancellationToken cancellationToken) =>
        segment.Data ?? await File.ReadAllBytesAsync(segment.Path, cancellationToken).ConfigureAwait(false);

    /// <summary>InfluxDB accepted the segment: delete it and free its space.</summary>
    public void Complete(Segment segment)
    {
        File.Delete(segment.Path);
        Release(segment);
    }

    /// <summary>InfluxDB refused the segment for good: keep it under rejected/ with the reason, free its space.</summary>
    public void Reject(Segment segment, string reason)
    {
        Directory.CreateDirectory(_rejected);
        var target = Path.Combine(_rejected, Path.GetFileName(segment.Path));
        File.Move(segment.Path, target, overwrite: true);
        File.WriteAllText(target + ".error.txt", reason);
        Release(segment);
    }

    /// <summary>The segment's file vanished (removed by hand): forget it so the rest can flow.</summary>
    public void Abandon(Segment segment) => Release(segment);

    /// <summary>The oldest segment not yet finished, or null when the buffer is empty.</summary>
    public long? OldestPending()
    {
        lock (_lock)
        {
            foreach (var sequence in _pending.Keys)
            {
                return sequence;
            }

            return null;
        }
    }

    public long LastSequence()
    {
        lock (_lock)
        {
            return _nextSequence - 1;
        }
    }

    /// <summary>Completes when a segment finishes (poll-free waiting for flushes and space).</summary>
    public Task Changed()
    {
        lock (_lock)
        {
            return _changed.Task;
        }
    }

    private void Release(Segment segment)
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            if (!_pending.Remove(segment.Sequence))
            {
                return;
            }

            _bytes -= segment.Bytes;
            if (segment.Data is not null)
            {
                _memory -= segment.Bytes;
                segment.Data = null;
            }

            signal = _changed;
            _changed = NewSignal();
        }

        signal.TrySetResult();
    }

    private void WriteFile(string path, byte[] data)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            stream.Write(data);
            if (_sync)
            {
                stream.Flush(flushToDisk: true);
            }
        }

        File.Move(temporary, path);
    }

    private static int CountLines(ReadOnlySpan<byte> data) => data.Count((byte)'\n');

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
