// Helpers shared by the tests: shared reference files, interpolation, RMS, and the standard runs.
using System.Globalization;
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;
using DigitalTwin.Testing;

namespace DigitalTwin.Physics.Electrochem.Tests;

internal static class Reference
{
    public static string Comsol(string rate, string field) =>
        SharedData.DataFile("reference", "comsol_marquis2019", "csv", $"comsol_{rate}_{field}.csv");

    /// <summary>Numeric rows of a CSV, skipping '#' comments and a header row.</summary>
    public static double[][] Csv(string path) =>
        File.ReadLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(','))
            .Where(p => double.TryParse(p[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            .Select(p => p.Select(x => double.Parse(x, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();

    public static double[] Header(string path) =>
        File.ReadLines(path).First(l => l.StartsWith("time_s", StringComparison.Ordinal)).Split(',').Skip(1)
            .Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();

    public static double Interpolate(IReadOnlyList<double> xs, IReadOnlyList<double> ys, double x)
    {
        if (x <= xs[0])
        {
            return ys[0];
        }

        if (x >= xs[^1])
        {
            return ys[^1];
        }

        var i = 1;
        while (xs[i] < x)
        {
            i++;
        }

        var f = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
        return ys[i - 1] + f * (ys[i] - ys[i - 1]);
    }

    public static double Rms(IEnumerable<double> errors)
    {
        var list = errors.ToList();
        return Math.Sqrt(list.Sum(e => e * e) / list.Count);
    }

    /// <summary>Voltage of a run at time t (linear between accepted steps).</summary>
    public static double VoltageAt(SimulationResult r, double t) =>
        Interpolate(r.Samples.Select(s => s.Time).ToArray(), r.Samples.Select(s => s.Voltage).ToArray(), t);

    public static SimulationResult Run(string set, ModelKind kind, string experiment, ModelOptions? options = null) =>
        Run(ParameterSets.Get(set), kind, experiment, options);

    public static SimulationResult Run(ParameterSet set, ModelKind kind, string experiment, ModelOptions? options = null, double outputPeriod = 0)
    {
        var model = ModelFactory.Create(set, (options ?? new ModelOptions()) with { Model = kind });
        return new ExperimentRunner { OutputPeriod = outputPeriod }.Run(model, Experiment.Parse(experiment));
    }
}
