// `mechanics` suite: stress + interface + strength update of one particle class (30 radial points), single and
// batched, against a numpy implementation of the same update measured in the same run (Debian python3-numpy).
using System.Diagnostics;
using System.Globalization;
using DigitalTwin.Physics.Mechanics.Elasticity;
using DigitalTwin.Physics.Mechanics.ParameterSets;
using DigitalTwin.Physics.Mechanics.Particles;
using DigitalTwin.Physics.Mechanics.Sphere;
using DigitalTwin.Physics.Mechanics.Strength;

namespace DigitalTwin.Benchmarks.Mechanics;

public sealed class MechanicsBenchmarkSuite : IBenchmarkSuite
{
    private const int Nodes = 30;

    public string Name => "mechanics";

    public string Description => "particle-class update (stress+interface+strength, 30 nodes) vs numpy, single and batched";

    public async Task<bool> RunAsync(BenchmarkContext context)
    {
        var o = context.Output;
        var quick = context.Quick;
        var single = MeasureBatch(1, quick ? 200_000 : 2_000_000, threads: 1);
        var batched = MeasureBatch(1024, quick ? 200 : 2000, threads: 1);
        var parallel = MeasureBatch(1024, quick ? 200 : 2000, threads: System.Environment.ProcessorCount);
        var peer = await RunPeerAsync(1024, quick ? 20 : 200, context.CancellationToken);
        o.WriteLine($"{"case",-46} {"ours [ns/class]",16} {"numpy [ns/class]",17} {"ratio",8}");
        Row(o, "one class, stress+interface(8 patches)+strength", single, null);
        Row(o, "1024 classes, 1 thread", batched, peer);
        Row(o, $"1024 classes, {System.Environment.ProcessorCount} threads (per class, wall)", parallel, null);
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"goal ≤ 1000 ns per class update: {(single <= 1000 ? "met" : "NOT met")} ({single:F0} ns); batched throughput {1e9 / batched:E3} classes/s/core"));
        return true;
    }

    private static void Row(TextWriter o, string name, double ours, double? peer) =>
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-46} {ours,16:F1} {(peer is { } p ? p.ToString("F1", CultureInfo.InvariantCulture) : "-"),17} {(peer is { } q ? (q / ours).ToString("F1", CultureInfo.InvariantCulture) + "x" : "-"),8}"));

    /// <summary>A class with every model on: NCM111/LLZO interface (8 patches), NMC811 lattice strain, strength, Paris.</summary>
    public static ParticleClass BenchClass(int index)
    {
        var interfaceSet = MechanicsParameterSet.Load("NCM111_LLZO_seed001").Electrode("positive");
        var oxide = MechanicsParameterSet.Load("NMC811_seed003");
        var e = oxide.Electrode("positive");
        var template = oxide.CreateClass("positive", Nodes, radius: 5e-6);
        return ParticleClass.Create($"bench/{index}", SphereGrid.Uniform(5e-6, Nodes), IsotropicElasticity.Create(e.YoungsModulus, e.PoissonsRatio),
            e.Strain, interfaceSet.Interface, e.Mismatch, template.StrengthLaw,
            ParisCrackGrowth.Create(3.9e-20, 2.2, 1.12, 2e-8, 5e-6, 1e5));
    }

    private static double MeasureBatch(int classes, int steps, int threads)
    {
        var prototype = BenchClass(0);
        var list = Enumerable.Range(0, classes).Select(i => i == 0 ? prototype : ParticleClass.Create($"bench/{i}", prototype.Grid,
            prototype.Elasticity, prototype.Strain, prototype.Interface, prototype.Mismatch, prototype.StrengthLaw, prototype.Cracking)).ToList();
        var batch = new ParticleBatch(list);
        var cmax = prototype.Strain.MaximumConcentration;
        var buffers = Enumerable.Range(0, threads).Select(_ => (new double[Nodes], new double[Nodes])).ToArray();
        void Run(int count)
        {
            for (var s = 0; s < count; s++)
            {
                // A charge–discharge ramp so the interface and strength branches all get exercised.
                var x = 0.95 - 0.7 * Math.Abs(((s % 200) / 100.0) - 1);
                for (var j = 0; j < batch.Concentration.Length; j++)
                {
                    batch.Concentration[j] = x * cmax;
                }

                if (threads == 1)
                {
                    batch.StepRange(0, classes, 10, 0, buffers[0].Item1, buffers[0].Item2);
                }
                else
                {
                    Parallel.For(0, threads, t => batch.StepRange(classes * t / threads, classes * (t + 1) / threads, 10, 0, buffers[t].Item1, buffers[t].Item2));
                }

                if (s % 100 == 99)
                {
                    batch.EndHalfCycle();
                }
            }
        }

        Run(Math.Max(1, steps / 10));
        // Single-threaded runs are timed in process CPU time so other jobs on the shared cores do not count;
        // the multi-threaded run is wall time.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        Run(steps);
        var elapsed = threads == 1 ? (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds : watch.Elapsed.TotalMilliseconds;
        return elapsed * 1e6 / ((double)steps * classes);
    }

    private static async Task<double?> RunPeerAsync(int classes, int repeats, CancellationToken cancel)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Mechanics", "mechanics_peer.py");
        if (!File.Exists("/usr/bin/python3") || !File.Exists(script))
        {
            return null;
        }

        var start = new ProcessStartInfo("/usr/bin/python3", [script, classes.ToString(CultureInfo.InvariantCulture), Nodes.ToString(CultureInfo.InvariantCulture), "8", repeats.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel);
        return process.ExitCode == 0 && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ns) ? ns : null;
    }
}
