// A cell's design as the twin registers it, and its validation: every problem reported at once.
using System.Globalization;

namespace DigitalTwin.Estimation.Design;

public enum CellConfiguration
{
    FullCell = 1,
    HalfCell = 2,
}

public enum ElectrolyteKind
{
    Liquid = 1,
    Solid = 2,
}

/// <summary>One particle-size class of an electrode.</summary>
/// <param name="Id">Identifier unique within the electrode.</param>
/// <param name="Radius">Particle radius [m].</param>
/// <param name="VolumeFraction">Share of the active-material volume; the classes sum to 1 [dimensionless].</param>
public sealed record ParticleClassDesign(string Id, double Radius, double VolumeFraction);

/// <summary>One electrode.</summary>
/// <param name="ActiveMaterial">Active material name.</param>
/// <param name="Thickness">Coating thickness [m]; NaN for the parameter set's.</param>
/// <param name="Porosity">Electrolyte volume fraction [dimensionless]; NaN for the parameter set's.</param>
/// <param name="LoadingKgPerM2">Active-material mass loading [kg.m-2]; NaN for the parameter set's.</param>
/// <param name="ParticleClasses">Particle-size classes (at least one).</param>
/// <param name="BinderMaterial">Binder polymer, e.g. PVdF; empty for none.</param>
/// <param name="BinderMassFraction">Binder mass fraction of the dry coating [dimensionless]; NaN for the parameter set's.</param>
public sealed record ElectrodeDesign(
    string ActiveMaterial,
    double Thickness,
    double Porosity,
    double LoadingKgPerM2,
    IReadOnlyList<ParticleClassDesign> ParticleClasses,
    string BinderMaterial,
    double BinderMassFraction);

/// <summary>A cell design (the twin's form of the contract's CellDesign; NaN = take the parameter set's value).</summary>
/// <param name="Chemistry">e.g. "NMC811 | graphite".</param>
/// <param name="Configuration">Full or half cell.</param>
/// <param name="ParameterSet">Catalog name of the parameter set, or a BPX file reference.</param>
/// <param name="NominalCapacityAh">Nominal capacity [A.h].</param>
/// <param name="MinVoltage">Lower voltage limit [V].</param>
/// <param name="MaxVoltage">Upper voltage limit [V].</param>
/// <param name="Electrolyte">Liquid or solid.</param>
/// <param name="Negative">Negative electrode; null for a half cell.</param>
/// <param name="Positive">Positive (working) electrode.</param>
/// <param name="StackPressure">Operating stack pressure [Pa]; NaN when not set.</param>
/// <param name="FabricationPressure">Fabrication pressure [Pa]; NaN when not set.</param>
/// <param name="BpxJson">The BPX document (UTF-8 JSON) when the design carries its parameter set inline; else null.</param>
public sealed record CellDesign(
    string Chemistry,
    CellConfiguration Configuration,
    string ParameterSet,
    double NominalCapacityAh,
    double MinVoltage,
    double MaxVoltage,
    ElectrolyteKind Electrolyte,
    ElectrodeDesign? Negative,
    ElectrodeDesign Positive,
    double StackPressure,
    double FabricationPressure,
    string? BpxJson = null);

/// <summary>What registration found: refusals (the design is not accepted) and warnings (accepted, with alerts).</summary>
public sealed record DesignReview(IReadOnlyList<string> Problems, IReadOnlyList<string> Warnings)
{
    public bool Accepted => Problems.Count == 0;
}

/// <summary>Limits the design is checked against.</summary>
/// <param name="SafeFabricationPressure">Upper end of the safe fabrication-pressure window [Pa].</param>
public sealed record DesignLimits(double SafeFabricationPressure = 500e6);

public static class DesignValidator
{
    /// <summary>Checks a design; <paramref name="knownParameterSets"/> are the catalog names the solvers accept.</summary>
    public static DesignReview Review(CellDesign design, IReadOnlyCollection<string> knownParameterSets, DesignLimits limits)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(knownParameterSets);
        ArgumentNullException.ThrowIfNull(limits);
        var problems = new List<string>();
        var warnings = new List<string>();
        if (string.IsNullOrWhiteSpace(design.ParameterSet))
        {
            problems.Add("parameters: no parameter set named");
        }
        else if (!design.ParameterSet.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !knownParameterSets.Contains(design.ParameterSet))
        {
            problems.Add($"parameters: unknown parameter set '{design.ParameterSet}' (known: {string.Join(", ", knownParameterSets.Order(StringComparer.Ordinal))})");
        }

