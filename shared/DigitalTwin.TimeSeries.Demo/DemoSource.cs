// The cycler file the demo replays, parsed by the ingest library and cut into its cycles.
using DigitalTwin.Telemetry;
using TelemetryCycle = DigitalTwin.Telemetry.CycleSummary;

namespace DigitalTwin.TimeSeries.Demo;

public sealed class DemoSource
{
    private const string DefaultRelative = "data/cycler/arbin_csv/arbin_example.csv";

    private DemoSource(string path, IReadOnlyList<SourceCycle> cycles, double nominalCapacity)
    {
        Path = path;
        Cycles = cycles;
        NominalCapacity = nominalCapacity;
    }

    public string Path { get; }

    /// <summary>Full cycles of the file (charge and discharge, coulombic efficiency within 5 % of 1), in order.</summary>
    public IReadOnlyList<SourceCycle> Cycles { get; }

    /// <summary>Largest discharge capacity of the file [Ah], taken as the source cell's nominal capacity.</summary>
    public double NominalCapacity { get; }

    public static DemoSource Load(string path)
    {
        var samples = new CollectingSink();
        var result = TelemetryParser.Parse(path, samples);
        var cycles = new List<SourceCycle>();

        // Full cycles only: a file that starts mid-charge has a first cycle with a fraction of the charge (CE far from 1).
        var complete = result.Cycles.Where(c => c.ChargeCapacity > 0 && c.DischargeCapacity > 0).ToList();
        var full = complete.Where(c => Math.Abs((c.DischargeCapacity / c.ChargeCapacity) - 1) < 0.05).ToList();
        foreach (var summary in full.Count > 0 ? full : complete)
        {
            var rows = samples.Samples.Where(s => s.Cycle == summary.Cycle).ToArray();
            if (rows.Length >= 10)
            {
                cycles.Add(new SourceCycle(summary, rows));
            }
        }

        if (cycles.Count == 0)
        {
            throw new InvalidDataException($"{path}: no complete cycle (charge and discharge) to replay; the demo needs at least one.");
        }

        return new DemoSource(path, cycles, cycles.Max(c => c.Summary.DischargeCapacity));
    }

    /// <summary>The shared arbin_example.csv: DIGITALTWIN_SHARED, then a `shared` folder above the start folders, then beside the checkout.</summary>
    public static string? LocateDefault(params string[] startFolders)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("DIGITALTWIN_SHARED");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(System.IO.Path.Combine(fromEnvironment, DefaultRelative)))
        {
            return System.IO.Path.Combine(fromEnvironment, DefaultRelative);
        }

        foreach (var start in startFolders.Append(AppContext.BaseDirectory).Append(Directory.GetCurrentDirectory()))
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = System.IO.Path.Combine(dir.FullName, "shared", DefaultRelative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}

/// <summary>One cycle of the source file: its summary and samples, plus what the demo derives from them.</summary>
public sealed class SourceCycle
{
    public SourceCycle(TelemetryCycle summary, Sample[] samples)
    {
        Summary = summary;
        Samples = samples;
        Start = samples[0].TestTime;
        Duration = samples[^1].TestTime - Start;
        var capacity = Math.Max(summary.DischargeCapacity, 1e-9);
        PeakChargeRate = samples.Max(s => s.Current) / capacity;
        PeakDischargeRate = -samples.Min(s => s.Current) / capacity;

        // Charge held at each sample, anchored so the end of discharge sits at 2 % of the cycle's capacity.
        var last = samples[^1];
        ChargeOffset = (0.02 * capacity) + last.DischargeCapacity - last.ChargeCapacity;
    }

    public TelemetryCycle Summary { get; }

    public Sample[] Samples { get; }

    /// <summary>Test time of the first sample [s].</summary>
    public double Start { get; }

    public double Duration { get; }

    /// <summary>Largest charge current over capacity [1/h].</summary>
    public double PeakChargeRate { get; }

    public double PeakDischargeRate { get; }

    /// <summary>Charge [Ah] to add to (charge − discharge capacity) for the charge held.</summary>
    public double ChargeOffset { get; }
}
