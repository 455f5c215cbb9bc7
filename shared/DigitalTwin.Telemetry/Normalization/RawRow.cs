// The contract between a format reader and the normalizer: one row as the file states it (already in
// SI units, but with the file's sign, counter and clock conventions, declared once in RawSchema).
namespace DigitalTwin.Telemetry.Normalization;

/// <summary>How a file's current relates to charging.</summary>
public enum CurrentSign : byte
{
    ChargePositive = 0,
    ChargeNegative = 1,

    /// <summary>Magnitude only; the direction comes from <see cref="RawRow.Direction"/> or the step hint.</summary>
    Unsigned = 2,
}

/// <summary>How a file counts charge (or energy); see docs/ingest.md "Counters".</summary>
public enum CounterKind : byte
{
    /// <summary>Not in the file: integrate current (or power) over time.</summary>
    None = 0,

    /// <summary>Separate charge (Q1) and discharge (Q2) counters, non-decreasing between resets at any point.</summary>
    SplitCumulative = 1,

    /// <summary>One unsigned counter (Q1) that resets at step or direction changes; the row's direction says which way.</summary>
    SingleWithDirection = 2,

    /// <summary>One signed running net counter (Q1), + while charging; restarts only with a new run.</summary>
    NetSigned = 3,

    /// <summary>Q1 is the signed increment since the previous row.</summary>
    Delta = 4,
}

public struct RawRow
{
    public long Line;

    /// <summary>Test time [s]; NaN when absent.</summary>
    public double TestTime;

    /// <summary>Wall clock as DateTime ticks (local or UTC per schema); 0 when absent.</summary>
    public long WallTicks;

    /// <summary>Cycle index; int.MinValue when absent.</summary>
    public int Cycle;

    /// <summary>Step index; int.MinValue when absent.</summary>
    public int Step;

    public StepType StepHint;

    /// <summary>+1 charging, -1 discharging, 0 rest; only read for unsigned currents and counters.</summary>
    public sbyte Direction;

    /// <summary>Current [A] in the file's sign convention; NaN when absent.</summary>
    public double Current;

    /// <summary>Voltage [V].</summary>
    public double Voltage;

    /// <summary>Temperature [°C]; NaN when absent.</summary>
    public double Temperature;

    /// <summary>Capacity counters [Ah] per <see cref="RawSchema.Capacity"/>.</summary>
    public double Q1;

    public double Q2;

    /// <summary>Energy counters [Wh] per <see cref="RawSchema.Energy"/>.</summary>
    public double E1;

    public double E2;

    public static RawRow Create(long line) => new()
    {
        Line = line,
        TestTime = double.NaN,
        Cycle = int.MinValue,
        Step = int.MinValue,
        Current = double.NaN,
        Voltage = double.NaN,
        Temperature = double.NaN,
        Q1 = double.NaN,
        Q2 = double.NaN,
        E1 = double.NaN,
        E2 = double.NaN,
    };
}

/// <summary>What a reader found in a file, declared before its rows.</summary>
public sealed class RawSchema
{
    public required string Dialect { get; init; }

    public bool HasTestTime { get; init; }

    public bool HasWallClock { get; init; }

    /// <summary>Wall clock ticks are UTC (epoch stamps) rather than local wall time.</summary>
    public bool WallClockIsUtc { get; init; }

    /// <summary>Start of the test as local (or UTC, per WallClockIsUtc) ticks, for files whose rows carry only test time; 0 if unknown.</summary>
    public long StartWallTicks { get; init; }

    public bool HasCycle { get; init; }

    /// <summary>
    /// Number of the first cycle when cycles are inferred (no cycle column): the vendor's own convention, so a file
    /// without the column numbers like its twin with it (BioLogic counts from 0).
    /// </summary>
    public int FirstInferredCycle { get; init; } = 1;

    public bool HasStep { get; init; }

    /// <summary>The file states what each row is doing (rest/charge/discharge...).</summary>
    public bool HasStepHint { get; init; }

    /// <summary>The step hint already distinguishes CC from CV; otherwise CV is inferred.</summary>
    public bool StepHintHasMode { get; init; }

    public bool HasCurrent { get; init; } = true;

    public bool HasTemperature { get; init; }

    public CurrentSign CurrentSign { get; init; }

    public CounterKind Capacity { get; init; }

    public CounterKind Energy { get; init; }

    /// <summary>Allow the unit checks (mV labelled V, minutes labelled seconds, mA labelled A) to rescale.</summary>
    public bool GuessUnits { get; init; } = true;

    /// <summary>Source columns used, for the provenance dialect line.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];
}
