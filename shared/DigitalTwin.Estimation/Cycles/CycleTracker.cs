// Cycle segmentation and per-cycle bookkeeping: capacities (counters and coulomb counting), energy, voltage range, resistance, residual.
namespace DigitalTwin.Estimation.Cycles;

/// <summary>Thresholds of the per-cycle bookkeeping.</summary>
/// <param name="ResistanceMinStepA">Smallest current step that yields a DC resistance estimate ΔV/ΔI [A].</param>
/// <param name="ResistanceMaxDtSeconds">Longest time between the two samples of a step for that estimate [s].</param>
/// <param name="MaxIntegrationGapSeconds">Longer gaps between samples are not integrated (data missing) [s].</param>
public sealed record CycleOptions(double ResistanceMinStepA = 0.1, double ResistanceMaxDtSeconds = 15, double MaxIntegrationGapSeconds = 3600);

/// <summary>What a sample changed, beyond the running sums.</summary>
[Flags]
public enum CycleEvents
{
    None = 0,

    /// <summary>The cycler moved to another step.</summary>
    StepChanged = 1,

    /// <summary>Current changed direction (charge to discharge or back, rests ignored): a half cycle ended.</summary>
    HalfCycleEnded = 2,

    /// <summary>A new cycle began; the previous one is complete.</summary>
    CycleCompleted = 4,
}

/// <summary>The running figures of the cycle in progress (persisted with the cell).</summary>
public sealed record CycleProgress
{
    public int Cycle { get; init; } = -1;
    public long StartTimeNs { get; init; }
    public double StartTestTime { get; init; }
    public long LastTimeNs { get; init; }
    public double LastTestTime { get; init; } = double.NaN;
    public double LastCurrent { get; init; }
    public double LastVoltage { get; init; } = double.NaN;
    public int Step { get; init; } = -1;
    public StepKind StepKind { get; init; }

    /// <summary>Sign of the last non-rest current: +1 charging, −1 discharging, 0 none yet.</summary>
    public int Direction { get; init; }
    public double ChargeCounterAh { get; init; } = double.NaN;
    public double DischargeCounterAh { get; init; } = double.NaN;
    public double ChargeCoulombAh { get; init; }
    public double DischargeCoulombAh { get; init; }
    public double ChargeEnergyWh { get; init; }
    public double DischargeEnergyWh { get; init; }
    public double MinVoltage { get; init; } = double.PositiveInfinity;
    public double MaxVoltage { get; init; } = double.NegativeInfinity;
    public double ResistanceSum { get; init; }
    public int ResistanceCount { get; init; }
    public double ResidualSumSquares { get; init; }
    public int ResidualCount { get; init; }
    public int Samples { get; init; }

    /// <summary>The cycle began at a cycle boundary the tracker saw (false for the first cycle of a stream).</summary>
    public bool StartObserved { get; init; }

    /// <summary>The cycler's charge and discharge counters at the cycle's first sample (NaN when absent) [A.h].</summary>
    public double StartChargeCounterAh { get; init; } = double.NaN;
    public double StartDischargeCounterAh { get; init; } = double.NaN;

    /// <summary>Direction of the cycle's first half-cycle (+1 charge, −1 discharge, 0 none yet), its coulombs [A.h] and whether it ended.</summary>
    public int FirstHalfDirection { get; init; }
    public double FirstHalfAh { get; init; }
    public bool FirstHalfEnded { get; init; }

    /// <summary>Coulombs moved against the first half's direction while it lasts (rest noise) [A.h].</summary>
    public double FirstHalfAgainstAh { get; init; }

    public static CycleProgress Empty { get; } = new();
}

/// <summary>Why a cycle's figures do not describe a whole cycle (its coulombic efficiency is then not given).</summary>
[Flags]
public enum CycleGaps
{
    None = 0,

    /// <summary>The data begins inside the cycle: counters not at zero, or a first half-cycle too short for a start at a full state.</summary>
    StartMissing = 1,

    /// <summary>The cycle has not ended: it is the cycle in progress.</summary>
    EndMissing = 2,

    /// <summary>No charge or no discharge at all in the cycle.</summary>
    HalfMissing = 4,
}

