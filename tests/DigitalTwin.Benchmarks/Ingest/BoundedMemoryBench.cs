// The bounded-memory claim, measured: a synthetic Arbin CSV of ≥ 2 GB is generated on the fly (a real file's rows
// repeated as one monotonic test), then `twin parse` reads it and the Ingest service takes it as an upload
// over HTTP (raw body) and over gRPC (64 KiB and 1 MiB chunks), each in its own process whose peak resident memory (VmHWM) is reported
// against the ~200 MB goal.
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using DigitalTwin.Testing;

namespace DigitalTwin.Benchmarks.Ingest;

internal static class BoundedMemoryBench
{
    private const long GoalBytes = 200_000_000;

    public static async Task<bool> RunAsync(BenchmarkContext context, string directory)
    {
        var output = context.Output;
        var size = context.Quick ? 256L << 20 : 2L << 30;
        var path = Path.Combine(directory, context.Quick ? "arbin_256MiB.csv" : "arbin_2GiB.csv");
        var data = Path.Combine(directory, "memory-service-data");
        try
        {
            var rows = Generate(path, size);
            output.WriteLine();
            output.WriteLine($"bounded memory: synthetic Arbin CSV of {new FileInfo(path).Length / 1e9:0.00} GB, {rows:N0} rows (generated for this run)");
            output.WriteLine($"{"process",-36} {"peak RSS MB",12} {"rows/s",12} {"goal <= 200 MB",15}");

            var parse = await IngestChild.RunAsync(IngestChild.Dll("twin.dll"), "parse", path);
            if (parse.ExitCode != 0)
            {
                output.WriteLine($"twin parse failed ({parse.ExitCode}): {parse.Output}");
                return false;
            }

            Row(output, "twin parse (library, no output)", parse.PeakRssBytes, rows / parse.Seconds);

            // Each transport in a fresh service process, so each peak is its own.
            foreach (var (name, chunk) in new[] { ("Ingest service, HTTP raw upload", 0), ("Ingest service, gRPC 64 KiB chunks", 64 << 10), ("Ingest service, gRPC 1 MiB chunks", 1 << 20) })
            {
                if (Directory.Exists(data))
                {
                    Directory.Delete(data, recursive: true);
                }

                using var service = await IngestChild.StartServiceAsync(data, UploadBench.Key);
                var (accepted, seconds) = chunk > 0 ? await UploadBench.UploadGrpcAsync(service, path, chunk) : await UploadBench.UploadHttpAsync(service.HttpAddress!, path, multipart: false);
                Row(output, name, service.PeakRssBytes, accepted / seconds);
            }

            output.WriteLine($"load average after the uploads: {UploadBench.LoadAverage()}");
            output.WriteLine("peak RSS = VmHWM of the process (the .NET runtime included), sampled every 50 ms and at the end.");
            return true;
        }
        finally
        {
            File.Delete(path);
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static void Row(TextWriter output, string name, long peak, double rate) =>
        output.WriteLine($"{name,-36} {peak / 1e6,12:0} {rate,12:N0} {(peak <= GoalBytes ? "met" : "NOT met"),15}");

    /// <summary>
    /// Writes arbin_example.csv's header, then its rows again and again (point number, test time, Unix clock and cycle
    /// shifted per copy) until the file reaches <paramref name="bytes"/>; returns the data rows written.
    /// </summary>
    private static long Generate(string path, long bytes)
    {
        var lines = File.ReadAllLines(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
        var c = CultureInfo.InvariantCulture;
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();
        var points = rows.Select(r => long.Parse(r[0], c)).ToArray();
        var times = rows.Select(r => double.Parse(r[1], c)).ToArray();
        var clocks = rows.Select(r => double.Parse(r[2], c)).ToArray();
        var cycles = rows.Select(r => long.Parse(r[5], c)).ToArray();
        var middle = rows.Select(r => Encoding.ASCII.GetBytes("," + r[3] + "," + r[4] + ",")).ToArray();
        var tail = rows.Select(r => Encoding.ASCII.GetBytes("," + string.Join(',', r[6..]) + "\n")).ToArray();
        var span = times[^1] - times[0] + 10;
        var cycleSpan = cycles.Max();
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        file.Write(Encoding.ASCII.GetBytes(lines[0] + "\n"));
        var buffer = new byte[1 << 20];
        var used = 0;
        long written = 0, total = 0;
        for (var copy = 0L; total < bytes; copy++)
        {
            for (var i = 0; i < rows.Length; i++)
            {
                if (used > buffer.Length - 512)
                {
                    file.Write(buffer, 0, used);
                    total += used;
                    used = 0;
                }

                var b = buffer.AsSpan();
                used += Format(b[used..], points[i] + (copy * rows.Length));
                b[used++] = (byte)',';
                used += Format(b[used..], times[i] + (copy * span));
                b[used++] = (byte)',';
                used += Format(b[used..], clocks[i] + (copy * span));
                middle[i].CopyTo(b[used..]);
                used += middle[i].Length;
                used += Format(b[used..], cycles[i] + (copy * cycleSpan));
                tail[i].CopyTo(b[used..]);
                used += tail[i].Length;
                written++;
            }
        }

        file.Write(buffer, 0, used);
        return written;
    }

    private static int Format(Span<byte> target, long value) => Utf8Formatter.TryFormat(value, target, out var n) ? n : throw new InvalidOperationException("buffer too small");

    private static int Format(Span<byte> target, double value) =>
        Utf8Formatter.TryFormat(Math.Round(value, 4), target, out var n) ? n : throw new InvalidOperationException("buffer too small");
}
