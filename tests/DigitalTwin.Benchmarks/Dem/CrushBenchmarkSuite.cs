// `make bench` suite "dem-crush": the full bonded secondary-particle study (4 um aggregates, seeds 1-12 or 1 with
// --quick, 0/1/2/5/10 cycles in liquid and in solid electrolyte): Hiramatsu-Oka strength mean, sd and standard error
// per cycle count next to seed 000's reported values (the peer: their experiment and DEM), as ratios; tables to artifacts.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Benchmarks.Dem;

public sealed class CrushBenchmarkSuite : IBenchmarkSuite
{
    public string Name => "dem-crush";

    public string Description => "Bonded secondary-particle crush strength vs swelling cycles (liquid, solid; seeds) against seed 000's reported strengths";

    public Task<bool> RunAsync(BenchmarkContext context)
    {
        var o = context.Output;
        var dir = Path.Combine(context.ArtifactsDirectory, "dem");
        Directory.CreateDirectory(dir);
        // 12 seeds: the calibration's sample (Crush2026_NMC_secondary.json); one aggregate scatters by ~45 % (sd)
        var seeds = context.Quick ? 1 : 12;
        int[] counts = [0, 1, 2, 5, 10];
        // seed 000 §1 (experiment, liquid: 220 pristine, ~100 after 1 cycle, ~90 after 10; solid: ~102 after 1, ~95
        // after 10) — the paper's DEM cycles are loading events, not electrochemical cycles (§2.2)
        var reported = new Dictionary<(CrushEnvironment, int), double>
        {
            [(CrushEnvironment.Liquid, 0)] = 220e6, [(CrushEnvironment.Liquid, 1)] = 100e6, [(CrushEnvironment.Liquid, 10)] = 90e6,
            [(CrushEnvironment.Solid, 0)] = 220e6, [(CrushEnvironment.Solid, 1)] = 102e6, [(CrushEnvironment.Solid, 10)] = 95e6,
        };
        o.WriteLine($"{"environment",-12}{"cycles",7}{"ours [MPa]",16}{"sd",8}{"SE",8}{"seed 000 [MPa]",16}{"ratio",8}{"intact bonds",14}{"time [s]",10}");
        foreach (var env in new[] { CrushEnvironment.Liquid, CrushEnvironment.Solid })
        {
            var sw = Stopwatch.StartNew();
            var series = CrushSeries.Run(new CrushOptions { Environment = env, Threads = 1 }, counts, seeds, null, context.CancellationToken);
            var elapsed = sw.Elapsed.TotalSeconds;
            foreach (var p in series.Points)
            {
                var peer = reported.TryGetValue((env, p.Cycles), out var v) ? v : double.NaN;
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{env,-12}{p.Cycles,7}{p.StrengthPa / 1e6,16:F1}{p.SdPa / 1e6,8:F1}{p.SdPa / Math.Sqrt(p.Values.Length) / 1e6,8:F1}{(double.IsNaN(peer) ? "-" : (peer / 1e6).ToString("F0", CultureInfo.InvariantCulture)),16}{(double.IsNaN(peer) ? "-" : (p.StrengthPa / peer).ToString("F2", CultureInfo.InvariantCulture)),8}{p.IntactBondFraction,14:P1}{elapsed,10:F0}"));
            }

            var table = new
            {
                environment = env.ToString().ToLowerInvariant(), model = "bonded", seeds = series.Seeds, bondTensileStrengthPa = series.BondTensileStrengthPa,
                points = series.Points.Select(p => new { cycles = p.Cycles, strengthPa = p.StrengthPa, sdPa = p.SdPa, values = p.Values, intactBondFraction = p.IntactBondFraction }),
            };
            File.WriteAllText(Path.Combine(dir, $"crush_{table.environment}.json"), JsonSerializer.Serialize(table, new JsonSerializerOptions { WriteIndented = true }));
        }

        return Task.FromResult(true);
    }
}
