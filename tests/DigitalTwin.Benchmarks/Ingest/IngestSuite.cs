// `ingest` suite: rows/s of parse + normalize for an Arbin CSV and a Maccor text export replicated to ≥ 1 M
// rows, against pandas.read_csv (Debian python3-pandas) of the same file in the same run, printed as ratios;
// then upload-to-durable rows/s through the Ingest service, and peak memory on a ≥ 2 GB file.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using DigitalTwin.Telemetry;
using DigitalTwin.Testing;

namespace DigitalTwin.Benchmarks.Ingest;

public sealed class IngestSuite : IBenchmarkSuite
{
    private const int TargetRows = 1_000_000;
    private const string Python = "/usr/bin/python3";

    public string Name => "ingest";

    public string Description => "cycler file parse + normalize rows/s vs pandas.read_csv; upload-to-durable rows/s through the Ingest service; peak RSS on a 2 GB file";

    public async Task<bool> RunAsync(BenchmarkContext context)
    {
        var output = context.Output;
        var dir = Path.Combine(context.ArtifactsDirectory, "ingest");
        Directory.CreateDirectory(dir);
        var (arbin, maccor) = MillionRowFiles(dir);
        var cases = new[]
        {
            (Name: "Arbin CSV", Path: arbin, Pandas: "pandas.read_csv(p)"),
            (Name: "Maccor text", Path: maccor, Pandas: "pandas.read_csv(p, sep='\\t', skiprows=1)"),
        };

        output.WriteLine($"{"file",-14} {"rows",10} {"MB",7} {"twin rows/s",14} {"pandas rows/s",14} {"ratio",7}");
        var ok = true;
        foreach (var c in cases)
        {
            var bytes = new FileInfo(c.Path).Length;

            // Runs alternate (ours, pandas, ours, ...) so both see the same load on a shared machine; best of each.
            var ours = double.MaxValue;
            var pandasBest = double.MaxValue;
            long rows = 0, pandasRows = 0;
            for (var run = 0; run < (context.Quick ? 1 : 3) && pandasRows >= 0; run++)
            {
                ours = Math.Min(ours, MeasureOurs(c.Path, 1, out rows));
                var once = await MeasurePandasAsync(c.Path, c.Pandas, 1, context.CancellationToken);
                (pandasRows, pandasBest) = once is null ? (-1, pandasBest) : (once.Value.Rows, Math.Min(pandasBest, once.Value.Seconds));
            }

            if (pandasRows < 0)
            {
                output.WriteLine($"{c.Name,-14} pandas could not run ({Python} with python3-pandas; see build/apt-bench.txt)");
                ok = false;
                continue;
            }

            var oursRate = rows / ours;
            var pandasRate = pandasRows / pandasBest;
            output.WriteLine($"{c.Name,-14} {rows,10:N0} {bytes / 1e6,7:0.0} {oursRate,14:N0} {pandasRate,14:N0} {oursRate / pandasRate,6:0.00}x");
        }

        output.WriteLine("twin = detect + parse + normalize (UTC, SI, sign, counters, step types) + cycle summaries + SHA-256; pandas = read_csv only.");
        output.WriteLine("best of alternating runs; goal >= 3x pandas.");
        ok &= await UploadBench.RunAsync(context, arbin, maccor, dir);
        ok &= await BoundedMemoryBench.RunAsync(context, dir);
        return ok;
    }

    /// <summary>The Arbin CSV and Maccor text files of ≥ 1 M rows (written once into <paramref name="dir"/>).</summary>
    internal static (string Arbin, string Maccor) MillionRowFiles(string dir) => (
        Replicate(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"), Path.Combine(dir, "arbin_1M.csv"), 1, ',', [0], [1, 3], 2),
        Replicate(SharedData.DataFile("cycler", "maccor_txt", "xTESLADIAG_000038.078"), Path.Combine(dir, "maccor_1M.078"), 2, '\t', [0], [3], -1));

    /// <summary>Best of n runs of the full parse into a counting sink; seconds per run.</summary>
    private static double MeasureOurs(string path, int runs, out long rows)
    {
        var best = double.MaxValue;
        rows = 0;
        for (var i = 0; i < runs; i++)
        {
            var sink = new CountingSink();
            var sw = Stopwatch.StartNew();
            TelemetryParser.Parse(path, sink);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            rows = sink.Samples;
        }

        return best;
    }

    private static Task<(long Rows, double Seconds)?> MeasurePandasAsync(string path, string call, int runs, CancellationToken cancel)
    {
        var script = $"import time, pandas\np = {Quote(path)}\nbest = 1e9\nn = 0\nfor _ in range({runs}):\n    t = time.perf_counter()\n    df = {call}\n    best = min(best, time.perf_counter() - t)\n    n = len(df)\nprint(n, best)\n";
        return RunPythonAsync(script, cancel);
    }

    /// <summary>Runs a script with Debian's python3 (which has pandas) that prints "rows seconds"; null if it cannot run.</summary>
    internal static async Task<(long Rows, double Seconds)?> RunPythonAsync(string script, CancellationToken cancel)
    {
        if (!File.Exists(Python))
        {
            return null;
        }

        var start = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-");
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var stdout = await process.StandardOutput.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel);
        var parts = stdout.Trim().Split(' ');
        return process.ExitCode == 0 && parts.Length == 2
            ? (long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture))
            : null;
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    /// <summary>
    /// Writes the file's header lines, then its data rows again and again until ≥ 1 M rows, shifting the record
    /// column(s) and the time column(s) so the copy is one valid, monotonic test. epochColumn (≥ 0) shifts a Unix clock too.
    /// </summary>
    private static string Replicate(string source, string target, int headerLines, char separator, int[] recordColumns, int[] timeColumns, int epochColumn)
    {
        if (File.Exists(target) && File.ReadLines(target).Skip(headerLines).Take(TargetRows + 1).Count() >= TargetRows)
        {
            return target;
        }

        var lines = File.ReadAllLines(source, Encoding.Latin1);
        var header = lines.Take(headerLines).ToArray();
        var rows = lines.Skip(headerLines).Where(l => l.Length > 0).Select(l => l.Split(separator)).ToArray();
        var c = CultureInfo.InvariantCulture;
        double Parse(string s) => double.Parse(s, c);
        var span = Parse(rows[^1][timeColumns[0]]) - Parse(rows[0][timeColumns[0]]) + 10;
        var records = rows.Length;
        using var writer = new StreamWriter(target, false, Encoding.Latin1, 1 << 20) { NewLine = "\n" };
        foreach (var h in header)
        {
            writer.WriteLine(h);
        }

        long written = 0;
        for (var copy = 0; written < TargetRows; copy++)
        {
            foreach (var row in rows)
            {
                var fields = (string[])row.Clone();
                foreach (var k in recordColumns)
                {
                    fields[k] = (long.Parse(fields[k], c) + ((long)copy * records)).ToString(c);
                }

                foreach (var k in timeColumns)
                {
                    fields[k] = (Parse(fields[k]) + (copy * span)).ToString("0.####", c);
                }

                if (epochColumn >= 0)
                {
                    fields[epochColumn] = (Parse(fields[epochColumn]) + (copy * span)).ToString("0.####", c);
                }

                writer.WriteLine(string.Join(separator, fields));
                written++;
            }
        }

        return target;
    }
}
