// Strength vs swelling cycles over several aggregates (seeds): per cycle count the mean and sample standard deviation
// of the Hiramatsu-Oka strength, and the intact bond fraction. This table is what the Mechanics strength law is fitted to
// (DigitalTwin.Physics.Mechanics.Strength.DemStrengthTable reads the JSON the CLI writes from it).
namespace DigitalTwin.Physics.Dem.Studies;

/// <summary>One cycle count: strengths of every seed [Pa], their mean and sample standard deviation [Pa].</summary>
public sealed record CrushSeriesPoint(int Cycles, double StrengthPa, double SdPa, double[] Values, double IntactBondFraction);

public sealed record CrushSeriesResult(CrushEnvironment Environment, CrushModel Model, ulong[] Seeds, double BondTensileStrengthPa,
    IReadOnlyList<CrushSeriesPoint> Points, IReadOnlyList<CrushResult> Runs);

public static class CrushSeries
{
    /// <summary>0, 1, 2, 5, 10, 20, 50, ... up to and including <paramref name="cycles"/>.</summary>
    public static int[] DefaultCounts(int cycles)
    {
        var counts = new SortedSet<int> { 0, cycles };
        for (var decade = 1; decade <= cycles; decade *= 10)
        {
            foreach (var m in new[] { 1, 2, 5 })
            {
                if (m * decade <= cycles)
                {
                    counts.Add(m * decade);
                }
            }
        }

        return counts.ToArray();
    }

    public static CrushSeriesResult Run(CrushOptions o, IReadOnlyList<int> counts, int seeds, IProgress<CrushProgress>? progress = null, CancellationToken ct = default)
    {
        if (seeds < 1)
        {
            throw new DemInputException([$"crush: seeds = {seeds} must be >= 1"]);
        }

        var seedList = Enumerable.Range(0, seeds).Select(k => o.Seed + (ulong)k).ToArray();
        var runs = new List<CrushResult>();
        foreach (var seed in seedList)
        {
            runs.AddRange(CrushStudy.RunSeries(o with { Seed = seed }, counts, progress, ct));
        }

        return Summarize(o, counts, seedList, runs);
    }

    /// <summary>The series of runs already made (seed-major, every count per seed), e.g. the calibration's best step.</summary>
    public static CrushSeriesResult FromRuns(CrushOptions o, IReadOnlyList<int> counts, IReadOnlyList<CrushResult> runs)
    {
        if (runs.Count == 0 || runs.Count % counts.Count != 0)
        {
            throw new DemInputException([$"crush: {runs.Count} runs do not cover {counts.Count} cycle counts per seed"]);
        }

        var seedList = Enumerable.Range(0, runs.Count / counts.Count).Select(k => o.Seed + (ulong)k).ToArray();
        return Summarize(o, counts, seedList, runs);
    }

    private static CrushSeriesResult Summarize(CrushOptions o, IReadOnlyList<int> counts, ulong[] seedList, IReadOnlyList<CrushResult> runs)
    {
        var points = counts.Select(c =>
        {
            var at = runs.Where(r => r.Cycles == c).ToArray();
            var v = at.Select(r => r.StrengthPa).ToArray();
            var mean = v.Average();
            var sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
            return new CrushSeriesPoint(c, mean, sd, v, at.Average(r => r.IntactContactFraction));
        }).ToArray();
        return new CrushSeriesResult(o.Environment, o.Model, seedList, runs[0].BondTensileStrengthPa, points, runs);
    }
}
