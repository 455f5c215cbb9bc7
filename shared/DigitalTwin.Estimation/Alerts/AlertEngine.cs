// Alert rules over a cell's indicators: thresholds with hysteresis, raised and cleared with a reason naming value and limit.
using System.Globalization;

namespace DigitalTwin.Estimation.Alerts;

/// <summary>What an alert is about (the contract's alert kinds).</summary>
public enum AlertKind
{
    ParticleStrength = 1,
    InterfaceGap = 2,
    BinderFracture = 3,
    FabricationPressure = 4,
    VoltageResidual = 5,
    CapacityFade = 6,
    Temperature = 7,
    Telemetry = 8,
    Solver = 9,
    PackingStress = 10,
    ContactLoss = 11,
}

public enum AlertSeverity
{
    Info = 1,
    Warning = 2,
    Critical = 3,
}

/// <summary>One observed quantity of a cell, optionally scoped to an electrode and particle class.</summary>
/// <param name="Metric">Indicator name, e.g. <c>particle.strength_ratio</c> (see <see cref="AlertRules"/>).</param>
/// <param name="Value">The value [unit of the rule].</param>
/// <param name="Scope">Electrode and particle class it belongs to, e.g. <c>positive/small</c>; empty for the cell.</param>
public readonly record struct Indicator(string Metric, double Value, string Scope = "");

/// <summary>
/// A threshold rule. It raises when the value crosses <see cref="Threshold"/> in the rule's direction and clears when
/// it comes back past <see cref="ClearAt"/> (hysteresis, so a value hovering at the limit does not flap).
/// </summary>
public sealed record AlertRule(string Id, AlertKind Kind, AlertSeverity Severity, string Metric, bool Above, double Threshold, double ClearAt, string Unit, string What)
{
    public bool Raises(double value) => Above ? value >= Threshold : value <= Threshold;

    public bool Clears(double value) => Above ? value < ClearAt : value > ClearAt;
}

/// <summary>An alert that is raised (active) or was cleared.</summary>
public sealed record ActiveAlert(string Id, string RuleId, AlertKind Kind, AlertSeverity Severity, string Scope, string Reason, double Value, double Threshold, string Unit, long RaisedAtNs, long? ClearedAtNs);

/// <summary>What an evaluation changed.</summary>
public sealed record AlertChanges(IReadOnlyList<ActiveAlert> Active, IReadOnlyList<ActiveAlert> Raised, IReadOnlyList<ActiveAlert> Cleared);

/// <summary>The built-in rules; a host may replace or extend them by configuration.</summary>
public static class AlertRules
{
    public static IReadOnlyList<AlertRule> Defaults { get; } =
    [
        new("particle-strength-warning", AlertKind.ParticleStrength, AlertSeverity.Warning, "particle.strength_ratio", true, 0.85, 0.80, "", "particle stress at {0:P0} of its fracture strength"),
        new("particle-strength-critical", AlertKind.ParticleStrength, AlertSeverity.Critical, "particle.strength_ratio", true, 0.95, 0.90, "", "particle stress at {0:P0} of its fracture strength"),
        new("interface-gap", AlertKind.InterfaceGap, AlertSeverity.Warning, "particle.interface_gap", true, 50e-9, 40e-9, "m", "interface gap {0:0.###E+0} m above the limit"),
        new("binder-fracture", AlertKind.BinderFracture, AlertSeverity.Warning, "binder.fracture_margin", false, 0.15, 0.20, "", "binder fracture margin down to {0:P0}"),
        new("fabrication-pressure", AlertKind.FabricationPressure, AlertSeverity.Warning, "design.fabrication_pressure_ratio", true, 1.0, 1.0, "", "fabrication pressure at {0:P0} of the safe window's upper limit"),
        new("voltage-residual", AlertKind.VoltageResidual, AlertSeverity.Warning, "cell.voltage_residual_rms", true, 0.030, 0.025, "V", "model-vs-measured voltage residual {0:0.0000} V RMS over the cycle"),
        new("voltage-residual-growth", AlertKind.VoltageResidual, AlertSeverity.Info, "cell.voltage_residual_growth", true, 0.001, 0.0005, "V/cycle", "voltage residual growing by {0:0.00000} V per cycle"),
        new("end-of-life-near", AlertKind.CapacityFade, AlertSeverity.Warning, "cell.cycles_to_end_of_life", false, 100, 120, "cycles", "end of life forecast in {0:0} cycles"),
        new("temperature-high", AlertKind.Temperature, AlertSeverity.Critical, "cell.temperature_c", true, 60, 55, "degC", "temperature {0:0.0} °C"),
        new("telemetry-held", AlertKind.Telemetry, AlertSeverity.Warning, "cell.held_samples", true, 1, 0.5, "samples", "{0:0} telemetry samples held"),
        new("solver-failing", AlertKind.Solver, AlertSeverity.Warning, "cell.solver_failures", true, 3, 0.5, "calls", "{0:0} consecutive solver failures"),
        new("model-out-of-range", AlertKind.Solver, AlertSeverity.Warning, "cell.model_out_of_range", true, 1, 0.5, "segments", "{0:0} step(s) of the latest telemetry outside the model's valid range: no model voltage for them, the model restarts from the measured voltage"),
        new("packing-stress", AlertKind.PackingStress, AlertSeverity.Warning, "packing.stress_ratio", true, 0.80, 0.70, "", "DEM packing stress at {0:P0} of the particles' fracture strength"),
        new("contact-loss", AlertKind.ContactLoss, AlertSeverity.Warning, "packing.contact_loss", true, 0.20, 0.15, "", "{0:P0} of the AM–SE contacts lost since the first DEM study"),
    ];
}

