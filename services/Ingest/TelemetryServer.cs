// digitaltwin.telemetry.v1.TelemetryService over the durable log: live batches and file uploads in (API key,
// acknowledged once durable, idempotent by source and sequence), samples, spectra, cycles and a live feed out.
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Telemetry;
using DigitalTwin.Telemetry.Log;
using DigitalTwin.Telemetry.Readers;
using Proto = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Services.Ingest;

internal sealed class TelemetryServer(TelemetryLog log, FileIngestor files, ApiKeyGuard keys) : TelemetryServiceBase
{
    private const int DefaultBatchRows = 8192;
    private const int MaxAckDiagnostics = 100;
    private const int InFlight = 8;

    public override async Task<IngestSamplesResponse> IngestSamples(IAsyncStreamReader<IngestSamplesRequest> requestStream, ServerCallContext context)
    {
        keys.Demand(context);
        var acks = new Dictionary<string, IngestAck>(StringComparer.Ordinal);
        var pending = new Queue<(IngestAck Ack, int Rejected, Task<AppendResult> Durable)>();
        var columns = new SampleColumns(DefaultBatchRows);
        var batchNumber = 0;
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var batch = requestStream.Current.Batch ?? new Proto.SampleBatch();
            batchNumber++;
            var ack = AckFor(acks, batch);
            var (rejected, durable) = await SubmitAsync(batch, columns, ack, $"batch {batchNumber} of source '{batch.SourceId}'", context.CancellationToken).ConfigureAwait(false);
            pending.Enqueue((ack, rejected, durable));
            while (pending.Count > InFlight || (pending.Count > 0 && pending.Peek().Durable.IsCompleted))
            {
                var done = pending.Dequeue();
                Account(done, await done.Durable.ConfigureAwait(false));
            }
        }

        while (pending.Count > 0)
        {
            var entry = pending.Dequeue();
            Account(entry, await entry.Durable.ConfigureAwait(false));
        }

