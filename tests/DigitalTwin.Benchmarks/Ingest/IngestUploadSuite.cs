// `ingest-upload` suite: only the service half of `ingest` (upload-to-durable rows/s over every entry point against
// pandas read_csv + to_pickle + fsync, and peak RSS of `twin parse` and the service on a 2 GB file), for quick repeats.
namespace DigitalTwin.Benchmarks.Ingest;

public sealed class IngestUploadSuite : IBenchmarkSuite
{
    public string Name => "ingest-upload";

    public string Description => "upload-to-durable rows/s through the Ingest service (gRPC file, HTTP raw, HTTP multipart, live) and peak RSS on a 2 GB file";

    public async Task<bool> RunAsync(BenchmarkContext context)
    {
        var dir = Path.Combine(context.ArtifactsDirectory, "ingest");
        Directory.CreateDirectory(dir);
        var (arbin, maccor) = IngestSuite.MillionRowFiles(dir);
        var ok = await UploadBench.RunAsync(context, arbin, maccor, dir);
        ok &= await BoundedMemoryBench.RunAsync(context, dir);
        return ok;
    }
}
