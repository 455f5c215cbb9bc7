// One normalized telemetry sample as the twin applies it (SI units, UTC, current > 0 while charging).
namespace DigitalTwin.Estimation;

/// <summary>What the cycler was doing (the contract's step types).</summary>
public enum StepKind : byte
{
    Unspecified = 0,
    Rest = 1,
    CcCharge = 2,
    CvCharge = 3,
    CccvCharge = 4,
    CcDischarge = 5,
    CvDischarge = 6,
    CccvDischarge = 7,
    CpCharge = 8,
    CpDischarge = 9,
    Pulse = 10,
    Eis = 11,
    Pause = 12,
    Other = 13,
}

/// <summary>
/// One sample of one source. <see cref="Sequence"/> is the per-source number (from 1, strictly increasing) that makes
/// application exactly-once. Counters are accumulated since the start of the cycle; NaN marks a missing value.
/// </summary>
/// <param name="Sequence">Per-source sample number [sequence].</param>
/// <param name="TimeUnixNs">Sample time, UTC [ns since the Unix epoch].</param>
/// <param name="TestTime">Time since the start of the test [s].</param>
/// <param name="Cycle">Cycle number [index].</param>
/// <param name="Step">Step number of the schedule [index].</param>
/// <param name="StepKind">What the cycler was doing.</param>
/// <param name="Current">Cell current, positive while charging [A].</param>
/// <param name="Voltage">Cell voltage [V].</param>
/// <param name="TemperatureC">Cell temperature [°C]; NaN when absent.</param>
/// <param name="ChargeCapacityAh">Charge since the start of the cycle [A.h]; NaN when absent.</param>
/// <param name="DischargeCapacityAh">Discharge since the start of the cycle, positive [A.h]; NaN when absent.</param>
public readonly record struct CellSample(
    ulong Sequence,
    long TimeUnixNs,
    double TestTime,
    int Cycle,
    int Step,
    StepKind StepKind,
    double Current,
    double Voltage,
    double TemperatureC,
    double ChargeCapacityAh,
    double DischargeCapacityAh);