        var response = new IngestSamplesResponse();
        response.Acks.AddRange(acks.Values);
        return response;
    }

    public override async Task StreamSamples(IAsyncStreamReader<StreamSamplesRequest> requestStream, IServerStreamWriter<StreamSamplesResponse> responseStream, ServerCallContext context)
    {
        keys.Demand(context);
        var columns = new SampleColumns(DefaultBatchRows);
        var pending = System.Threading.Channels.Channel.CreateBounded<(IngestAck Ack, int Rejected, Task<AppendResult> Durable)>(InFlight);
        var writer = Task.Run(
            async () =>
            {
                await foreach (var entry in pending.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
                {
                    var result = await entry.Durable.ConfigureAwait(false);
                    Account(entry, result);
                    await responseStream.WriteAsync(new StreamSamplesResponse { Ack = entry.Ack }, context.CancellationToken).ConfigureAwait(false);
                }
            },
            context.CancellationToken);
        var batchNumber = 0;
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                var batch = requestStream.Current.Batch ?? new Proto.SampleBatch();
                batchNumber++;
                var ack = new IngestAck { SourceId = batch.SourceId, CellId = batch.CellId };
                var (rejected, durable) = await SubmitAsync(batch, columns, ack, $"batch {batchNumber} of source '{batch.SourceId}'", context.CancellationToken).ConfigureAwait(false);
                await pending.Writer.WriteAsync((ack, rejected, durable), context.CancellationToken).ConfigureAwait(false);
                if (writer.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            pending.Writer.TryComplete();
        }

        await writer.ConfigureAwait(false);
    }

    public override async Task<UploadFileResponse> UploadFile(IAsyncStreamReader<UploadFileRequest> requestStream, ServerCallContext context)
    {
        keys.Demand(context);
        var cancel = context.CancellationToken;
        if (!await requestStream.MoveNext(cancel).ConfigureAwait(false) || requestStream.Current.PartCase != UploadFileRequest.PartOneofCase.Metadata)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first UploadFile message must carry the file's metadata"));
        }

        var meta = requestStream.Current.Metadata;
        try
        {
            // Parsed while the chunks arrive (the spool is the pipe between them); the declared size is checked at the end.
            return await files.IngestAsync(meta, 0, ReceiveChunksAsync, cancel).ConfigureAwait(false);
        }
        catch (UploadRejectedException e)
        {
            throw new RpcException(new Status(e.TooLarge ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument, Describe(e)));
        }
        catch (LogFaultedException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }

        async Task ReceiveChunksAsync(SpooledUpload spool)
        {
            var expected = 0UL;
            while (await requestStream.MoveNext(cancel).ConfigureAwait(false))
            {
                var part = requestStream.Current;
                if (part.PartCase != UploadFileRequest.PartOneofCase.Chunk)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "only the first UploadFile message may carry metadata; later messages carry chunks"));
                }

                if (part.Chunk.Offset != expected)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"chunk at offset {part.Chunk.Offset} does not follow the previous chunk, which ended at byte {expected}"));
                }

                spool.Write(part.Chunk.Data.Span);
                expected += (ulong)part.Chunk.Data.Length;
            }
        }
    }

    public override Task<GetSourceStatusResponse> GetSourceStatus(GetSourceStatusRequest request, ServerCallContext context)
    {
        keys.DemandForRead(context);
        var status = log.GetSource(request.SourceId);
        var response = new GetSourceStatusResponse { SourceId = request.SourceId };
        if (status is not null)
        {
            response.CellId = status.CellId;
            response.LastDurableSequence = status.LastDurableSequence;
            response.Samples = (ulong)status.Samples;
            if (status.LastSampleTimeNs != SampleColumns.NoTime)
            {
                response.LastSampleTime = Conversions.FromUnixNs(status.LastSampleTimeNs);
            }
        }

        return Task.FromResult(response);
    }

    public override async Task ReadSamples(ReadSamplesRequest request, IServerStreamWriter<ReadSamplesResponse> responseStream, ServerCallContext context)
    {
        keys.DemandForRead(context);
        IReadOnlyList<SourceStatus> sources = request.SelectorCase switch
        {
            ReadSamplesRequest.SelectorOneofCase.SourceId => log.GetSource(request.SourceId) is { } one ? [one] : [],
            ReadSamplesRequest.SelectorOneofCase.CellId => log.Sources(request.CellId),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "ReadSamples needs a cell_id or a source_id")),
        };
        if (request.AfterSequence != 0 && request.SelectorCase != ReadSamplesRequest.SelectorOneofCase.SourceId)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "after_sequence applies to one source: select it with source_id"));
        }

        var (from, to) = Range(request.Range);
        var maxRows = request.MaxBatchRows == 0 ? DefaultBatchRows : (int)Math.Min(request.MaxBatchRows, 1_000_000);
        var reuse = new SampleColumns(DefaultBatchRows);
        foreach (var source in sources)
        {
            foreach (var batch in log.ReadSource(source.SourceId, request.AfterSequence, reuse))
            {
                var c = batch.Samples;
                if (from != long.MinValue || to != long.MaxValue)
                {
                    Filter(c, from, to);
                }

                for (var start = 0; start < c.Count; start += maxRows)
                {
                    var message = new ReadSamplesResponse { Batch = Conversions.ToBatch(batch.Source, c, start, Math.Min(maxRows, c.Count - start)) };
                    await responseStream.WriteAsync(message, context.CancellationToken).ConfigureAwait(false);
                }
            }

            if (request.IncludeSpectra)
            {
                foreach (var (_, _, data) in log.ReadAttachments(source.SourceId, FileIngestor.SpectrumKind))
                {
                    var spectrum = Proto.ImpedanceSpectrum.Parser.ParseFrom(data);
                    if (spectrum.Time is null || InRange(Conversions.ToUnixNs(spectrum.Time), from, to))
                    {
                        await responseStream.WriteAsync(new ReadSamplesResponse { Spectrum = spectrum }, context.CancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<SubscribeResponse> responseStream, ServerCallContext context)
    {
        keys.DemandForRead(context);
        Func<SampleSource, bool>? filter = string.IsNullOrEmpty(request.CellId) ? null : s => s.CellId == request.CellId;
        SubscribeResponse? held = null;
        var cancel = context.CancellationToken;
        try
        {
            await foreach (var item in log.SubscribeAsync((long)Math.Min(request.AfterPosition, long.MaxValue), request.Follow, filter, cancel).ConfigureAwait(false))
            {
                if (item.Samples is { } c)
                {
                    for (var start = 0; start < c.Count; start += DefaultBatchRows)
                    {
                        held = await Send(held, new SubscribeResponse { Position = (ulong)item.Position, Batch = Conversions.ToBatch(item.Source, c, start, Math.Min(DefaultBatchRows, c.Count - start)) }).ConfigureAwait(false);
                    }
                }
                else if (request.IncludeSpectra && item.AttachmentKind == FileIngestor.SpectrumKind)
                {
                    held = await Send(held, new SubscribeResponse { Position = (ulong)item.Position, Spectrum = Proto.ImpedanceSpectrum.Parser.ParseFrom(item.Attachment) }).ConfigureAwait(false);
                }

                if (item.LastOfPosition && held is not null && held.Position == (ulong)item.Position)
                {
                    held.PositionComplete = true;
                    await responseStream.WriteAsync(held, cancel).ConfigureAwait(false);
                    held = null;
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return;
        }

        if (held is not null)
        {
            await responseStream.WriteAsync(held, cancel).ConfigureAwait(false);
        }

        async Task<SubscribeResponse> Send(SubscribeResponse? previous, SubscribeResponse next)
        {
            if (previous is not null)
            {
                await responseStream.WriteAsync(previous, cancel).ConfigureAwait(false);
            }

            return next;
        }
    }

    public override Task<ListCyclesResponse> ListCycles(ListCyclesRequest request, ServerCallContext context)
    {
        keys.DemandForRead(context);
        if (string.IsNullOrEmpty(request.CellId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "ListCycles needs a cell_id"));
        }

        var (from, to) = Range(request.Range);
        var response = new ListCyclesResponse();
        foreach (var source in log.Sources(request.CellId))
        {
            // A file's summaries, in the chunks its latest upload stored; a live source's, from its samples.
            var stored = log.ReadAttachments(source.SourceId, FileIngestor.CyclesKind);
            var cycles = stored.Count > 0
                ? stored.Where(a => a.Position == stored[^1].Position).SelectMany(a => ListCyclesResponse.Parser.ParseFrom(a.Data).Cycles).ToList()
                : Summarize(source);
            foreach (var c in cycles)
            {
                if (c.StartTime is not null && !InRange(Conversions.ToUnixNs(c.StartTime), from, to))
                {
                    continue;
                }

                if (!request.IncludeDqdv)
                {
                    c.DqdvVoltage.Clear();
                    c.Dqdv.Clear();
                }

                response.Cycles.Add(c);
            }
        }

        return Task.FromResult(response);
    }

    public override Task<ListFormatsResponse> ListFormats(ListFormatsRequest request, ServerCallContext context)
    {
        var response = new ListFormatsResponse();
        foreach (var reader in ReaderRegistry.All(IngestOptions.Default))
        {
            var info = FormatCatalog.Describe(reader);
            if (info is not null)
            {
                response.Formats.Add(info);
            }
        }

        return Task.FromResult(response);
    }

    internal static string Describe(UploadRejectedException e)
    {
        var lines = e.Diagnostics.Take(50).Select(d => $"{d.Source}{(d.Line > 0 ? ":" + d.Line : string.Empty)}{(d.Field.Length > 0 ? $" [{d.Field}]" : string.Empty)}: {d.Code}: {d.Message}");
        return e.Diagnostics.Count == 0 ? e.Message : string.Join("\n", lines) + (e.Diagnostics.Count > 50 ? $"\n... and {e.Diagnostics.Count - 50} more" : string.Empty);
    }

    /// <summary>Validates a batch, queues its valid rows in the log (in call order) and returns the durability task.</summary>
    private async Task<(int Rejected, Task<AppendResult> Durable)> SubmitAsync(Proto.SampleBatch batch, SampleColumns columns, IngestAck ack, string where, CancellationToken cancellationToken)
    {
        var diagnostics = new List<Proto.Diagnostic>();
        var rejected = Conversions.FromBatch(batch, columns, diagnostics, where);
        foreach (var d in diagnostics)
        {
            if (ack.Diagnostics.Count < MaxAckDiagnostics)
            {
                ack.Diagnostics.Add(d);
            }
        }

        if (columns.Count == 0)
        {
            var durable = string.IsNullOrEmpty(batch.SourceId) ? 0 : log.GetSource(batch.SourceId)?.LastDurableSequence ?? 0;
            return (rejected, Task.FromResult(new AppendResult(0, durable, 0, 0)));
        }

        try
        {
            var task = await log.SubmitAsync(new SampleSource(batch.SourceId, batch.CellId, batch.SourceFile), columns, cancellationToken).ConfigureAwait(false);
            return (rejected, task);
        }
        catch (LogFaultedException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
    }

    private static IngestAck AckFor(Dictionary<string, IngestAck> acks, Proto.SampleBatch batch)
    {
        if (!acks.TryGetValue(batch.SourceId, out var ack))
        {
            ack = new IngestAck { SourceId = batch.SourceId, CellId = batch.CellId };
            acks.Add(batch.SourceId, ack);
        }

        return ack;
    }

    private static void Account((IngestAck Ack, int Rejected, Task<AppendResult> Durable) entry, AppendResult result)
    {
        var ack = entry.Ack;
        ack.LastDurableSequence = Math.Max(ack.LastDurableSequence, result.LastDurableSequence);
        ack.Accepted += (ulong)result.Accepted;
        ack.Duplicates += (ulong)result.Duplicates;
        ack.Rejected += (ulong)entry.Rejected;
    }

    private List<Proto.CycleSummary> Summarize(SourceStatus source)
    {
        var builder = new CycleSummaryBuilder();
        var clock = new CycleClock();
        foreach (var batch in log.ReadSource(source.SourceId))
        {
            for (var i = 0; i < batch.Samples.Count; i++)
            {
                var s = batch.Samples.ToSample(i);
                builder.Add(s);
                clock.Observe(s);
            }
        }

        return builder.Finish().Select(c =>
        {
            var (start, end) = clock.TimesOf(c);
            return Conversions.ToCycle(source.CellId, c, start, end, includeDqdv: true);
        }).ToList();
    }

    private static (long From, long To) Range(Proto.TimeRange? range) =>
        (range?.Start is { } s ? Conversions.ToUnixNs(s) : long.MinValue, range?.End is { } e ? Conversions.ToUnixNs(e) : long.MaxValue);

    private static bool InRange(long t, long from, long to) => t >= from && t < to;

    /// <summary>Keeps the rows whose clock falls in [from, to); rows without a clock are dropped when a range is asked for.</summary>
    private static void Filter(SampleColumns c, long from, long to)
    {
        if (!c.Has(SampleFields.TimeUnixNs))
        {
            c.Count = 0;
            return;
        }

        var first = 0;
        while (first < c.Count && !InRange(c.TimeUnixNs[first], from, to))
        {
            first++;
        }

        var end = first;
        while (end < c.Count && InRange(c.TimeUnixNs[end], from, to))
        {
            end++;
        }

        c.Slice(first, end - first);
    }
}
