// State of health per cycle: capacity fade (measured discharge capacity over nominal) and resistance fade (over the first estimate).
using DigitalTwin.Estimation.Cycles;

namespace DigitalTwin.Estimation.Health;

/// <summary>One cycle's health figures.</summary>
/// <param name="Cycle">Cycle number [index].</param>
/// <param name="CapacityAh">Discharge capacity of the cycle [A.h].</param>
/// <param name="Soh">Capacity over nominal capacity [dimensionless].</param>
/// <param name="Resistance">DC resistance of the cycle; NaN when it had no current step [Ω].</param>
/// <param name="ResistanceRatio">Resistance over the first cycle's resistance; NaN when either is unknown [dimensionless].</param>
public sealed record HealthPoint(int Cycle, double CapacityAh, double Soh, double Resistance, double ResistanceRatio);

/// <summary>The health history a cell keeps (the most recent <see cref="HealthOptions.Window"/> qualifying cycles).</summary>
public sealed record HealthState(IReadOnlyList<HealthPoint> Recent, double ReferenceResistance, int QualifiedCycles)
{
    public static HealthState Empty { get; } = new([], double.NaN, 0);

    /// <summary>The latest point, or null before the first qualifying cycle.</summary>
    public HealthPoint? Latest => Recent.Count > 0 ? Recent[^1] : null;
}

/// <summary>Which cycles count and how much history is kept.</summary>
/// <param name="MinDischargeFraction">A cycle counts for SOH only if it discharged at least this share of nominal capacity (a partial cycle is not fade) [dimensionless].</param>
/// <param name="Window">Cycles kept for the forecast [count].</param>
public sealed record HealthOptions(double MinDischargeFraction = 0.5, int Window = 200);

public static class HealthTracker
{
    /// <summary>Adds a completed cycle; cycles that discharged too little leave the state unchanged.</summary>
    public static HealthState Add(HealthState state, CycleRecord cycle, double nominalCapacityAh, HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(cycle);
        ArgumentNullException.ThrowIfNull(options);
        if (!(nominalCapacityAh > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(nominalCapacityAh), nominalCapacityAh, "Nominal capacity must be positive [A.h].");
        }

        if (!(cycle.DischargeCapacityAh >= options.MinDischargeFraction * nominalCapacityAh))
        {
            return state;
        }

        var reference = double.IsNaN(state.ReferenceResistance) ? cycle.Resistance : state.ReferenceResistance;
        var point = new HealthPoint(
            cycle.Cycle,
            cycle.DischargeCapacityAh,
            cycle.DischargeCapacityAh / nominalCapacityAh,
            cycle.Resistance,
            cycle.Resistance / reference);
        var recent = state.Recent.Where(p => p.Cycle != cycle.Cycle).Append(point).TakeLast(options.Window).ToArray();
        return new HealthState(recent, reference, state.QualifiedCycles + 1);
    }
}
