// Entry point: detect the format of a file from its content, read it through the normalizer into a sink,
// and hand back provenance (hash, reader, warnings) and per-cycle summaries.
using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using DigitalTwin.Telemetry.Normalization;
using DigitalTwin.Telemetry.Readers;

namespace DigitalTwin.Telemetry;

public static class TelemetryParser
{
    /// <summary>Parses a file into <paramref name="sink"/>; throws <see cref="IngestException"/> when the file is rejected.</summary>
    public static ParseResult Parse(string path, ISampleSink sink, IngestOptions? options = null)
    {
        if (!File.Exists(path))
        {
            throw new IngestException(new IngestProblem(ProblemSeverity.Error, ProblemCodes.NotFound, path, 0, null, $"file not found: {Path.GetFullPath(path)}"));
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Parse(stream, path, sink, options);
    }

    /// <summary>Parses a seekable stream (non-seekable input is spooled to a temporary file first).</summary>
    public static ParseResult Parse(Stream stream, string displayName, ISampleSink sink, IngestOptions? options = null)
    {
        options ??= IngestOptions.Default;
        if (!stream.CanSeek)
        {
            var spool = Path.Combine(Path.GetTempPath(), $"twin-ingest-{Guid.NewGuid():N}.tmp");
            try
            {
                using (var file = File.Create(spool))
                {
                    stream.CopyTo(file);
                }

                using var seekable = new FileStream(spool, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                return Parse(seekable, displayName, sink, options);
            }
            finally
            {
                File.Delete(spool);
            }
        }

        var length = stream.Length - stream.Position;
        var origin = stream.Position;
        if (length == 0)
        {
            throw new IngestException(new IngestProblem(ProblemSeverity.Error, ProblemCodes.Empty, displayName, 0, null, "the file is empty (0 bytes)"));
        }

        var headBytes = new byte[(int)Math.Min(FileHead.Size, length)];
        stream.ReadExactly(headBytes);
        stream.Position = origin;

        Stream input = stream;
        var transcoded = false;
        if (headBytes.Length >= 2 && ((headBytes[0] == 0xFF && headBytes[1] == 0xFE) || (headBytes[0] == 0xFE && headBytes[1] == 0xFF)))
        {
            // UTF-16 text (some Windows exports): read it as UTF-8 so every reader sees one encoding.
            var encoding = headBytes[0] == 0xFF ? Encoding.Unicode : Encoding.BigEndianUnicode;
            input = Encoding.CreateTranscodingStream(stream, encoding, Encoding.UTF8, leaveOpen: true);
            var buffer = new MemoryStream();
            var chunk = new byte[FileHead.Size];
            var read = input.Read(chunk);
            buffer.Write(chunk, 0, read);
            headBytes = buffer.ToArray();
            stream.Position = origin;
            input = Encoding.CreateTranscodingStream(stream, encoding, Encoding.UTF8, leaveOpen: true);
            transcoded = true;
        }

        var head = new FileHead(Path.GetFileName(displayName), headBytes, length);
        var reader = Select(head, options, displayName);
        var log = new ProblemLog(displayName, options.BadRows, options.MaxStoredProblems);
        if (transcoded)
        {
            log.Warn(0, null, ProblemCodes.Encoding, "file is UTF-16: transcoded to UTF-8");
        }

        using var hashing = new HashingStream(input, options.ComputeSha256);
        using var normalizer = new Normalizer(options, log, sink);
        var context = new ReadContext(displayName, hashing, head, options, normalizer, log);
        IReadOnlyList<CycleSummary> cycles;
        try
        {
            reader.Read(context);
            cycles = normalizer.Complete();
        }
        catch (IngestException e) when (Misnamed(head, reader, options) is { } detected)
        {
            // A forced format that does not fit: say what the content looks like, beside what the reader found.
            throw new IngestException([.. e.Problems, new IngestProblem(ProblemSeverity.Error, ProblemCodes.Unrecognized, displayName, 0, "format",
                $"the file was read as '{reader.Name}' because the format was given, but its content looks like '{detected.Name}' ({detected.Description}); use --format auto or {detected.Name}")]);
        }
        catch (IngestException)
        {
            throw;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException or System.Xml.XmlException)
        {
            throw log.Fail(0, null, ProblemCodes.Corrupt, $"{reader.Name}: {e.Message}");
        }

        log.ThrowIfErrors();
        var sha = !options.ComputeSha256 ? string.Empty : transcoded || hashing.Seeked ? HashWhole(stream, origin) : hashing.Finish(stream);
        var cellId = options.CellId ?? context.CellIdHint ?? Path.GetFileNameWithoutExtension(displayName);
        return new ParseResult
        {
            Provenance = new Provenance
            {
                SourceFile = Path.GetFileName(displayName),
                Sha256 = sha,
                Bytes = length,
                Reader = reader.Name,
                ReaderVersion = reader.Version,
                CellId = cellId,
                Dialect = context.Dialect,
                TimeZone = options.TimeZone,
                Policy = options.BadRows,
                ParsedAtUtc = DateTime.UtcNow,
                Warnings = log.Stored,
                UnstoredProblemCounts = log.Unstored,
                Metadata = context.Metadata,
            },
            Cycles = cycles,
            SampleCount = normalizer.SampleCount,
            ImpedanceCount = normalizer.ImpedanceCount,
            SkippedRows = log.SkippedRows,
        };
    }

    /// <summary>The reader for a file: the named one, or the best probe score.</summary>
    public static CyclerReader Select(FileHead head, IngestOptions options, string displayName)
    {
        if (!string.Equals(options.Format, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return ReaderRegistry.Find(options.Format, options)
                ?? throw new IngestException(new IngestProblem(ProblemSeverity.Error, ProblemCodes.Unsupported, displayName, 0, "format",
                    $"unknown format '{options.Format}'; known: {string.Join(", ", ReaderRegistry.All(options).Select(r => r.Name))}"));
        }

        CyclerReader? best = null;
        var bestScore = 0;
        foreach (var r in ReaderRegistry.All(options))
        {
            var score = r.Probe(head);
            if (score > bestScore)
            {
                best = r;
                bestScore = score;
            }
        }

        return best ?? throw new IngestException(new IngestProblem(ProblemSeverity.Error, ProblemCodes.Unrecognized, displayName, 1, null, DescribeUnrecognized(head, options)));
    }

    /// <summary>The reader auto-detection would pick when a given format's own probe does not recognize the file; else null.</summary>
    private static CyclerReader? Misnamed(FileHead head, CyclerReader forced, IngestOptions options)
    {
        if (string.Equals(options.Format, "auto", StringComparison.OrdinalIgnoreCase) || forced.Probe(head) > 0)
        {
            return null;
        }

        CyclerReader? best = null;
        var bestScore = 0;
        foreach (var r in ReaderRegistry.All(options))
        {
            var score = r.Probe(head);
            if (score > bestScore)
            {
                (best, bestScore) = (r, score);
            }
        }

        return best is null || best.Name == forced.Name ? null : best;
    }

    private static string DescribeUnrecognized(FileHead head, IngestOptions options)
    {
        var text = new StringBuilder();
        var printable = head.Bytes.Take(512).Count(b => b is >= 0x20 and < 0x7F or (byte)'\t' or (byte)'\r' or (byte)'\n');
        if (printable < Math.Min(512, head.Bytes.Length) * 0.9)
        {
            text.Append($"binary file starting {Convert.ToHexString(head.Bytes.AsSpan(0, Math.Min(16, head.Bytes.Length)))} ('{Sanitize(Encoding.Latin1.GetString(head.Bytes, 0, Math.Min(16, head.Bytes.Length)))}')");
        }
        else
        {
            var first = head.Lines.FirstOrDefault(l => l.Trim().Length > 0) ?? string.Empty;
            var delimiter = new[] { '\t', ';', ',' }.OrderByDescending(d => first.Count(c => c == d)).First();
            var columns = first.Split(delimiter);
            text.Append(columns.Length > 2
                ? $"a text table with {columns.Length} columns ({string.Join(", ", columns.Take(8).Select(c => $"'{Sanitize(c.Trim())}'"))}{(columns.Length > 8 ? ", ..." : string.Empty)})"
                : $"text whose first line is '{Sanitize(first.Length > 80 ? first[..80] : first)}'");
        }

        text.Append("; expected one of: ");
        text.Append(string.Join("; ", ReaderRegistry.All(options).Where(r => r is not UnsupportedReader).Select(r => $"{r.Name} ({r.Description})")));
        text.Append(". For another CSV layout pass a column-mapping file (--mapping), see docs/ingest.md");
        return "unrecognized format: found " + text;
    }

    private static string Sanitize(string s) => new(s.Select(c => char.IsControl(c) ? '.' : c).ToArray());

    private static string HashWhole(Stream stream, long origin)
    {
        stream.Position = origin;
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>
/// Hashes what a sequential reader reads, on a second thread (SHA-256 is a tenth of a CSV parse); notices seeks so
/// the caller can hash separately. At most <see cref="Pending"/> copied reads wait for the hasher.
/// </summary>
internal sealed class HashingStream(Stream inner, bool enabled) : Stream
{
    private const int Pending = 4;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly BlockingCollection<(byte[] Buffer, int Length)> _queue = new(Pending);
    private Task? _hasher;
    private long _hashed;

    public bool Seeked { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set
        {
            if (value != inner.Position)
            {
                Seeked = true;
            }

            inner.Position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var position = inner.CanSeek ? inner.Position : _hashed;
        var n = inner.Read(buffer);
        if (!Seeked && position == _hashed)
        {
            if (n > 0 && enabled)
            {
                var copy = ArrayPool<byte>.Shared.Rent(n);
                buffer[..n].CopyTo(copy);
                _hasher ??= Task.Factory.StartNew(HashQueued, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                _queue.Add((copy, n));
            }

            _hashed += n;
        }
        else
        {
            Seeked = true;
        }

        return n;
    }

    /// <summary>Hash of the whole file: what was read, plus any unread remainder.</summary>
    public string Finish(Stream original)
    {
        Drain();
        if (original.CanSeek && _hashed < original.Length)
        {
            original.Position = _hashed;
            var buffer = new byte[1 << 16];
            int n;
            while ((n = original.Read(buffer)) > 0)
            {
                _hash.AppendData(buffer.AsSpan(0, n));
            }
        }

        return Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Seeked = true;
        return inner.Seek(offset, origin);
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Drain();
            _queue.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void HashQueued()
    {
        foreach (var (buffer, length) in _queue.GetConsumingEnumerable())
        {
            _hash.AppendData(buffer.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Waits until every queued read is hashed (and the hasher has stopped).</summary>
    private void Drain()
    {
        if (!_queue.IsAddingCompleted)
        {
            _queue.CompleteAdding();
        }

        _hasher?.GetAwaiter().GetResult();
    }
}