/// <summary>A completed cycle's figures.</summary>
/// <param name="Cycle">Cycle number [index].</param>
/// <param name="StartTimeNs">First sample, UTC [ns].</param>
/// <param name="EndTimeNs">Last sample, UTC [ns].</param>
/// <param name="Duration">Test time spanned [s].</param>
/// <param name="ChargeCapacityAh">Charge capacity: the cycler's counter where present, else coulomb counting [A.h].</param>
/// <param name="DischargeCapacityAh">Discharge capacity, same rule [A.h].</param>
/// <param name="ChargeCoulombAh">Charge by integrating the current (trapezoid) [A.h].</param>
/// <param name="DischargeCoulombAh">Discharge by integrating the current [A.h].</param>
/// <param name="ChargeEnergyWh">∫V·I while charging [W.h].</param>
/// <param name="DischargeEnergyWh">∫V·|I| while discharging [W.h].</param>
/// <param name="MinVoltage">Lowest voltage [V].</param>
/// <param name="MaxVoltage">Highest voltage [V].</param>
/// <param name="Resistance">Mean DC resistance from current steps; NaN when the cycle had none [Ω].</param>
/// <param name="VoltageResidualRms">RMS of measured minus model voltage; NaN without a model [V].</param>
/// <param name="Samples">Samples in the cycle [count].</param>
/// <param name="Gaps">What makes the cycle partial; <see cref="CycleGaps.None"/> for a whole cycle.</param>
public sealed record CycleRecord(
    int Cycle,
    long StartTimeNs,
    long EndTimeNs,
    double Duration,
    double ChargeCapacityAh,
    double DischargeCapacityAh,
    double ChargeCoulombAh,
    double DischargeCoulombAh,
    double ChargeEnergyWh,
    double DischargeEnergyWh,
    double MinVoltage,
    double MaxVoltage,
    double Resistance,
    double VoltageResidualRms,
    int Samples,
    CycleGaps Gaps = CycleGaps.None)
{
    /// <summary>A first or last cycle seen only in part, or one without both a charge and a discharge.</summary>
    public bool IsPartial => Gaps != CycleGaps.None;

    /// <summary>Discharge over charge capacity; NaN for a partial cycle (a part of a cycle has no efficiency) or when nothing was charged.</summary>
    public double CoulombicEfficiency => !IsPartial && ChargeCapacityAh > 0 ? DischargeCapacityAh / ChargeCapacityAh : double.NaN;
}

/// <summary>Advances the cycle in progress by one sample. Pure and deterministic.</summary>
public static class CycleTracker
{
    /// <summary>
    /// Applies one sample. A change of the sample's cycle number completes the cycle in progress (returned) and
    /// starts the next; the interval before a sample counts towards the sample's cycle.
    /// </summary>
    /// <param name="progress">The cycle in progress.</param>
    /// <param name="sample">The next sample in sequence order.</param>
    /// <param name="modelVoltage">The model's voltage for this sample, or NaN when no model ran.</param>
    /// <param name="options">Thresholds.</param>
    public static (CycleProgress Progress, CycleRecord? Completed, CycleEvents Events) Apply(
        CycleProgress progress, in CellSample sample, double modelVoltage, CycleOptions options)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(options);
        var events = CycleEvents.None;
        CycleRecord? completed = null;
        var p = progress;
        if (p.Cycle >= 0 && sample.Cycle != p.Cycle)
        {
            completed = Complete(p, ended: true);
            events |= CycleEvents.CycleCompleted;
            p = CycleProgress.Empty with
            {
                LastTimeNs = p.LastTimeNs,
                LastTestTime = p.LastTestTime,
                LastCurrent = p.LastCurrent,
                LastVoltage = p.LastVoltage,
                Step = p.Step,
                StepKind = p.StepKind,
                Direction = p.Direction,
                StartObserved = true,
            };
        }

        if (p.Samples == 0)
        {
            p = p with
            {
                Cycle = sample.Cycle, StartTimeNs = sample.TimeUnixNs, StartTestTime = sample.TestTime,
                StartChargeCounterAh = sample.ChargeCapacityAh, StartDischargeCounterAh = Math.Abs(sample.DischargeCapacityAh),
            };
        }

        if (p.Step >= 0 && (sample.Step != p.Step || sample.StepKind != p.StepKind))
        {
            events |= CycleEvents.StepChanged;
        }

        var direction = Math.Abs(sample.Current) < 1e-9 ? 0 : Math.Sign(sample.Current);
        var newDirection = p.Direction;
        if (direction != 0)
        {
            if (p.Direction != 0 && direction != p.Direction)
            {
                events |= CycleEvents.HalfCycleEnded;
            }

            newDirection = direction;
        }

