// The measurement schema: every measurement the twin, Ingest and the demo write, with tags,
// fields and units. Typed keys (Measurements.Telemetry.Voltage) instead of strings, so a
// renamed field is a compile error; docs/timeseries.md is this file in prose.
namespace DigitalTwin.TimeSeries.Schema;

public static class Measurements
{
    private const string Volt = "volt";
    private const string Ampere = "amp";
    private const string AmpHour = "amph";
    private const string WattHour = "watth";
    private const string Seconds = "s";
    private const string Fraction = "percentunit";
    private const string Ohm = "ohm";
    private const string Pascal = "si:Pa";
    private const string Metre = "si:m";

    /// <summary>Every measurement, in documentation order.</summary>
    public static IReadOnlyList<MeasurementDefinition> All { get; } =
    [
        Telemetry.Measurement, CycleSummary.Measurement, TwinState.Measurement, Particle.Measurement,
        Binder.Measurement, DemStage.Measurement, DemDepthProfile.Measurement, DemSizeProfile.Measurement,
        Forecast.Measurement, EolForecast.Measurement, Alert.Measurement, CellInfo.Measurement,
    ];

    private static readonly Dictionary<string, MeasurementDefinition> ByName =
        All.ToDictionary(m => m.Name, StringComparer.Ordinal);

    public static MeasurementDefinition? Find(string name) => ByName.GetValueOrDefault(name);

    public static MeasurementDefinition Get(string name) =>
        Find(name) ?? throw new KeyNotFoundException(
            $"Unknown measurement '{name}'. Known: {string.Join(", ", All.Select(m => m.Name))}.");

    /// <summary>Tags shared by several measurements.</summary>
    public static class Tags
    {
        public static readonly TagDefinition Cell = new("cell", "Cell identifier (as registered with the twin).");
        public static readonly TagDefinition Lot = new("lot", "Production lot the cell belongs to.");
        public static readonly TagDefinition Model = new("model", "Electrochemical model the twin runs: spm, spme or dfn.");
        public static readonly TagDefinition Electrode = new("electrode", "positive or negative.");
        public static readonly TagDefinition SizeClass = new("size_class", "Particle size class, e.g. r05.0um (nominal radius).");
        public static readonly TagDefinition Study = new("study", "DEM study identifier.");
        public static readonly TagDefinition Stage = new("stage", "DEM process stage: fill, press, release, cycle, ...");
        public static readonly TagDefinition Bin = new("bin", "Profile bin index, zero-padded (000, 001, ...).");
        public static readonly TagDefinition Method = new("method", "Forecast method: trend, physics or combined.");
        public static readonly TagDefinition Severity = new("severity", "info, warning or critical.");
        public static readonly TagDefinition Code = new("code", "Alert kind, e.g. particle_strength, interface_gap, binder_fracture.");
    }

    /// <summary>Normalized cycler samples (Ingest, issue 7).</summary>
    public static class Telemetry
    {
        public static readonly FieldDefinition Voltage = FieldDefinition.Float("voltage", "Voltage", "V", "Terminal voltage.", Volt);
        public static readonly FieldDefinition Current = FieldDefinition.Float("current", "Current", "A", "Current; > 0 when charging (cycler convention).", Ampere);
        public static readonly FieldDefinition Temperature = FieldDefinition.Float("temperature", "Temperature", "°C", "Cell temperature as reported by the cycler (Ingest keeps °C).", "celsius");
        public static readonly FieldDefinition ChargeCapacity = FieldDefinition.Float("charge_capacity", "Charge capacity", "Ah", "Charge passed into the cell since the start of the cycle.", AmpHour);
        public static readonly FieldDefinition DischargeCapacity = FieldDefinition.Float("discharge_capacity", "Discharge capacity", "Ah", "Charge drawn from the cell since the start of the cycle.", AmpHour);
        public static readonly FieldDefinition ChargeEnergy = FieldDefinition.Float("charge_energy", "Charge energy", "Wh", "Energy into the cell since the start of the cycle.", WattHour);
        public static readonly FieldDefinition DischargeEnergy = FieldDefinition.Float("discharge_energy", "Discharge energy", "Wh", "Energy drawn from the cell since the start of the cycle.", WattHour);
        public static readonly FieldDefinition TestTime = FieldDefinition.Float("test_time", "Test time", "s", "Time since the start of the test.", Seconds);
        public static readonly FieldDefinition Cycle = FieldDefinition.Integer("cycle", "Cycle", "Cycle index (from 1).");
        public static readonly FieldDefinition Step = FieldDefinition.Integer("step", "Step", "Step index within the test schedule.");
        public static readonly FieldDefinition StepType = FieldDefinition.Text("step_type", "Step type", "rest, cc_charge, cv_charge, cc_discharge, cv_discharge, pulse, eis or other.");

