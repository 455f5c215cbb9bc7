// The twin's figures as points of the measurement schema (docs/timeseries.md): telemetry it applied, twin state,
// cycle summaries, particle and binder states, forecasts, alerts and cell info. Pure mapping, no I/O.
using DigitalTwin.Estimation;
using DigitalTwin.Estimation.Alerts;
using DigitalTwin.Estimation.Cycles;
using DigitalTwin.Estimation.Forecast;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.TimeSeries.Points;
using static DigitalTwin.TimeSeries.Schema.Measurements;

namespace DigitalTwin.Twin.Series;

/// <summary>Series keys of one cell (built once per call) and the points the cell grain emits.</summary>
public sealed class TwinPoints(string cellId, string lotId, string model)
{
    private readonly SeriesKey _telemetry = SeriesKey.Create(Telemetry.Measurement, (Tags.Cell, cellId), (Tags.Lot, lotId));
    private readonly SeriesKey _state = SeriesKey.Create(TwinState.Measurement, (Tags.Cell, cellId), (Tags.Lot, lotId), (Tags.Model, model));

    public PointBatch Batch { get; } = new(64);

    /// <summary>One applied sample: the measured point and the twin's state at it (model voltage, residual, SOC).</summary>
    public void Sample(CellSample s, double modelVoltage, double soc)
    {
        var t = Batch.Add(_telemetry, s.TimeUnixNs)
            .Float(Telemetry.Voltage, s.Voltage)
            .Float(Telemetry.Current, s.Current)
            .Float(Telemetry.Temperature, s.TemperatureC)
            .Float(Telemetry.ChargeCapacity, s.ChargeCapacityAh)
            .Float(Telemetry.DischargeCapacity, s.DischargeCapacityAh)
            .Float(Telemetry.TestTime, s.TestTime)
            .Integer(Telemetry.Cycle, s.Cycle)
            .Integer(Telemetry.Step, s.Step);
        t.String(Telemetry.StepType, StepName(s.StepKind));
        Batch.Add(_state, s.TimeUnixNs)
            .Float(TwinState.ModelVoltage, modelVoltage)
            .Float(TwinState.MeasuredVoltage, s.Voltage)
            .Float(TwinState.VoltageResidual, s.Voltage - modelVoltage)
            .Float(TwinState.Soc, soc)
            .Integer(TwinState.Cycle, s.Cycle);
    }

    /// <summary>The state at the end of an applied segment: health figures join the last sample's point.</summary>
    public void SegmentEnd(long timeNs, double soh, double capacityAh, double resistance) =>
        Batch.Add(_state, timeNs)
            .Float(TwinState.Soh, soh)
            .Float(TwinState.CapacityEstimate, capacityAh)
            .Float(TwinState.ResistanceEstimate, resistance);

    public void Cycle(CycleRecord c) =>
        Batch.Add(SeriesKey.Create(CycleSummary.Measurement, (Tags.Cell, cellId), (Tags.Lot, lotId)), c.EndTimeNs)
            .Integer(CycleSummary.Cycle, c.Cycle)
            .Float(CycleSummary.ChargeCapacity, c.ChargeCapacityAh)
            .Float(CycleSummary.DischargeCapacity, c.DischargeCapacityAh)
            .Float(CycleSummary.CoulombicEfficiency, c.CoulombicEfficiency)
            .Float(CycleSummary.ChargeEnergy, c.ChargeEnergyWh)
            .Float(CycleSummary.DischargeEnergy, c.DischargeEnergyWh)
            .Float(CycleSummary.Duration, c.Duration)
            .Float(CycleSummary.VoltageMin, c.MinVoltage)
            .Float(CycleSummary.VoltageMax, c.MaxVoltage)
            .Float(CycleSummary.DcResistance, c.Resistance)
            .Boolean(CycleSummary.Partial, c.IsPartial);