        double chargeAh = p.ChargeCoulombAh, dischargeAh = p.DischargeCoulombAh, chargeWh = p.ChargeEnergyWh, dischargeWh = p.DischargeEnergyWh;
        double resistanceSum = p.ResistanceSum;
        var resistanceCount = p.ResistanceCount;
        var dt = sample.TestTime - p.LastTestTime;
        if (dt > 0 && dt <= options.MaxIntegrationGapSeconds && !double.IsNaN(p.LastVoltage))
        {
            Integrate(p.LastCurrent, sample.Current, p.LastVoltage, sample.Voltage, dt, ref chargeAh, ref dischargeAh, ref chargeWh, ref dischargeWh);
            var di = sample.Current - p.LastCurrent;
            if (Math.Abs(di) >= options.ResistanceMinStepA && dt <= options.ResistanceMaxDtSeconds)
            {
                var r = (sample.Voltage - p.LastVoltage) / di;
                if (r > 0 && double.IsFinite(r))
                {
                    resistanceSum += r;
                    resistanceCount++;
                }
            }
        }

        // The first half-cycle ends once the charge moved against it exceeds 2 % of its own (a rest's
        // offset current of −0.1 mA does not end a 1 A charge).
        var firstDirection = p.FirstHalfDirection == 0 ? direction : p.FirstHalfDirection;
        var firstAh = p.FirstHalfAh;
        var firstAgainst = p.FirstHalfAgainstAh;
        var firstEnded = p.FirstHalfEnded;
        if (!firstEnded && firstDirection != 0)
        {
            firstAh += firstDirection > 0 ? chargeAh - p.ChargeCoulombAh : dischargeAh - p.DischargeCoulombAh;
            firstAgainst += firstDirection > 0 ? dischargeAh - p.DischargeCoulombAh : chargeAh - p.ChargeCoulombAh;
            if (firstAgainst > firstAh)
            {
                // The first movement was an offset current; the half-cycle runs the other way.
                (firstAh, firstAgainst, firstDirection) = (firstAgainst, firstAh, -firstDirection);
            }

            firstEnded = firstAgainst > 0.02 * firstAh;
        }

