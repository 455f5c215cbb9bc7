// Ingest's normalized samples and cycle summaries as time-series points (telemetry, cycle_summary).
// The Ingest service and the twin can write through this too; nothing in it is demo-specific.
using DigitalTwin.Telemetry;
using DigitalTwin.TimeSeries.Points;
using M = DigitalTwin.TimeSeries.Schema.Measurements;
using TelemetryCycle = DigitalTwin.Telemetry.CycleSummary;

namespace DigitalTwin.TimeSeries.Demo;

public static class TelemetryPoints
{
    public static string StepTypeName(StepType type) => type switch
    {
        StepType.Rest => "rest",
        StepType.CcCharge => "cc_charge",
        StepType.CvCharge => "cv_charge",
        StepType.CcDischarge => "cc_discharge",
        StepType.CvDischarge => "cv_discharge",
        StepType.Pulse => "pulse",
        StepType.Eis => "eis",
        _ => "other",
    };

    public static void Add(PointBatch batch, SeriesKey telemetry, in Sample sample, long timestampNs) =>
        batch.Add(telemetry, timestampNs)
            .Float(M.Telemetry.Voltage, sample.Voltage)
            .Float(M.Telemetry.Current, sample.Current)
            .Float(M.Telemetry.Temperature, sample.Temperature)
            .Float(M.Telemetry.ChargeCapacity, sample.ChargeCapacity)
            .Float(M.Telemetry.DischargeCapacity, sample.DischargeCapacity)
            .Float(M.Telemetry.ChargeEnergy, sample.ChargeEnergy)
            .Float(M.Telemetry.DischargeEnergy, sample.DischargeEnergy)
            .Float(M.Telemetry.TestTime, sample.TestTime)
            .Integer(M.Telemetry.Cycle, sample.Cycle)
            .Integer(M.Telemetry.Step, sample.Step)
            .String(M.Telemetry.StepType, StepTypeName(sample.StepType));

    /// <summary>A cycle summary as a cycle_summary point at the cycle's end.</summary>
    public static void Add(PointBatch batch, SeriesKey cycleSummary, TelemetryCycle cycle, long endNs) =>
        batch.Add(cycleSummary, endNs)
            .Integer(M.CycleSummary.Cycle, cycle.Cycle)
            .Float(M.CycleSummary.ChargeCapacity, cycle.ChargeCapacity)
            .Float(M.CycleSummary.DischargeCapacity, cycle.DischargeCapacity)
            .Float(M.CycleSummary.CoulombicEfficiency, cycle.CoulombicEfficiency)
            .Float(M.CycleSummary.ChargeEnergy, cycle.ChargeEnergy)
            .Float(M.CycleSummary.DischargeEnergy, cycle.DischargeEnergy)
            .Float(M.CycleSummary.MeanChargeVoltage, cycle.MeanChargeVoltage)
            .Float(M.CycleSummary.MeanDischargeVoltage, cycle.MeanDischargeVoltage)
            .Float(M.CycleSummary.Duration, cycle.Duration)
            .Float(M.CycleSummary.VoltageMin, cycle.VoltageMin)
            .Float(M.CycleSummary.VoltageMax, cycle.VoltageMax)
            .Float(M.CycleSummary.CvTime, cycle.CvTime)
            .Float(M.CycleSummary.DcResistance, cycle.DcResistance)
            .Boolean(M.CycleSummary.Partial, cycle.IsPartial);
}