    /// <summary>A forecast issued at <paramref name="issuedNs"/>; future cycles are placed one cycle duration apart.</summary>
    public void Forecast(ForecastResult f, long issuedNs, double cycleSeconds, double nominalCapacityAh)
    {
        var method = string.IsNullOrEmpty(f.Method) ? "trend" : f.Method;
        var key = SeriesKey.Create(TimeSeries.Schema.Measurements.Forecast.Measurement, (Tags.Cell, cellId), (Tags.Lot, lotId), (Tags.Method, method));
        var step = double.IsFinite(cycleSeconds) && cycleSeconds > 0 ? cycleSeconds : 0;
        for (var i = 0; i < f.TrajectoryCycle.Count; i++)
        {
            var ahead = f.TrajectoryCycle[i] - f.LastCycle;
            Batch.Add(key, issuedNs + (long)(Math.Max(0, ahead) * step * 1e9) + i)
                .Integer(TimeSeries.Schema.Measurements.Forecast.IssuedCycle, f.LastCycle)
                .Integer(TimeSeries.Schema.Measurements.Forecast.Cycle, f.TrajectoryCycle[i])
                .Float(TimeSeries.Schema.Measurements.Forecast.SohMedian, f.SohMedian[i])
                .Float(TimeSeries.Schema.Measurements.Forecast.SohLow, f.SohLower[i])
                .Float(TimeSeries.Schema.Measurements.Forecast.SohHigh, f.SohUpper[i])
                .Float(TimeSeries.Schema.Measurements.Forecast.CapacityMedian, f.SohMedian[i] * nominalCapacityAh)
                .Float(TimeSeries.Schema.Measurements.Forecast.CapacityLow, f.SohLower[i] * nominalCapacityAh)
                .Float(TimeSeries.Schema.Measurements.Forecast.CapacityHigh, f.SohUpper[i] * nominalCapacityAh);
        }

        Batch.Add(SeriesKey.Create(EolForecast.Measurement, (Tags.Cell, cellId), (Tags.Lot, lotId), (Tags.Method, method)), issuedNs)
            .Integer(EolForecast.IssuedCycle, f.LastCycle)
            .Float(EolForecast.EolCycleMedian, Finite(f.CyclesToEndOfLifeMedian))
            .Float(EolForecast.EolCycleLow, Finite(f.CyclesToEndOfLifeLower))
            .Float(EolForecast.EolCycleHigh, Finite(f.CyclesToEndOfLifeUpper))
            .Float(EolForecast.ThresholdSoh, f.EndOfLifeSoh);
    }

    /// <summary>An alert raised (active) or cleared, at the time it changed.</summary>
    public void Alert(ActiveAlert a, bool active, long timeNs) =>
        Batch.Add(SeriesKey.Create(TimeSeries.Schema.Measurements.Alert.Measurement, (Tags.Cell, cellId), (Tags.Lot, lotId),
                (Tags.Severity, a.Severity.ToString().ToLowerInvariant()), (Tags.Code, Snake(a.Kind.ToString()))), timeNs)
            .String(TimeSeries.Schema.Measurements.Alert.Message, a.Reason)
            .Float(TimeSeries.Schema.Measurements.Alert.Value, Finite(a.Value))
            .Float(TimeSeries.Schema.Measurements.Alert.Threshold, Finite(a.Threshold))
            .String(TimeSeries.Schema.Measurements.Alert.Unit, a.Unit)
            .Boolean(TimeSeries.Schema.Measurements.Alert.Active, active);