        if (!(design.NominalCapacityAh > 0))
        {
            problems.Add($"nominal_capacity_ah: must be positive [A.h] (was {F(design.NominalCapacityAh)})");
        }

        if (!(design.MinVoltage > 0) || !(design.MaxVoltage > design.MinVoltage))
        {
            problems.Add($"min_voltage/max_voltage: need 0 < min < max [V] (were {F(design.MinVoltage)}, {F(design.MaxVoltage)})");
        }

        switch (design.Configuration)
        {
            case CellConfiguration.FullCell when design.Negative is null:
                problems.Add("negative: a full cell needs a negative electrode");
                break;
            case CellConfiguration.HalfCell when design.Negative is not null:
                problems.Add("negative: a half cell has lithium metal as its negative electrode; leave it unset");
                break;
        }

        Electrode("positive", design.Positive, problems);
        if (design.Negative is not null)
        {
            Electrode("negative", design.Negative, problems);
        }

        if (design.Electrolyte == ElectrolyteKind.Solid && !(design.StackPressure > 0))
        {
            problems.Add("stack_pressure: a solid-electrolyte cell needs a positive stack pressure [Pa]");
        }

        if (design.StackPressure < 0)
        {
            problems.Add($"stack_pressure: must not be negative [Pa] (was {F(design.StackPressure)})");
        }

        if (design.FabricationPressure < 0)
        {
            problems.Add($"fabrication_pressure: must not be negative [Pa] (was {F(design.FabricationPressure)})");
        }
        else if (design.FabricationPressure > limits.SafeFabricationPressure)
        {
            warnings.Add($"fabrication_pressure: {F(design.FabricationPressure / 1e6)} MPa is above the safe window (≤ {F(limits.SafeFabricationPressure / 1e6)} MPa)");
        }

        return new DesignReview(problems, warnings);
    }

    private static void Electrode(string name, ElectrodeDesign? electrode, List<string> problems)
    {
        if (electrode is null)
        {
            problems.Add($"{name}: missing");
            return;
        }

        if (electrode.Porosity is <= 0 or >= 1)
        {
            problems.Add($"{name}.porosity: must lie in (0, 1) (was {F(electrode.Porosity)})");
        }

        if (electrode.Thickness <= 0)
        {
            problems.Add($"{name}.thickness: must be positive [m] (was {F(electrode.Thickness)})");
        }

        if (electrode.BinderMassFraction is < 0 or >= 1)
        {
            problems.Add($"{name}.binder.mass_fraction: must lie in [0, 1) (was {F(electrode.BinderMassFraction)})");
        }

        if (electrode.ParticleClasses.Count == 0)
        {
            problems.Add($"{name}.particle_classes: at least one class is needed");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in electrode.ParticleClasses)
        {
            if (string.IsNullOrWhiteSpace(c.Id) || !seen.Add(c.Id))
            {
                problems.Add($"{name}.particle_classes: id '{c.Id}' is empty or repeated");
            }

            if (!(c.Radius > 0 && c.Radius < 1e-3))
            {
                problems.Add($"{name}.particle_classes[{c.Id}].radius: must lie in (0, 1 mm) [m] (was {F(c.Radius)})");
            }

            if (!(c.VolumeFraction > 0 && c.VolumeFraction <= 1))
            {
                problems.Add($"{name}.particle_classes[{c.Id}].volume_fraction: must lie in (0, 1] (was {F(c.VolumeFraction)})");
            }
        }

        var sum = electrode.ParticleClasses.Sum(c => c.VolumeFraction);
        if (Math.Abs(sum - 1) > 1e-6)
        {
            problems.Add($"{name}.particle_classes: volume fractions sum to {F(sum)}, not 1");
        }
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
