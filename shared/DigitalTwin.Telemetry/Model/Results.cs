// What a parse hands back besides the samples: provenance (hash, reader, warnings) and per-cycle summaries.
namespace DigitalTwin.Telemetry;

/// <summary>Receives normalized output in batches; spans are only valid during the call.</summary>
public interface ISampleSink
{
    void OnSamples(ReadOnlySpan<Sample> samples);

    void OnImpedance(ReadOnlySpan<ImpedancePoint> points);
}

/// <summary>Keeps everything in memory (tests, small files).</summary>
public sealed class CollectingSink : ISampleSink
{
    public List<Sample> Samples { get; } = [];

    public List<ImpedancePoint> Impedance { get; } = [];

    public void OnSamples(ReadOnlySpan<Sample> samples)
    {
        foreach (var s in samples)
        {
            Samples.Add(s);
        }
    }

    public void OnImpedance(ReadOnlySpan<ImpedancePoint> points)
    {
        foreach (var p in points)
        {
            Impedance.Add(p);
        }
    }
}

/// <summary>Discards samples (benchmarks, summaries only).</summary>
public sealed class CountingSink : ISampleSink
{
    public long Samples { get; private set; }

    public long Impedance { get; private set; }

    public void OnSamples(ReadOnlySpan<Sample> samples) => Samples += samples.Length;

    public void OnImpedance(ReadOnlySpan<ImpedancePoint> points) => Impedance += points.Length;
}

/// <summary>Where the data came from, how it was read, and everything that was noticed on the way.</summary>
public sealed record Provenance
{
    public required string SourceFile { get; init; }

    /// <summary>SHA-256 of the file's bytes, lowercase hex.</summary>
    public required string Sha256 { get; init; }

    public required long Bytes { get; init; }

    public required string Reader { get; init; }

    public required string ReaderVersion { get; init; }

    public required string CellId { get; init; }

    /// <summary>What the reader recognized (format dialect, columns used), for people.</summary>
    public required string Dialect { get; init; }

    public string? TimeZone { get; init; }

    public BadRowPolicy Policy { get; init; }

    public DateTime ParsedAtUtc { get; init; }

    public IReadOnlyList<IngestProblem> Warnings { get; init; } = [];

    /// <summary>Problems beyond the stored cap, counted per code.</summary>
    public IReadOnlyDictionary<string, long> UnstoredProblemCounts { get; init; } = new Dictionary<string, long>();

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>Per-cycle figures computed from the normalized samples.</summary>
/// <summary>Why a cycle summary covers only a part of a cycle.</summary>
[Flags]
public enum CycleSummaryGaps
{
    None = 0,

    /// <summary>The data begins inside the cycle (its first half-cycle is too short for a start at a full state).</summary>
    StartMissing = 1,

    /// <summary>The data ends inside the cycle (its last half-cycle stops short of the previous cycle's voltage limit).</summary>
    EndMissing = 2,

    /// <summary>No charge or no discharge in the cycle.</summary>
    HalfMissing = 4,

    /// <summary>The first (last) cycle ran a strict subset of the next (previous) cycle's steps.</summary>
    StepsMissing = 8,
}

public sealed record CycleSummary
{
    public int Cycle { get; init; }

    public long FirstSequence { get; init; }

    public long Samples { get; init; }

    /// <summary>Charge into the cell [Ah].</summary>
    public double ChargeCapacity { get; init; }

    /// <summary>Charge out of the cell [Ah].</summary>
    public double DischargeCapacity { get; init; }

    /// <summary>Discharge / charge capacity; NaN for a partial cycle or when nothing was charged.</summary>
    public double CoulombicEfficiency { get; init; }

    /// <summary>Why the cycle is only a part of one (first or last cycle of the data); None for a whole cycle.</summary>
    public CycleSummaryGaps Gaps { get; init; }

    public bool IsPartial => Gaps != CycleSummaryGaps.None;

    public double ChargeEnergy { get; init; }

    public double DischargeEnergy { get; init; }

    /// <summary>Charge energy / charge capacity [V].</summary>
    public double MeanChargeVoltage { get; init; }

    /// <summary>Discharge energy / discharge capacity [V].</summary>
    public double MeanDischargeVoltage { get; init; }

    /// <summary>Charge counted by integrating the current over time (trapezoid) [Ah], a cross-check of the counters.</summary>
    public double CoulombCountedCharge { get; init; }

    public double CoulombCountedDischarge { get; init; }

    public double StartTestTime { get; init; }

    /// <summary>Duration [s].</summary>
    public double Duration { get; init; }

    public double VoltageMin { get; init; }

    public double VoltageMax { get; init; }

    public double TemperatureMax { get; init; }

    /// <summary>Time spent in constant-voltage steps [s].</summary>
    public double CvTime { get; init; }

    /// <summary>Mean DC resistance from current pulses [Ω]; NaN without pulses.</summary>
    public double DcResistance { get; init; }

    public int Pulses { get; init; }

    /// <summary>dQ/dV curves: bin centres [V] with dQ/dV [Ah/V] while charging and discharging.</summary>
    public double[] DqDvVoltage { get; init; } = [];

    public double[] DqDvCharge { get; init; } = [];

    public double[] DqDvDischarge { get; init; } = [];
}

/// <summary>The outcome of parsing one file.</summary>
public sealed record ParseResult
{
    public required Provenance Provenance { get; init; }

    public required IReadOnlyList<CycleSummary> Cycles { get; init; }

    public long SampleCount { get; init; }

    public long ImpedanceCount { get; init; }

    public long SkippedRows { get; init; }
}