        var residual = sample.Voltage - modelVoltage;
        var hasResidual = double.IsFinite(residual);
        p = p with
        {
            LastTimeNs = sample.TimeUnixNs,
            LastTestTime = sample.TestTime,
            LastCurrent = sample.Current,
            LastVoltage = sample.Voltage,
            Step = sample.Step,
            StepKind = sample.StepKind,
            Direction = newDirection,
            ChargeCounterAh = MaxIgnoringNaN(p.ChargeCounterAh, sample.ChargeCapacityAh),
            DischargeCounterAh = MaxIgnoringNaN(p.DischargeCounterAh, Math.Abs(sample.DischargeCapacityAh)),
            ChargeCoulombAh = chargeAh,
            DischargeCoulombAh = dischargeAh,
            ChargeEnergyWh = chargeWh,
            DischargeEnergyWh = dischargeWh,
            MinVoltage = Math.Min(p.MinVoltage, sample.Voltage),
            MaxVoltage = Math.Max(p.MaxVoltage, sample.Voltage),
            ResistanceSum = resistanceSum,
            ResistanceCount = resistanceCount,
            ResidualSumSquares = p.ResidualSumSquares + (hasResidual ? residual * residual : 0),
            ResidualCount = p.ResidualCount + (hasResidual ? 1 : 0),
            Samples = p.Samples + 1,
            FirstHalfDirection = firstDirection,
            FirstHalfAh = firstAh,
            FirstHalfEnded = firstEnded,
            FirstHalfAgainstAh = firstAgainst,
        };
        return (p, completed, events);
    }

    /// <summary>
    /// The figures of a cycle in progress as if it ended now (for the end of a file or a live view), or, with
    /// <paramref name="ended"/>, of a cycle whose end the tracker saw (the next cycle began).
    /// </summary>
    public static CycleRecord Complete(CycleProgress p, bool ended = false)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new CycleRecord(
            p.Cycle,
            p.StartTimeNs,
            p.LastTimeNs,
            p.LastTestTime - p.StartTestTime,
            double.IsNaN(p.ChargeCounterAh) ? p.ChargeCoulombAh : p.ChargeCounterAh,
            double.IsNaN(p.DischargeCounterAh) ? p.DischargeCoulombAh : p.DischargeCounterAh,
            p.ChargeCoulombAh,
            p.DischargeCoulombAh,
            p.ChargeEnergyWh,
            p.DischargeEnergyWh,
            p.MinVoltage,
            p.MaxVoltage,
            p.ResistanceCount > 0 ? p.ResistanceSum / p.ResistanceCount : double.NaN,
            p.ResidualCount > 0 ? Math.Sqrt(p.ResidualSumSquares / p.ResidualCount) : double.NaN,
            p.Samples,
            Gaps(p, ended));
    }

    /// <summary>
    /// Whole cycles start at a full state. A first half-cycle that starts at one moves at least
    /// <see cref="WholeHalfFraction"/> of the charge its opposite half moves (a cycled cell's coulombic efficiency
    /// is above that), so a shorter first half of a cycle whose start was not seen, or of any charge-first cycle,
    /// is a part; so is the cycle in progress.
    /// </summary>
    internal static CycleGaps Gaps(CycleProgress p, bool ended)
    {
        var gaps = CycleGaps.None;
        if (p.ChargeCoulombAh <= 0 || p.DischargeCoulombAh <= 0)
        {
            gaps |= CycleGaps.HalfMissing;
        }

        // Counters that do not start at zero: the cycler counted charge before the first sample.
        var charge = double.IsNaN(p.ChargeCounterAh) ? p.ChargeCoulombAh : p.ChargeCounterAh;
        var discharge = double.IsNaN(p.DischargeCounterAh) ? p.DischargeCoulombAh : p.DischargeCounterAh;
        if (p.StartChargeCounterAh > CounterStartFraction * charge || p.StartDischargeCounterAh > CounterStartFraction * discharge)
        {
            gaps |= CycleGaps.StartMissing;
        }

        // A charge-first cycle that charged less than it then discharged (CE > 1/0.95) began inside a charge even
        // after a boundary the tracker saw (a replay, a protocol restart); discharge-first, low CE can be real.
        if ((!p.StartObserved || p.FirstHalfDirection > 0) && p.FirstHalfDirection != 0 && p.FirstHalfAh < WholeHalfFraction * Opposite(p, p.FirstHalfDirection))
        {
            gaps |= CycleGaps.StartMissing;
        }

        if (!ended)
        {
            gaps |= CycleGaps.EndMissing;
        }

        return gaps;
    }

    /// <summary>Least ratio of a whole half-cycle's charge to its opposite half's (coulombic efficiency ≥ 0.95).</summary>
    public const double WholeHalfFraction = 0.95;

    /// <summary>Counters at the first sample above this fraction of the cycle's total mean the cycle began earlier.</summary>
    public const double CounterStartFraction = 0.01;

    private static double Opposite(CycleProgress p, int direction) => direction > 0 ? p.DischargeCoulombAh : p.ChargeCoulombAh;

    /// <summary>
    /// Trapezoid rule for charge and energy over one interval, split at the zero crossing when the current changes
    /// sign, so charge and discharge are never netted against each other.
    /// </summary>
    internal static void Integrate(double i0, double i1, double v0, double v1, double dt, ref double chargeAh, ref double dischargeAh, ref double chargeWh, ref double dischargeWh)
    {
        if (i0 * i1 >= 0)
        {
            Add(i0, i1, v0, v1, dt, ref chargeAh, ref dischargeAh, ref chargeWh, ref dischargeWh);
            return;
        }

        var f = i0 / (i0 - i1);
        var vz = v0 + f * (v1 - v0);
        Add(i0, 0, v0, vz, f * dt, ref chargeAh, ref dischargeAh, ref chargeWh, ref dischargeWh);
        Add(0, i1, vz, v1, (1 - f) * dt, ref chargeAh, ref dischargeAh, ref chargeWh, ref dischargeWh);
    }

    private static void Add(double i0, double i1, double v0, double v1, double dt, ref double chargeAh, ref double dischargeAh, ref double chargeWh, ref double dischargeWh)
    {
        var ah = 0.5 * (i0 + i1) * dt / 3600.0;
        var wh = 0.5 * (v0 * i0 + v1 * i1) * dt / 3600.0;
        if (i0 + i1 > 0)
        {
            chargeAh += ah;
            chargeWh += wh;
        }
        else
        {
            dischargeAh -= ah;
            dischargeWh -= wh;
        }
    }

    private static double MaxIgnoringNaN(double a, double b) =>
        double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Max(a, b);
}