        public static readonly MeasurementDefinition Measurement = new("telemetry",
            "Normalized cycler samples, one point per sample.", "Sample time (UTC).",
            [Tags.Cell, Tags.Lot],
            [Voltage, Current, Temperature, ChargeCapacity, DischargeCapacity, ChargeEnergy, DischargeEnergy, TestTime, Cycle, Step, StepType]);
    }

    /// <summary>One point per completed cycle (Ingest's per-cycle table).</summary>
    public static class CycleSummary
    {
        public static readonly FieldDefinition Cycle = FieldDefinition.Integer("cycle", "Cycle", "Cycle index (from 1).");
        public static readonly FieldDefinition ChargeCapacity = FieldDefinition.Float("charge_capacity", "Charge capacity", "Ah", "Charge passed into the cell during the cycle.", AmpHour);
        public static readonly FieldDefinition DischargeCapacity = FieldDefinition.Float("discharge_capacity", "Discharge capacity", "Ah", "Charge drawn from the cell during the cycle.", AmpHour);
        public static readonly FieldDefinition CoulombicEfficiency = FieldDefinition.Float("coulombic_efficiency", "Coulombic efficiency", "1", "Discharge over charge capacity.", Fraction, "%", 100);
        public static readonly FieldDefinition ChargeEnergy = FieldDefinition.Float("charge_energy", "Charge energy", "Wh", "Energy into the cell during the cycle.", WattHour);
        public static readonly FieldDefinition DischargeEnergy = FieldDefinition.Float("discharge_energy", "Discharge energy", "Wh", "Energy drawn from the cell during the cycle.", WattHour);
        public static readonly FieldDefinition MeanChargeVoltage = FieldDefinition.Float("mean_charge_voltage", "Mean charge voltage", "V", "Charge energy over charge capacity.", Volt);
        public static readonly FieldDefinition MeanDischargeVoltage = FieldDefinition.Float("mean_discharge_voltage", "Mean discharge voltage", "V", "Discharge energy over discharge capacity.", Volt);
        public static readonly FieldDefinition Duration = FieldDefinition.Float("duration", "Duration", "s", "Duration of the cycle.", Seconds, "h", 1.0 / 3600);
        public static readonly FieldDefinition VoltageMin = FieldDefinition.Float("voltage_min", "Minimum voltage", "V", "Lowest voltage in the cycle.", Volt);
        public static readonly FieldDefinition VoltageMax = FieldDefinition.Float("voltage_max", "Maximum voltage", "V", "Highest voltage in the cycle.", Volt);
        public static readonly FieldDefinition CvTime = FieldDefinition.Float("cv_time", "CV time", "s", "Time spent in constant-voltage steps.", Seconds, "min", 1.0 / 60);
        public static readonly FieldDefinition DcResistance = FieldDefinition.Float("dc_resistance", "DC resistance", "Ω", "DC resistance from the cycle's current pulses or steps.", Ohm, "mΩ", 1e3);
        public static readonly FieldDefinition Partial = FieldDefinition.Boolean("partial", "Partial cycle",
            "true when the data holds only part of the cycle (first or last cycle seen, or no charge or no discharge); coulombic_efficiency is then absent.");

        public static readonly MeasurementDefinition Measurement = new("cycle_summary",
            "Per-cycle capacities, efficiency, energies and resistance.", "End of the cycle (UTC).",
            [Tags.Cell, Tags.Lot],
            [Cycle, ChargeCapacity, DischargeCapacity, CoulombicEfficiency, ChargeEnergy, DischargeEnergy,
             MeanChargeVoltage, MeanDischargeVoltage, Duration, VoltageMin, VoltageMax, CvTime, DcResistance, Partial]);
    }

