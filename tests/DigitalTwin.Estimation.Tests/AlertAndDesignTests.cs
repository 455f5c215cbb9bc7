// Alert rules with hysteresis and reasons; registration review that lists every problem at once.
using DigitalTwin.Estimation.Alerts;
using DigitalTwin.Estimation.Design;

namespace DigitalTwin.Estimation.Tests;

public sealed class AlertAndDesignTests
{
    [Fact]
    public void An_alert_is_raised_with_its_reason_held_and_cleared_past_its_hysteresis()
    {
        var rules = AlertRules.Defaults;
        var raised = AlertEngine.Evaluate(rules, [new Indicator("particle.strength_ratio", 0.92, "positive/small")], [], 100);
        var alert = Assert.Single(raised.Raised);
        Assert.Equal(AlertKind.ParticleStrength, alert.Kind);
        Assert.Equal("positive/small: particle stress at 92% of its fracture strength (limit 0.85)", alert.Reason.Replace(" %", "%", StringComparison.Ordinal));

        var held = AlertEngine.Evaluate(rules, [new Indicator("particle.strength_ratio", 0.82, "positive/small")], raised.Active, 200);
        Assert.Empty(held.Cleared);
        Assert.Single(held.Active);

        var cleared = AlertEngine.Evaluate(rules, [new Indicator("particle.strength_ratio", 0.79, "positive/small")], held.Active, 300);
        Assert.Equal(300, Assert.Single(cleared.Cleared).ClearedAtNs);
        Assert.Empty(cleared.Active);
    }

    [Fact]
    public void Rules_below_a_floor_and_scopes_are_separate_alerts()
    {
        var result = AlertEngine.Evaluate(AlertRules.Defaults,
            [new Indicator("binder.fracture_margin", 0.1, "positive"), new Indicator("binder.fracture_margin", 0.5, "negative"), new Indicator("cell.temperature_c", 61)],
            [], 1);
        Assert.Equal(["binder-fracture@positive", "temperature-high"], result.Raised.Select(a => a.Id).Order(StringComparer.Ordinal));
    }

    private static readonly ElectrodeDesign Positive = new("NMC811", 75.6e-6, 0.335, double.NaN, [new("small", 2e-6, 0.3), new("large", 6e-6, 0.7)], "PVdF", 0.02);

    private static readonly CellDesign Good = new("NMC811 | graphite", CellConfiguration.FullCell, "Chen2020", 5, 2.5, 4.2, ElectrolyteKind.Liquid,
        Positive with { ActiveMaterial = "graphite", ParticleClasses = [new("d50", 5.86e-6, 1)] }, Positive, double.NaN, 100e6);

    [Fact]
    public void A_consistent_design_is_accepted_and_a_high_fabrication_pressure_is_a_warning()
    {
        Assert.True(DesignValidator.Review(Good, ["Chen2020"], new DesignLimits()).Accepted);
        var review = DesignValidator.Review(Good with { FabricationPressure = 600e6 }, ["Chen2020"], new DesignLimits());
        Assert.True(review.Accepted);
        Assert.Contains("600 MPa is above the safe window", Assert.Single(review.Warnings));
    }

    [Fact]
    public void Every_problem_of_a_bad_design_is_listed_at_once()
    {
        var bad = Good with
        {
            ParameterSet = "Nobody2031",
            NominalCapacityAh = 0,
            MinVoltage = 4.3,
            Electrolyte = ElectrolyteKind.Solid,
            Positive = Positive with { Porosity = 1.2, ParticleClasses = [new("a", -1e-6, 0.5), new("a", 1e-6, 0.2)] },
        };
        var review = DesignValidator.Review(bad, ["Chen2020", "Marquis2019"], new DesignLimits());
        Assert.False(review.Accepted);
        Assert.Collection(review.Problems,
            p => Assert.Equal("parameters: unknown parameter set 'Nobody2031' (known: Chen2020, Marquis2019)", p),
            p => Assert.StartsWith("nominal_capacity_ah: must be positive", p, StringComparison.Ordinal),
            p => Assert.StartsWith("min_voltage/max_voltage", p, StringComparison.Ordinal),
            p => Assert.StartsWith("positive.porosity", p, StringComparison.Ordinal),
            p => Assert.StartsWith("positive.particle_classes[a].radius", p, StringComparison.Ordinal),
            p => Assert.Equal("positive.particle_classes: id 'a' is empty or repeated", p),
            p => Assert.Equal("positive.particle_classes: volume fractions sum to 0.7, not 1", p),
            p => Assert.StartsWith("stack_pressure: a solid-electrolyte cell", p, StringComparison.Ordinal));
    }
}
