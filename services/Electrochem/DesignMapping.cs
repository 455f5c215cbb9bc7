// ModelOptions.design (a CellDesign) onto the electrochemistry: thicknesses, porosities, fractions, voltage window,
// capacity, separator and plate area become parameter overrides; particle-size classes become explicit size
// classes; the configuration picks the counter electrode. What the model cannot represent is rejected naming the
// field; what belongs to another service (binder, pressures) is reported as a warning, never dropped silently.
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Services.Electrochem;

/// <summary>What a design changes: overrides (name, value), size classes, counter electrode, and the notes for provenance.</summary>
internal sealed record DesignChanges(
    List<(string Name, double Value)> Overrides,
    IReadOnlyList<SizeClass>? NegativeSizes,
    IReadOnlyList<SizeClass>? PositiveSizes,
    string? CounterElectrode,
    List<Diagnostic> Warnings,
    Dictionary<string, string> Attributes);

internal static class DesignMapping
{
    private const string Field = "options.design";

    /// <summary>Maps the design onto a resolved set; every problem is added to <paramref name="problems"/>, named by field.</summary>
    public static DesignChanges Map(CellDesign d, ParameterSet set, List<string> problems)
    {
        var changes = new DesignChanges([], null, null, null, [], []);
        void Set(string field, string name, double value, double min, double max)
        {
            if (!set.Contains(name))
            {
                problems.Add($"{Field}.{field}: the parameter set {set.Name} has no '{name}' to take it");
            }
            else if (!(value >= min && value <= max))
            {
                problems.Add($"{Field}.{field} = {value} is outside [{min:G3}, {max:G3}] ('{name}')");
            }
            else
            {
                changes.Overrides.Add((name, value));
            }
        }

        void Label(string field, string value)
        {
            if (value.Length > 0)
            {
                changes.Attributes[$"design.{field}"] = value;
            }
        }

        void Elsewhere(string field, string owner) => changes.Warnings.Add(new Diagnostic
        {
            Severity = Severity.Warning,
            Code = "design_field_not_electrochemical",
            Message = $"{Field}.{field} is not an input of the electrochemistry ({owner}); it was not used here",
            Source = Field,
            Field = $"{Field}.{field}",
        });

        Label("chemistry", d.Chemistry);
        if (d.Format != CellFormat.Unspecified)
        {
            Label("format", d.Format.ToString());
        }

        if (d.HasNominalCapacityAh)
        {
            Set("nominal_capacity_ah", "Nominal cell capacity [A.h]", d.NominalCapacityAh, 1e-9, 1e6);
        }

        if (d.HasMinVoltage)
        {
            Set("min_voltage", "Lower voltage cut-off [V]", d.MinVoltage, -1, 6);
        }

        if (d.HasMaxVoltage)
        {
            Set("max_voltage", "Upper voltage cut-off [V]", d.MaxVoltage, -1, 6);
        }

        if (d.HasMinVoltage && d.HasMaxVoltage && !(d.MinVoltage < d.MaxVoltage))
        {
            problems.Add($"{Field}.min_voltage {d.MinVoltage} V must be below {Field}.max_voltage {d.MaxVoltage} V");
        }

        if (d.Electrolyte == ElectrolyteKind.Solid)
        {
            problems.Add($"{Field}.electrolyte: a solid electrolyte is not modelled by the electrochemistry (liquid-electrolyte SPM, SPMe and DFN); leave it unspecified or LIQUID");
        }

        if (d.HasSeparatorThickness)
        {
            Set("separator_thickness", "Separator thickness [m]", d.SeparatorThickness, 1e-7, 1e-2);
        }

        if (d.HasElectrodeArea)
        {
            // Plate area = height x width; the width and the number of parallel pairs stay the set's.
            var width = set.Find("Electrode width [m]") is { IsScalar: true } w ? w.Value.Evaluate(0) : double.NaN;
            if (!(d.ElectrodeArea > 0) || double.IsNaN(width))
            {
                problems.Add($"{Field}.electrode_area = {d.ElectrodeArea} m2: needs a positive area and a set with 'Electrode width [m]'");
            }
            else
            {
                Set("electrode_area", "Electrode height [m]", d.ElectrodeArea / width, 1e-4, 100);
            }
        }

        if (d.HasStackPressure)
        {
            Elsewhere("stack_pressure", "the mechanics service's boundary condition");
        }

        if (d.HasFabricationPressure)
        {
            Elsewhere("fabrication_pressure", "the mechanics and viscoplastic services'");
        }

        var counter = d.Configuration switch
        {
            CellConfiguration.HalfCell => "lithium metal",
            CellConfiguration.FullCell => "porous",
            _ => null,
        };
        if (d.Configuration == CellConfiguration.HalfCell && d.Negative is not null)
        {
            problems.Add($"{Field}.negative: a half cell has lithium metal, not a porous negative electrode; leave it unset");
        }

        IReadOnlyList<SizeClass>? negative = null, positive = null;
        if (d.Negative is { } n)
        {
            negative = Electrode(n, "negative", "Negative", set, Set, Label, Elsewhere, problems);
        }

        if (d.Positive is { } p)
        {
            positive = Electrode(p, "positive", "Positive", set, Set, Label, Elsewhere, problems);
        }

        return changes with { NegativeSizes = negative, PositiveSizes = positive, CounterElectrode = counter };
    }

    private static IReadOnlyList<SizeClass>? Electrode(ElectrodeDesign e, string field, string side, ParameterSet set,
        Action<string, string, double, double, double> assign, Action<string, string> label, Action<string, string> elsewhere, List<string> problems)
    {
        label($"{field}.active_material", e.ActiveMaterial);
        if (e.HasThickness)
        {
            assign($"{field}.thickness", $"{side} electrode thickness [m]", e.Thickness, 1e-7, 1e-2);
        }

        if (e.HasPorosity)
        {
            assign($"{field}.porosity", $"{side} electrode porosity", e.Porosity, 1e-3, 1);
        }

        if (e.HasActiveMaterialVolumeFraction)
        {
            assign($"{field}.active_material_volume_fraction", $"{side} electrode active material volume fraction", e.ActiveMaterialVolumeFraction, 1e-3, 1);
        }

        if (e.HasLoading)
        {
            problems.Add($"{Field}.{field}.loading: an areal loading [kg.m-2] cannot be turned into a thickness without the active material's density, " +
                "which the parameter sets do not carry; give thickness and active_material_volume_fraction instead");
        }

        if (e.Binder is { } binder)
        {
            label($"{field}.binder.material", binder.Material);
            if (binder.HasMassFraction || binder.HasConductiveAdditiveMassFraction)
            {
                elsewhere($"{field}.binder", "the viscoplastic service's carbon-binder phase; the electrode conductivity is the set's");
            }
        }

        if (e.ParticleClasses.Count == 0)
        {
            return null;
        }

        if (set.Contains($"Primary: {side} electrode OCP [V]"))
        {
            problems.Add($"{Field}.{field}.particle_classes: the set blends several materials in this electrode; size classes need a single material");
        }

        return [.. e.ParticleClasses.Select(c => new SizeClass(c.Id, c.Radius, c.VolumeFraction))];
    }
}