    /// <summary>The cell twin's estimate, one point per applied sample or segment.</summary>
    public static class TwinState
    {
        public static readonly FieldDefinition Soc = FieldDefinition.Float("soc", "State of charge", "1", "Estimated state of charge (0..1).", Fraction, "%", 100);
        public static readonly FieldDefinition Soh = FieldDefinition.Float("soh", "State of health", "1", "Estimated capacity over nominal capacity.", Fraction, "%", 100);
        public static readonly FieldDefinition CapacityEstimate = FieldDefinition.Float("capacity_estimate", "Capacity estimate", "Ah", "Estimated present capacity.", AmpHour);
        public static readonly FieldDefinition ResistanceEstimate = FieldDefinition.Float("resistance_estimate", "Resistance estimate", "Ω", "Estimated ohmic resistance.", Ohm, "mΩ", 1e3);
        public static readonly FieldDefinition ModelVoltage = FieldDefinition.Float("model_voltage", "Model voltage", "V", "Voltage predicted by the electrochemical model for the measured current.", Volt);
        public static readonly FieldDefinition MeasuredVoltage = FieldDefinition.Float("measured_voltage", "Measured voltage", "V", "Measured voltage the prediction is compared with.", Volt);
        public static readonly FieldDefinition VoltageResidual = FieldDefinition.Float("voltage_residual", "Voltage residual", "V", "Measured minus model voltage.", Volt, "mV", 1e3);
        public static readonly FieldDefinition Cycle = FieldDefinition.Integer("cycle", "Cycle", "Cycle index the state belongs to.");

        public static readonly MeasurementDefinition Measurement = new("twin_state",
            "State of charge and health, model vs measured voltage.", "Sample time the state refers to (UTC).",
            [Tags.Cell, Tags.Lot, Tags.Model],
            [Soc, Soh, CapacityEstimate, ResistanceEstimate, ModelVoltage, MeasuredVoltage, VoltageResidual, Cycle]);
    }

