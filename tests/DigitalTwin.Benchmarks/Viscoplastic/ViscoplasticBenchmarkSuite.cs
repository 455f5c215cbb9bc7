// `viscoplastic` suite: Perzyna–Ludwik material-point updates per second per core (elastic and plastic) against a
// numpy implementation of the same return mapping, and the wall time of the seed-002 five-cycle binder study.
using System.Diagnostics;
using System.Globalization;
using DigitalTwin.Physics.Viscoplastic.Binder;
using DigitalTwin.Physics.Viscoplastic.Laws;
using DigitalTwin.Physics.Viscoplastic.ParameterSets;

namespace DigitalTwin.Benchmarks.Viscoplastic;

public sealed class ViscoplasticBenchmarkSuite : IBenchmarkSuite
{
    public string Name => "viscoplastic";

    public string Description => "binder material-point updates/s/core (elastic, plastic) vs numpy; five-cycle study wall time";

    public async Task<bool> RunAsync(BenchmarkContext context)
    {
        var o = context.Output;
        var set = BinderParameterSet.Load();
        const int points = 4096;
        var repeats = context.Quick ? 100 : 1000;
        var elastic = Measure(set.Law, points, repeats, 0.005);
        var plastic = Measure(set.Law, points, repeats, 0.05);
        var peer = await PeerAsync(points, context.Quick ? 20 : 100, context.CancellationToken);
        var watch = Stopwatch.StartNew();
        var reports = BinderCycleStudy.Run(set.Law, BinderBridge.Seed002(), SwellingHistory.Seed002FiveCycles1C(set.SwellingPerStoichiometry),
            set.FractureStress, set.FractureWork);
        var study = watch.Elapsed.TotalMilliseconds;
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine($"{"case",-30} {"ours [updates/s]",18} {"numpy [updates/s]",18} {"ratio",8} {"goal",10}");
        Row(o, "elastic update", elastic, peer?.Elastic, 1e7);
        Row(o, "plastic update (b=1, n=2)", plastic, peer?.Plastic, 2e6);
        o.WriteLine(string.Create(inv, $"seed-002 five 1C cycles (2001 samples, sub-stepped): {study:F1} ms wall, final yield stress {reports[^1].YieldStress / 1e6:F2} MPa"));
        return true;
    }

    private static void Row(TextWriter o, string name, double ours, double? peer, double goal) =>
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-30} {ours,18:E3} {(peer is { } p ? p.ToString("E3", CultureInfo.InvariantCulture) : "-"),18} {(peer is { } q ? (ours / q).ToString("F1", CultureInfo.InvariantCulture) + "x" : "-"),8} {(ours >= goal ? "met" : "NOT met"),10}"));

    // Single-threaded, timed in process CPU time so other jobs on the shared cores do not count.
    private static double Measure(PerzynaLudwik law, int points, int repeats, double strain)
    {
        var batch = new MaterialPointBatch(law, points);
        void Run(int count, int offset)
        {
            for (var r = 0; r < count; r++)
            {
                var e = strain + (strain > 0.02 ? 1e-5 * (r + offset) : 0);
                for (var i = 0; i < points; i++)
                {
                    batch.Strain[6 * i] = e;
                }

                batch.Update(1.0);
            }
        }

        Run(repeats / 10 + 1, 0);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        Run(repeats, repeats);
        var seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return points * (double)repeats / seconds;
    }

    private static async Task<(double Elastic, double Plastic)?> PeerAsync(int points, int repeats, CancellationToken cancel)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Viscoplastic", "viscoplastic_peer.py");
        if (!File.Exists("/usr/bin/python3") || !File.Exists(script))
        {
            return null;
        }

        var start = new ProcessStartInfo("/usr/bin/python3", [script, points.ToString(CultureInfo.InvariantCulture), repeats.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel);
        var parts = text.Trim().Split(' ');
        return process.ExitCode == 0 && parts.Length == 2
            ? (1e9 / double.Parse(parts[0], CultureInfo.InvariantCulture), 1e9 / double.Parse(parts[1], CultureInfo.InvariantCulture))
            : null;
    }
}
