// One file upload, whatever the transport: spool (hashed) -> detect and parse on a worker thread while the bytes still
// arrive, each batch of normalized samples written to the log as an uncommitted upload -> spectra, cycles and
// provenance attached -> one commit, acknowledged once durable. A rejected file is never committed, so nothing of it
// becomes visible.
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Telemetry;
using DigitalTwin.Telemetry.Log;
using DigitalTwin.Telemetry.Readers;
using Google.Protobuf;
using Proto = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Services.Ingest;

/// <summary>The upload was refused; every problem found is listed.</summary>
internal sealed class UploadRejectedException(string message, IReadOnlyList<Proto.Diagnostic> diagnostics, string? detectedFormat, bool tooLarge = false)
    : Exception(message)
{
    public IReadOnlyList<Proto.Diagnostic> Diagnostics { get; } = diagnostics;

    public string? DetectedFormat { get; } = detectedFormat;

    public bool TooLarge { get; } = tooLarge;
}

internal sealed class FileIngestor(TelemetryLog log, IngestServiceOptions options)
{
    public const string SpectrumKind = "spectrum";
    public const string CyclesKind = "cycles";
    public const string UploadKind = "upload";
    private const int MaxResponseDiagnostics = 200;
    // 16 summaries with dQ/dV serialize to < 85 kB: small-object heap, so the garbage of a file of many thousand
    // cycles is collected young instead of piling up on the large-object heap until a full collection.
    private const int CyclesPerAttachment = 16;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _sourceLocks = new(StringComparer.Ordinal);

    public string SpoolDirectory => Path.Combine(options.DataDirectory, "spool");