    /// <summary>An electrode after a segment: its particle classes and, when it has one, its binder.</summary>
    public void Electrode(string electrode, ElectrodeSnapshot e, int cycle)
    {
        foreach (var p in e.Particles)
        {
            var sizeClass = p.Key[(p.Key.LastIndexOf('/') + 1)..];
            Batch.Add(SeriesKey.Create(Particle.Measurement, (Tags.Cell, cellId), (Tags.Lot, lotId), (Tags.Electrode, electrode), (Tags.SizeClass, sizeClass)), p.TimeNs)
                .Float(Particle.Radius, p.Radius)
                .Float(Particle.HoopStressSurface, Finite(p.SurfaceHoopStress))
                .Float(Particle.InterfaceGap, Finite(p.InterfaceGap))
                .Float(Particle.FractureStrength, Finite(p.Strength))
                .Integer(Particle.Cycle, cycle);
        }

        if (e.Binder is { } b)
        {
            Batch.Add(SeriesKey.Create(Binder.Measurement, (Tags.Cell, cellId), (Tags.Lot, lotId), (Tags.Electrode, electrode)), e.TimeNs)
                .Float(Binder.VonMisesStress, Finite(b.PeakStress))
                .Float(Binder.YieldStress, Finite(b.YieldStress))
                .Float(Binder.PlasticStrain, Finite(b.AccumulatedPlasticStrain))
                .Float(Binder.FractureMargin, Finite(b.FractureMargin))
                .Integer(Binder.Cycle, b.Cycle);
        }
    }

    /// <summary>A DEM packing study of an electrode: its last (swelling) stage, with the twin's comparisons.</summary>
    public void Dem(string electrode, PackingSnapshot p)
    {
        var se = p.Types.FirstOrDefault(t => !t.ActiveMaterial);
        var point = Batch.Add(SeriesKey.Create(DemStage.Measurement, (Tags.Study, p.StudyId), (Tags.Stage, DigitalTwin.Twin.Dem.PackingStudySpec.SwellStage), (Tags.Cell, cellId), (Tags.Lot, lotId), (Tags.Electrode, electrode)), p.FinishedAtNs)
            .Integer(DemStage.StageIndex, 1)
            .Float(DemStage.AppliedPressure, Finite(p.PlatePressure))
            .Float(DemStage.CoordinationNumber, Finite(p.MeanCoordination))
            .Integer(DemStage.ContactCount, p.Contacts)
            .Float(DemStage.SolidFraction, Finite(p.SolidFraction))
            .Float(DemStage.Thickness, Finite(p.Thickness))
            .Float(DemStage.ActiveMaterialStress, Finite(p.ActiveMaterialStressZz))
            .Float(DemStage.SwellingStrain, Finite(p.SwellingStrain))
            .Float(DemStage.StressToStrength, Finite(p.StressToStrengthRatio))
            .Integer(DemStage.Cycle, p.Cycle);
        if (se is not null)
        {
            point.Float(DemStage.ElectrolyteStress, Finite(se.StressZz))
                .Integer(DemStage.AmSeContacts, p.AmSeContacts)
                .Float(DemStage.AmSeCoordination, Finite(p.AmSeCoordination))
                .Float(DemStage.AmSeContactLoss, Finite(p.AmSeContactLoss));
        }
    }

    public void Info(CellRegistration r, string status) =>
        Batch.Add(SeriesKey.Create(CellInfo.Measurement, (Tags.Cell, cellId), (Tags.Lot, lotId)), r.RegisteredAtNs)
            .String(CellInfo.Chemistry, r.Design.ParameterSet)
            .String(CellInfo.Electrolyte, r.Design.Electrolyte.ToString().ToLowerInvariant())
            .Float(CellInfo.NominalCapacity, r.Design.NominalCapacityAh)
            .Float(CellInfo.FabricationPressure, Finite(r.Design.FabricationPressure))
            .Float(CellInfo.StackPressure, Finite(r.Design.StackPressure))
            .String(CellInfo.Status, status);

    /// <summary>NaN (no value) for what line protocol cannot carry; a float field is simply left out then.</summary>
    private static double Finite(double v) => double.IsFinite(v) ? v : double.NaN;

    private static string StepName(StepKind kind) => kind switch
    {
        StepKind.Rest or StepKind.Pause => "rest",
        StepKind.CcCharge or StepKind.CpCharge => "cc_charge",
        StepKind.CvCharge or StepKind.CccvCharge => "cv_charge",
        StepKind.CcDischarge or StepKind.CpDischarge => "cc_discharge",
        StepKind.CvDischarge or StepKind.CccvDischarge => "cv_discharge",
        StepKind.Pulse => "pulse",
        StepKind.Eis => "eis",
        _ => "other",
    };

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