/// <summary>Evaluates rules against indicators. Pure: the active set in, the new active set and the changes out.</summary>
public static class AlertEngine
{
    public static AlertChanges Evaluate(IReadOnlyList<AlertRule> rules, IReadOnlyList<Indicator> indicators, IReadOnlyList<ActiveAlert> active, long nowNs)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(indicators);
        ArgumentNullException.ThrowIfNull(active);
        var byId = active.ToDictionary(a => a.Id, StringComparer.Ordinal);
        var raised = new List<ActiveAlert>();
        var cleared = new List<ActiveAlert>();
        foreach (var indicator in indicators)
        {
            if (!double.IsFinite(indicator.Value))
            {
                continue;
            }

            foreach (var rule in rules)
            {
                if (!string.Equals(rule.Metric, indicator.Metric, StringComparison.Ordinal))
                {
                    continue;
                }

                var id = indicator.Scope.Length == 0 ? rule.Id : $"{rule.Id}@{indicator.Scope}";
                if (byId.TryGetValue(id, out var existing))
                {
                    if (rule.Clears(indicator.Value))
                    {
                        var done = existing with { ClearedAtNs = nowNs, Value = indicator.Value };
                        byId.Remove(id);
                        cleared.Add(done);
                    }
                    else
                    {
                        byId[id] = existing with { Value = indicator.Value, Reason = Reason(rule, indicator) };
                    }
                }
                else if (rule.Raises(indicator.Value))
                {
                    var alert = new ActiveAlert(id, rule.Id, rule.Kind, rule.Severity, indicator.Scope, Reason(rule, indicator), indicator.Value, rule.Threshold, rule.Unit, nowNs, null);
                    byId[id] = alert;
                    raised.Add(alert);
                }
            }
        }

        var ordered = byId.Values.OrderBy(a => a.RaisedAtNs).ThenBy(a => a.Id, StringComparer.Ordinal).ToList();
        return new AlertChanges(ordered, raised, cleared);
    }

    private static string Reason(AlertRule rule, Indicator indicator)
    {
        var what = string.Format(CultureInfo.InvariantCulture, rule.What, indicator.Value);
        var limit = string.Format(CultureInfo.InvariantCulture, "{0} {1:G4}{2}", rule.Above ? "limit" : "floor", rule.Threshold, rule.Unit.Length > 0 ? " " + rule.Unit : "");
        return indicator.Scope.Length == 0 ? $"{what} ({limit})" : $"{indicator.Scope}: {what} ({limit})";
    }
}