    /// <summary>
    /// Receives a file through <paramref name="receive"/> (the transport's loop, writing into the spool), parses it into
    /// the log while it arrives and commits it; throws <see cref="UploadRejectedException"/> when refused.
    /// <paramref name="declaredLength"/> &gt; 0 is the size the transport announced. With
    /// <paramref name="settingsMayFollow"/> (multipart) fields may still change <paramref name="meta"/> after the file's
    /// bytes began: the parse then starts with the fields seen so far and runs again if a later field changed them.
    /// </summary>
    public async Task<UploadFileResponse> IngestAsync(FileMetadata meta, long declaredLength, Func<SpooledUpload, Task> receive, CancellationToken cancellationToken, bool settingsMayFollow = false)
    {
        using var file = SpooledUpload.Create(SpoolDirectory, options.MaxUploadBytes);
        var receiving = ReceiveAsync(file, receive);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            ParseAttempt attempt;
            var used = new StrongBox<ParseSettings?>();
            try
            {
                attempt = await ParseAsync(file, meta, declaredLength, used, cancellationToken).ConfigureAwait(false);
            }
            catch (IngestException e) when (settingsMayFollow && !receiving.IsFaulted)
            {
                // A field after the file part may change how it parses: decide once everything is in.
                await receiving.ConfigureAwait(false);
                if (used.Value == ParseSettings.Of(meta, options))
                {
                    throw Refused(e);
                }

                attempt = await ParseAsync(file, meta, file.Length, used, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Stop the transport; if it failed first, its error is the real one.
                file.Fail(e);
                await ObserveAsync(receiving, rethrowTransportFailure: true).ConfigureAwait(false);
                if (e is IngestException)
                {
                    throw Refused(e);
                }

                throw;
            }

            await receiving.ConfigureAwait(false);
            if (attempt.Settings != ParseSettings.Of(meta, options))
            {
                // A field that arrived after the file part changed the settings: the first parse is never committed.
                attempt = await ParseAsync(file, meta, file.Length, used, cancellationToken).ConfigureAwait(false);
            }

            return await FinishAsync(file, meta, declaredLength, attempt, clock, cancellationToken).ConfigureAwait(false);
        }
        catch (IngestException e)
        {
            throw Refused(e);
        }
        finally
        {
            file.Fail(new OperationCanceledException("the upload is over"));
            await ObserveAsync(receiving, rethrowTransportFailure: false).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Parses the spool on a worker thread into a new (uncommitted) upload of the log, starting as soon as the file's
    /// first bytes are in: a text format is read while it arrives, a binary container once it is complete.
    /// </summary>
    private async Task<ParseAttempt> ParseAsync(SpooledUpload file, FileMetadata meta, long declaredLength, StrongBox<ParseSettings?> used, CancellationToken cancellationToken)
    {
        return await Task.Factory.StartNew(
            () =>
            {
                var length = declaredLength > 0 ? declaredLength : file.WaitForHead(FileHead.Size);

                // The fields that came before the file's bytes are all there now (the spool's lock orders them).
                var settings = ParseSettings.Of(meta, options);
                used.Value = settings;
                string? mapping = null;
                try
                {
                    var parseOptions = settings.ToOptions() with { ParseThreads = Math.Max(1, options.ParseThreads) };
                    if (settings.Mapping.Length > 0)
                    {
                        mapping = Path.Combine(SpoolDirectory, $"mapping-{Guid.NewGuid():N}.json");
                        File.WriteAllBytes(mapping, settings.Mapping.ToByteArray());
                        parseOptions = parseOptions with { MappingFile = mapping };
                    }

                    length ??= StreamingLength(file, settings.FileName, parseOptions);

                    // Rows already stored are not written again when the source is known before the content is hashed.
                    var upload = log.BeginUpload(settings.KnownSource is { } known ? log.GetSource(known)?.LastDurableSequence ?? 0 : 0);
                    var sink = new UploadSink(upload);
                    using var stream = file.OpenRead(length.Value);
                    var result = TelemetryParser.Parse(stream, settings.FileName, sink, parseOptions);
                    return new ParseAttempt(settings, upload, sink, result);
                }
                finally
                {
                    if (mapping is not null)
                    {
                        File.Delete(mapping);
                    }
                }
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>
    /// The length a reader is given while the size is still unknown: for a format read front to back an upper bound
    /// (reads end where the bytes end); a binary container waits for the whole file.
    /// </summary>
    private long StreamingLength(SpooledUpload file, string fileName, IngestOptions parseOptions)
    {
        var head = new byte[FileHead.Size];
        using (var stream = file.OpenRead(head.Length))
        {
            stream.ReadExactly(head);
        }

        try
        {
            var reader = TelemetryParser.Select(new FileHead(Path.GetFileName(fileName), head, options.MaxUploadBytes), parseOptions, fileName);
            if (reader.ReadsSequentially)
            {
                return options.MaxUploadBytes;
            }
        }
        catch (IngestException)
        {
            // Not recognized from the raw head (UTF-16, say): the parse decides once the file is complete.
        }

        return file.WaitForComplete();
    }

    private async Task<UploadFileResponse> FinishAsync(SpooledUpload file, FileMetadata meta, long declaredLength, ParseAttempt attempt, System.Diagnostics.Stopwatch clock, CancellationToken cancellationToken)
    {
        var (settings, upload, sink, result) = attempt;
        var fileName = settings.FileName;
        var parseSeconds = clock.Elapsed.TotalSeconds;
        if (!string.IsNullOrEmpty(meta.Sha256) && !string.Equals(meta.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw Rejected(fileName, "sha256_mismatch", $"the content's SHA-256 is {file.Sha256}, the upload declared {meta.Sha256}: the file was changed or cut in transit", "sha256");
        }

        if ((meta.SizeBytes != 0 && meta.SizeBytes != (ulong)file.Length) || (declaredLength > 0 && declaredLength != file.Length))
        {
            throw Rejected(fileName, "size_mismatch", $"{file.Length} bytes arrived, the upload declared {Math.Max((long)meta.SizeBytes, declaredLength)}", "size_bytes");
        }

        var sourceId = string.IsNullOrEmpty(meta.SourceId) ? "file:" + file.Sha256 : meta.SourceId;
        var provenance = result.Provenance with { Sha256 = file.Sha256, Bytes = file.Length };
        var source = new SampleSource(sourceId, provenance.CellId, provenance.SourceFile);
        var spectra = Conversions.ToSpectra(source, sink.Impedance);
        foreach (var spectrum in spectra)
        {
            await upload.AttachAsync(SpectrumKind, Conversions.Bytes(spectrum), cancellationToken).ConfigureAwait(false);
        }

        // Cycle summaries in chunks, so a file of many thousand cycles is never held twice in memory.
        for (var first = 0; first < result.Cycles.Count || first == 0; first += CyclesPerAttachment)
        {
            var cycles = new ListCyclesResponse();
            for (var k = first; k < Math.Min(result.Cycles.Count, first + CyclesPerAttachment); k++)
            {
                var c = result.Cycles[k];
                var (start, end) = sink.Clock.TimesOf(c);
                cycles.Cycles.Add(Conversions.ToCycle(provenance.CellId, c, start, end, includeDqdv: true));
            }

            await upload.AttachAsync(CyclesKind, Conversions.Bytes(cycles), cancellationToken).ConfigureAwait(false);
        }

        var response = new UploadFileResponse
        {
            DetectedFormat = provenance.Reader,
            Sha256 = file.Sha256,
            RowsRead = (ulong)(result.SampleCount + result.SkippedRows),
            Cycles = (uint)result.Cycles.Count,
            Spectra = (uint)spectra.Count,
            Provenance = Conversions.ToProvenance(provenance, int.MaxValue),
        };
        await upload.AttachAsync(UploadKind, Conversions.Bytes(response), cancellationToken).ConfigureAwait(false);

        // One commit per source at a time: a concurrent upload of the same file then finds every row stored.
        var gate = _sourceLocks.GetOrAdd(sourceId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        AppendResult committed;
        try
        {
            committed = await upload.CommitAsync(source, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        response.Provenance = Conversions.ToProvenance(provenance, MaxResponseDiagnostics);
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        response.Provenance.Attributes["timing.receive_s"] = file.ReceiveTime.TotalSeconds.ToString("0.###", invariant);
        response.Provenance.Attributes["timing.parse_s"] = parseSeconds.ToString("0.###", invariant);
        response.Provenance.Attributes["timing.commit_s"] = (clock.Elapsed.TotalSeconds - parseSeconds).ToString("0.###", invariant);
        var ack = new IngestAck
        {
            SourceId = sourceId,
            CellId = provenance.CellId,
            LastDurableSequence = committed.LastDurableSequence,
            Accepted = (ulong)committed.Accepted,
            Duplicates = (ulong)committed.Duplicates,
            Rejected = (ulong)result.SkippedRows,
        };
        ack.Diagnostics.AddRange(provenance.Warnings.Take(MaxResponseDiagnostics).Select(Conversions.ToDiagnostic));
        response.Acks.Add(ack);
        return response;
    }

    /// <summary>A rejected file as the transport's refusal, errors first.</summary>
    private static UploadRejectedException Refused(Exception e)
    {
        var rejected = (IngestException)e;
        var diagnostics = rejected.Problems.Where(p => p.Severity == ProblemSeverity.Error).Concat(rejected.Problems.Where(p => p.Severity != ProblemSeverity.Error))
            .Take(MaxResponseDiagnostics).Select(Conversions.ToDiagnostic).ToList();
        return new UploadRejectedException(rejected.Message, diagnostics, null);
    }

    /// <summary>Everything that decides how an upload parses (and which rows need not be written again).</summary>
    private sealed record ParseSettings(string FileName, string Format, string? TimeZone, BadRowPolicy Policy, string? CellId, ByteString Mapping, string? KnownSource)
    {
        public static ParseSettings Of(FileMetadata meta, IngestServiceOptions options) => new(
            string.IsNullOrWhiteSpace(meta.FileName) ? "upload" : Path.GetFileName(meta.FileName),
            string.IsNullOrEmpty(meta.Format) ? "auto" : meta.Format.Replace('_', '-'),
            string.IsNullOrEmpty(meta.TimeZone) ? options.DefaultTimeZone : meta.TimeZone,
            PolicyOf(meta.ErrorPolicy, options),
            string.IsNullOrEmpty(meta.CellId) ? null : meta.CellId,
            meta.ColumnMapping,
            !string.IsNullOrEmpty(meta.SourceId) ? meta.SourceId : meta.Sha256.Length == 64 ? "file:" + meta.Sha256.ToLowerInvariant() : null);

        public IngestOptions ToOptions() => new()
        {
            Format = Format,
            TimeZone = TimeZone,
            BadRows = Policy,
            CellId = CellId,
            ComputeSha256 = false, // the spool hashes the bytes as they arrive
        };
    }

    /// <summary>One parse of the spool into an uncommitted upload, with the settings it used.</summary>
    private sealed record ParseAttempt(ParseSettings Settings, UploadWriter Upload, UploadSink Sink, ParseResult Result);

    private static async Task ReceiveAsync(SpooledUpload file, Func<SpooledUpload, Task> receive)
    {
        try
        {
            await receive(file).ConfigureAwait(false);
            file.Complete();
        }
        catch (Exception e)
        {
            file.Fail(e);
            throw;
        }
    }

    /// <summary>
    /// Waits for the transport to stop. A failure of its own (not the abandon signalled to it) is rethrown when asked:
    /// after a failed parse it is the real cause (the parse only saw the bytes stop).
    /// </summary>
    private static async Task ObserveAsync(Task receiving, bool rethrowTransportFailure)
    {
        try
        {
            await receiving.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception) when (!rethrowTransportFailure)
        {
        }
    }

    private static BadRowPolicy PolicyOf(ErrorPolicy policy, IngestServiceOptions options) => policy switch
    {
        ErrorPolicy.RejectFile => BadRowPolicy.RejectFile,
        ErrorPolicy.SkipRow => BadRowPolicy.SkipRowAndWarn,
        _ => string.Equals(options.DefaultPolicy, "reject", StringComparison.OrdinalIgnoreCase) ? BadRowPolicy.RejectFile : BadRowPolicy.SkipRowAndWarn,
    };

    private static UploadRejectedException Rejected(string file, string code, string message, string field) =>
        new(message, [Conversions.Diagnostic(Proto.Severity.Error, code, message, file, 0, field, null)], null);

    /// <summary>Hands each parsed batch to the upload as columns; keeps impedance points and the cycles' clock.</summary>
    private sealed class UploadSink(UploadWriter upload) : ISampleSink
    {
        private readonly SampleColumns _columns = new(8192);

        public List<ImpedancePoint> Impedance { get; } = [];

        public CycleClock Clock { get; } = new();

        public void OnSamples(ReadOnlySpan<Sample> samples)
        {
            Clock.Observe(samples);
            _columns.SetFrom(samples);
            upload.Append(_columns);
        }

        public void OnImpedance(ReadOnlySpan<ImpedancePoint> points)
        {
            foreach (var p in points)
            {
                Impedance.Add(p);
            }
        }
    }
}

/// <summary>
/// The UTC times of the first and last sample of every run of one cycle number, so per-cycle summaries (which carry
/// test time) get absolute start and end times. Memory: two entries per cycle.
/// </summary>
internal sealed class CycleClock
{
    private readonly Dictionary<long, long> _boundaries = [];
    private bool _any;
    private Sample _last;

    public void Observe(ReadOnlySpan<Sample> samples)
    {
        foreach (ref readonly var s in samples)
        {
            Observe(s);
        }
    }

    public void Observe(in Sample s)
    {
        if (!_any)
        {
            _boundaries[s.Sequence] = s.TimestampMicros;
        }
        else if (s.Cycle != _last.Cycle)
        {
            _boundaries[_last.Sequence] = _last.TimestampMicros;
            _boundaries[s.Sequence] = s.TimestampMicros;
        }

        _any = true;
        _last = s;
    }

    /// <summary>UTC start and end of a cycle [ns since the epoch]; NoTime when the file has no clock.</summary>
    public (long Start, long End) TimesOf(CycleSummary cycle)
    {
        var endSequence = cycle.FirstSequence + cycle.Samples - 1;
        var start = _boundaries.TryGetValue(cycle.FirstSequence, out var a) ? a : Sample.NoTimestamp;
        var end = _any && endSequence == _last.Sequence ? _last.TimestampMicros
            : _boundaries.TryGetValue(endSequence, out var b) ? b : Sample.NoTimestamp;
        return (ToNs(start), ToNs(end));
    }

    private static long ToNs(long micros) => micros == Sample.NoTimestamp ? SampleColumns.NoTime : micros * 1000;
}
