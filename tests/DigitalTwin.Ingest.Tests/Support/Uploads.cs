// Client-side helpers: send a file through UploadFile in chunks, and read a source back through ReadSamples.
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Rpc;
using Google.Protobuf;
using Proto = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Ingest.Tests.Support;

public static class Uploads
{
    public static async Task<UploadFileResponse> UploadAsync(TelemetryServiceClient client, string path, FileMetadata? metadata = null, CallOptions? options = null, int chunkBytes = 1 << 20, ulong? sizeBytes = null)
    {
        using var call = client.UploadFile(options ?? IngestServer.WithKey);
        var meta = metadata ?? new FileMetadata();
        if (string.IsNullOrEmpty(meta.FileName))
        {
            meta.FileName = Path.GetFileName(path);
        }

        // The size lets the service parse while the bytes are still arriving.
        meta.SizeBytes = sizeBytes ?? (ulong)new FileInfo(path).Length;

        try
        {
            await call.RequestStream.WriteAsync(new UploadFileRequest { Metadata = meta });
            await using var file = File.OpenRead(path);
            var buffer = new byte[chunkBytes];
            var offset = 0UL;
            int n;
            while ((n = await file.ReadAsync(buffer)) > 0)
            {
                await call.RequestStream.WriteAsync(new UploadFileRequest { Chunk = new FileChunk { Offset = offset, Data = ByteString.CopyFrom(buffer, 0, n) } });
                offset += (ulong)n;
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server ended the call early (e.g. UNAUTHENTICATED): its status is in the response, as with grpc-dotnet.
            await Within.Await(call.ResponseAsync, $"the status that ended the upload of {Path.GetFileName(path)}");
            throw;
        }

        return await Within.Await(call.ResponseAsync, $"the UploadFile response for {Path.GetFileName(path)}");
    }

    /// <summary>All stored samples of a source, in the order ReadSamples streams them.</summary>
    public static async Task<List<Proto.SampleBatch>> ReadAsync(TelemetryServiceClient client, string sourceId, ulong afterSequence = 0)
    {
        using var call = client.ReadSamples(new ReadSamplesRequest { SourceId = sourceId, AfterSequence = afterSequence });
        var batches = new List<Proto.SampleBatch>();
        while (await Within.Await(call.ResponseStream.MoveNext(CancellationToken.None), $"the next ReadSamples batch of {sourceId}"))
        {
            batches.Add(call.ResponseStream.Current.Batch);
        }

        return batches;
    }

    public static List<ulong> Sequences(IEnumerable<Proto.SampleBatch> batches) => batches.SelectMany(b => b.Sequence).ToList();
}
