// One file upload, whatever the transport: spool (hashed) -> detect and parse on a worker thread, each batch of
// normalized samples written to the log as an uncommitted upload -> spectra, cycles and provenance attached ->
// one commit, acknowledged once durable. A rejected file is never committed, so nothing of it becomes visible.
using System.Collections.Concurrent;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Telemetry;
using DigitalTwin.Telemetry.Log;
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
    private const int CyclesPerAttachment = 256;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _sourceLocks = new(StringComparer.Ordinal);

    public string SpoolDirectory => Path.Combine(options.DataDirectory, "spool");

    /// <summary>
    /// Receives a file through <paramref name="receive"/> (the transport's loop, writing into the spool), parses it into
    /// the log and commits it; throws <see cref="UploadRejectedException"/> when refused. With the final size known in
    /// advance (<paramref name="declaredLength"/> &gt; 0) parsing runs while the bytes are still arriving.
    /// </summary>
    public async Task<UploadFileResponse> IngestAsync(FileMetadata meta, long declaredLength, Func<SpooledUpload, Task> receive, CancellationToken cancellationToken)
    {
        using var file = SpooledUpload.Create(SpoolDirectory, options.MaxUploadBytes);
        var receiving = ReceiveAsync(file, receive);
        if (declaredLength <= 0)
        {
            await receiving.ConfigureAwait(false);
        }

        var fileName = string.IsNullOrWhiteSpace(meta.FileName) ? "upload" : Path.GetFileName(meta.FileName);
        var parseOptions = new IngestOptions
        {
            Format = string.IsNullOrEmpty(meta.Format) ? "auto" : meta.Format.Replace('_', '-'),
            TimeZone = string.IsNullOrEmpty(meta.TimeZone) ? options.DefaultTimeZone : meta.TimeZone,
            BadRows = Policy(meta.ErrorPolicy),
            CellId = string.IsNullOrEmpty(meta.CellId) ? null : meta.CellId,
            ComputeSha256 = false, // the spool hashes the bytes as they arrive
        };

        string? mapping = null;
        try
        {
            if (meta.ColumnMapping.Length > 0)
            {
                mapping = Path.Combine(SpoolDirectory, $"mapping-{Guid.NewGuid():N}.json");
                await File.WriteAllBytesAsync(mapping, meta.ColumnMapping.ToByteArray(), cancellationToken).ConfigureAwait(false);
                parseOptions = parseOptions with { MappingFile = mapping };
            }

            // Rows already stored are not written again when the source is known before the content is hashed.
            var known = !string.IsNullOrEmpty(meta.SourceId) ? meta.SourceId : meta.Sha256.Length == 64 ? "file:" + meta.Sha256.ToLowerInvariant() : null;
            var upload = log.BeginUpload(known is null ? 0 : log.GetSource(known)?.LastDurableSequence ?? 0);
            var sink = new UploadSink(upload);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            ParseResult result;
            try
            {
                result = await Task.Factory.StartNew(
                    () =>
                    {
                        using var stream = file.OpenRead(declaredLength > 0 ? declaredLength : file.Length);
                        return TelemetryParser.Parse(stream, fileName, sink, parseOptions);
                    },
                    cancellationToken,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Stop the transport; if it failed first, its error is the real one.
                file.Fail(e);
                await ObserveAsync(receiving, rethrowTransportFailure: true).ConfigureAwait(false);
                if (e is IngestException rejected)
                {
                    var diagnostics = rejected.Problems.Where(p => p.Severity == ProblemSeverity.Error).Concat(rejected.Problems.Where(p => p.Severity != ProblemSeverity.Error))
                        .Take(MaxResponseDiagnostics).Select(Conversions.ToDiagnostic).ToList();
                    throw new UploadRejectedException(rejected.Message, diagnostics, null);
                }

                throw;
            }

            await receiving.ConfigureAwait(false);
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
            var provenance = result.Provenance with { Sha256 = file.Sha256 };
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
                foreach (var c in result.Cycles.Skip(first).Take(CyclesPerAttachment))
                {
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
        finally
        {
            file.Fail(new OperationCanceledException("the upload is over"));
            await ObserveAsync(receiving, rethrowTransportFailure: false).ConfigureAwait(false);
            if (mapping is not null)
            {
                File.Delete(mapping);
            }
        }
    }

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

    public BadRowPolicy Policy(ErrorPolicy policy) => policy switch
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