    /// <summary>Representative particle per electrode and size class (Mechanics service).</summary>
    public static class Particle
    {
        public static readonly FieldDefinition Radius = FieldDefinition.Float("radius", "Particle radius", "m", "Nominal radius of the size class.", Metre, "µm", 1e6);
        public static readonly FieldDefinition SurfaceConcentration = FieldDefinition.Float("surface_concentration", "Surface concentration", "mol.m-3", "Lithium concentration at the particle surface.", "suffix: mol/m³");
        public static readonly FieldDefinition HoopStressSurface = FieldDefinition.Float("hoop_stress_surface", "Hoop stress at surface", "Pa", "Diffusion-induced tangential stress at the surface (> 0 tensile).", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition RadialStressCenter = FieldDefinition.Float("radial_stress_center", "Radial stress at centre", "Pa", "Diffusion-induced radial stress at the centre (> 0 tensile).", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition VonMisesMax = FieldDefinition.Float("von_mises_max", "Max von Mises stress", "Pa", "Largest von Mises stress over the radius.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition InterfaceGap = FieldDefinition.Float("interface_gap", "Interface gap", "m", "Gap opened between particle and electrolyte/binder.", Metre, "nm", 1e9);
        public static readonly FieldDefinition FractureStrength = FieldDefinition.Float("fracture_strength", "Fracture strength", "Pa", "Present fracture strength after damage.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition Damage = FieldDefinition.Float("damage", "Damage", "1", "Accumulated damage (0 intact .. 1 fractured).", Fraction, "%", 100);
        public static readonly FieldDefinition Cycle = FieldDefinition.Integer("cycle", "Cycle", "Cycle index the state belongs to.");

        public static readonly MeasurementDefinition Measurement = new("particle",
            "Stresses, interface gap and strength of a representative particle.", "Time of the state (UTC), usually the end of a cycle.",
            [Tags.Cell, Tags.Lot, Tags.Electrode, Tags.SizeClass],
            [Radius, SurfaceConcentration, HoopStressSurface, RadialStressCenter, VonMisesMax, InterfaceGap, FractureStrength, Damage, Cycle]);
    }

    /// <summary>Binder (carbon-binder matrix) state per electrode (Viscoplastic service).</summary>
    public static class Binder
    {
        public static readonly FieldDefinition VonMisesStress = FieldDefinition.Float("von_mises_stress", "Binder von Mises stress", "Pa", "Von Mises stress in the binder next to the particles.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition YieldStress = FieldDefinition.Float("yield_stress", "Binder yield stress", "Pa", "Current yield stress (after hardening).", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition PlasticStrain = FieldDefinition.Float("equivalent_plastic_strain", "Equivalent plastic strain", "1", "Accumulated equivalent plastic strain.", Fraction, "%", 100);
        public static readonly FieldDefinition FractureMargin = FieldDefinition.Float("fracture_margin", "Fracture margin", "1", "1 − stress / fracture stress (0 = at fracture).", Fraction, "%", 100);
        public static readonly FieldDefinition Cycle = FieldDefinition.Integer("cycle", "Cycle", "Cycle index the state belongs to.");

        public static readonly MeasurementDefinition Measurement = new("binder",
            "Binder stress, plastic strain and margin to fracture.", "Time of the state (UTC), usually the end of a cycle.",
            [Tags.Cell, Tags.Lot, Tags.Electrode],
            [VonMisesStress, YieldStress, PlasticStrain, FractureMargin, Cycle]);
    }

    /// <summary>DEM packing study, one point per stage.</summary>
    public static class DemStage
    {
        public static readonly FieldDefinition StageIndex = FieldDefinition.Integer("stage_index", "Stage index", "Order of the stage in the study (from 0).");
        public static readonly FieldDefinition AppliedPressure = FieldDefinition.Float("applied_pressure", "Applied pressure", "Pa", "Pressure applied by the servo wall in this stage.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition MeanStress = FieldDefinition.Float("mean_stress", "Mean stress", "Pa", "Mean normal stress in the packing.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition MaxStress = FieldDefinition.Float("max_stress", "Max particle stress", "Pa", "Largest particle stress.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition CoordinationNumber = FieldDefinition.Float("coordination_number", "Coordination number", "1", "Mean contacts per particle.", "none");
        public static readonly FieldDefinition ContactCount = FieldDefinition.Integer("contact_count", "Contacts", "Number of particle–particle and particle–wall contacts.", grafanaUnit: "short");
        public static readonly FieldDefinition SolidFraction = FieldDefinition.Float("solid_fraction", "Solid fraction", "1", "Volume fraction of solid in the packing.", Fraction, "%", 100);
        public static readonly FieldDefinition Thickness = FieldDefinition.Float("thickness", "Thickness", "m", "Packing thickness at the end of the stage.", Metre, "µm", 1e6);
        public static readonly FieldDefinition ActiveMaterialStress = FieldDefinition.Float("am_stress_zz", "AM packing stress", "Pa", "Volume-weighted mean through-thickness stress in the active material, compressive-positive.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition ElectrolyteStress = FieldDefinition.Float("se_stress_zz", "SE packing stress", "Pa", "Volume-weighted mean through-thickness stress in the solid electrolyte, compressive-positive.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition AmSeContacts = FieldDefinition.Integer("am_se_contacts", "AM–SE contacts", "Contacts between active-material and solid-electrolyte particles.", grafanaUnit: "short");
        public static readonly FieldDefinition AmSeCoordination = FieldDefinition.Float("am_se_coordination", "AM–SE coordination", "1", "Solid-electrolyte contacts per active-material particle.", "none");
        public static readonly FieldDefinition AmSeContactLoss = FieldDefinition.Float("am_se_contact_loss", "AM–SE contact loss", "1", "AM–SE contacts lost since the electrode's first study (twin studies).", Fraction, "%", 100);
        public static readonly FieldDefinition StressToStrength = FieldDefinition.Float("stress_to_strength", "Packing stress / strength", "1", "AM packing stress over the weakest particle class's fracture strength (twin studies).", Fraction, "%", 100);
        public static readonly FieldDefinition SwellingStrain = FieldDefinition.Float("swelling_strain", "AM swelling strain", "1", "Active-material diameter strain applied in the stage.", Fraction, "%", 100);
        public static readonly FieldDefinition Cycle = FieldDefinition.Integer("cycle", "Cycle", "Cycle of the cell the study belongs to (twin studies).");

        public static readonly MeasurementDefinition Measurement = new("dem_stage",
            "Stage results of a DEM packing study (fill, press, release, cycle); the twin's electrode studies add cell, lot and electrode tags.", "Time the stage finished (UTC).",
            [Tags.Study, Tags.Stage, Tags.Cell, Tags.Lot, Tags.Electrode],
            [StageIndex, AppliedPressure, MeanStress, MaxStress, CoordinationNumber, ContactCount, SolidFraction, Thickness,
             ActiveMaterialStress, ElectrolyteStress, AmSeContacts, AmSeCoordination, AmSeContactLoss, StressToStrength, SwellingStrain, Cycle]);
    }

    /// <summary>DEM stress profile through the electrode thickness, one point per depth bin.</summary>
    public static class DemDepthProfile
    {
        public static readonly FieldDefinition Depth = FieldDefinition.Float("depth", "Depth", "m", "Depth of the bin centre below the top surface.", Metre, "µm", 1e6);
        public static readonly FieldDefinition NormalStress = FieldDefinition.Float("normal_stress", "Normal stress", "Pa", "Through-thickness normal stress in the bin.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition SolidFraction = FieldDefinition.Float("solid_fraction", "Solid fraction", "1", "Volume fraction of solid in the bin.", Fraction, "%", 100);
        public static readonly FieldDefinition CoordinationNumber = FieldDefinition.Float("coordination_number", "Coordination number", "1", "Mean contacts per particle in the bin.", "none");

        public static readonly MeasurementDefinition Measurement = new("dem_depth_profile",
            "Stress, solid fraction and coordination vs depth, per stage.", "Time the stage finished (UTC).",
            [Tags.Study, Tags.Stage, Tags.Bin],
            [Depth, NormalStress, SolidFraction, CoordinationNumber]);
    }

    /// <summary>DEM particle stress by particle size, one point per size bin.</summary>
    public static class DemSizeProfile
    {
        public static readonly FieldDefinition ParticleRadius = FieldDefinition.Float("particle_radius", "Particle radius", "m", "Radius at the bin centre.", Metre, "µm", 1e6);
        public static readonly FieldDefinition MeanStress = FieldDefinition.Float("mean_stress", "Mean particle stress", "Pa", "Mean particle stress of the particles in the bin.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition MaxStress = FieldDefinition.Float("max_stress", "Max particle stress", "Pa", "Largest particle stress in the bin.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition ContactCount = FieldDefinition.Integer("contact_count", "Contacts", "Contacts of the particles in the bin.", grafanaUnit: "short");
        public static readonly FieldDefinition CoordinationNumber = FieldDefinition.Float("coordination_number", "Coordination number", "1", "Mean contacts per particle in the bin.", "none");

        public static readonly MeasurementDefinition Measurement = new("dem_size_profile",
            "Particle stress and contacts vs particle size, per stage.", "Time the stage finished (UTC).",
            [Tags.Study, Tags.Stage, Tags.Bin],
            [ParticleRadius, MeanStress, MaxStress, ContactCount, CoordinationNumber]);
    }

    /// <summary>Capacity forecast curve: one point per future cycle of one issue.</summary>
    public static class Forecast
    {
        public static readonly FieldDefinition IssuedCycle = FieldDefinition.Integer("issued_cycle", "Issued at cycle", "Cycle after which this forecast was issued.");
        public static readonly FieldDefinition Cycle = FieldDefinition.Integer("cycle", "Cycle", "Future cycle the point forecasts.");
        public static readonly FieldDefinition SohMedian = FieldDefinition.Float("soh_median", "SOH median", "1", "Median forecast state of health.", Fraction, "%", 100);
        public static readonly FieldDefinition SohLow = FieldDefinition.Float("soh_low", "SOH 5th percentile", "1", "Lower edge of the 90 % band.", Fraction, "%", 100);
        public static readonly FieldDefinition SohHigh = FieldDefinition.Float("soh_high", "SOH 95th percentile", "1", "Upper edge of the 90 % band.", Fraction, "%", 100);
        public static readonly FieldDefinition CapacityMedian = FieldDefinition.Float("capacity_median", "Capacity median", "Ah", "Median forecast capacity.", AmpHour);
        public static readonly FieldDefinition CapacityLow = FieldDefinition.Float("capacity_low", "Capacity 5th percentile", "Ah", "Lower edge of the 90 % band.", AmpHour);
        public static readonly FieldDefinition CapacityHigh = FieldDefinition.Float("capacity_high", "Capacity 95th percentile", "Ah", "Upper edge of the 90 % band.", AmpHour);

        public static readonly MeasurementDefinition Measurement = new("forecast",
            "Forecast state of health and capacity with a 90 % band; select one issue by issued_cycle.",
            "Projected time of the forecast cycle (UTC).",
            [Tags.Cell, Tags.Lot, Tags.Method],
            [IssuedCycle, Cycle, SohMedian, SohLow, SohHigh, CapacityMedian, CapacityLow, CapacityHigh]);
    }

    /// <summary>End-of-life forecast, one point per issue.</summary>
    public static class EolForecast
    {
        public static readonly FieldDefinition IssuedCycle = FieldDefinition.Integer("issued_cycle", "Issued at cycle", "Cycle after which this forecast was issued.");
        public static readonly FieldDefinition EolCycleMedian = FieldDefinition.Float("eol_cycle_median", "End of life (median)", "cycles", "Median cycle at which SOH reaches the threshold.", "none");
        public static readonly FieldDefinition EolCycleLow = FieldDefinition.Float("eol_cycle_low", "End of life (5th percentile)", "cycles", "Lower edge of the 90 % band.", "none");
        public static readonly FieldDefinition EolCycleHigh = FieldDefinition.Float("eol_cycle_high", "End of life (95th percentile)", "cycles", "Upper edge of the 90 % band.", "none");
        public static readonly FieldDefinition ThresholdSoh = FieldDefinition.Float("threshold_soh", "End-of-life threshold", "1", "State of health defining end of life (0.8 by default).", Fraction, "%", 100);

        public static readonly MeasurementDefinition Measurement = new("eol_forecast",
            "Forecast end of life with a 90 % band.", "Time the forecast was issued (UTC).",
            [Tags.Cell, Tags.Lot, Tags.Method],
            [IssuedCycle, EolCycleMedian, EolCycleLow, EolCycleHigh, ThresholdSoh]);
    }

    /// <summary>Alerts raised and cleared by the twin.</summary>
    public static class Alert
    {
        public static readonly FieldDefinition Message = FieldDefinition.Text("message", "Message", "What is wrong and why, for a person.");
        public static readonly FieldDefinition Value = FieldDefinition.Float("value", "Value", "varies", "Value that triggered the alert, in the unit named by the unit field.", "none");
        public static readonly FieldDefinition Threshold = FieldDefinition.Float("threshold", "Threshold", "varies", "Threshold it was compared with, same unit as value.", "none");
        public static readonly FieldDefinition Unit = FieldDefinition.Text("unit", "Unit", "Unit of value and threshold.");
        public static readonly FieldDefinition Active = FieldDefinition.Boolean("active", "Active", "true when raised, false when cleared.");

        public static readonly MeasurementDefinition Measurement = new("alert",
            "Alerts with reasons; a point with active=false clears the alert of the same code.", "Time raised or cleared (UTC).",
            [Tags.Cell, Tags.Lot, Tags.Severity, Tags.Code],
            [Message, Value, Threshold, Unit, Active]);
    }

    /// <summary>Cell registration and status, written on registration and on every status change.</summary>
    public static class CellInfo
    {
        public static readonly FieldDefinition Chemistry = FieldDefinition.Text("chemistry", "Chemistry", "Cell chemistry or parameter set, e.g. NMC811/graphite.");
        public static readonly FieldDefinition Electrolyte = FieldDefinition.Text("electrolyte", "Electrolyte", "liquid or solid.");
        public static readonly FieldDefinition NominalCapacity = FieldDefinition.Float("nominal_capacity", "Nominal capacity", "Ah", "Rated capacity SOH refers to.", AmpHour);
        public static readonly FieldDefinition FabricationPressure = FieldDefinition.Float("fabrication_pressure", "Fabrication pressure", "Pa", "Calendering / densification pressure.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition StackPressure = FieldDefinition.Float("stack_pressure", "Stack pressure", "Pa", "Operating stack pressure.", Pascal, "MPa", 1e-6);
        public static readonly FieldDefinition Status = FieldDefinition.Text("status", "Status", "registered, cycling, resting, paused, offline or finished.");

        public static readonly MeasurementDefinition Measurement = new("cell_info",
            "Cell design and status.", "Time of registration or status change (UTC).",
            [Tags.Cell, Tags.Lot],
            [Chemistry, Electrolyte, NominalCapacity, FabricationPressure, StackPressure, Status]);
    }
}
