// Fracture strength of a secondary-particle class, updated once per half cycle (seed 000 §1, §6):
//   σ_T = σ_T0 (1 − D_f)(1 − D_c)(1 − w φ)
// D_f  formation damage, set by the largest driving stress ever seen (Kaiser-like): D_f = D_f,ref (σ_max/σ_ref)^m_f;
// D_c  cyclic damage, logarithmic in cycles: dD_c/dN = c (σ/σ_ref)^p exp(−D_c/D_s), integrated exactly per half cycle;
// w φ  reversible weakening of the charged (contracted, crack-open) state, φ ∈ [0, 1] from the end stoichiometry.
// The environment (liquid vs solid electrolyte) selects D_f,ref, c and w; DEM crush tests can recalibrate all.
namespace DigitalTwin.Physics.Mechanics.Strength;

/// <summary>Electrolyte around the particle.</summary>
public enum Environment
{
    /// <summary>Liquid electrolyte: it infiltrates opened grain boundaries (large reversible drop when charged).</summary>
    Liquid,

    /// <summary>Solid electrolyte: confinement keeps boundaries closed, no infiltration.</summary>
    Solid,
}

/// <summary>Environment-dependent constants of the strength law.</summary>
public sealed record EnvironmentStrengthParameters(double FormationDamage, double FatigueRate, double ReversibleWeakening);

/// <summary>Strength state of one particle class (mutable value, owned by the caller).</summary>
public struct StrengthState
{
    /// <summary>D_f [-].</summary>
    public double FormationDamage;

    /// <summary>D_c [-].</summary>
    public double CyclicDamage;

    /// <summary>Largest half-cycle driving stress so far [Pa].</summary>
    public double PeakDrivingStress;

    /// <summary>φ at the end of the last half cycle [-].</summary>
    public double Opening;

    /// <summary>Completed half cycles.</summary>
    public int HalfCycles;
}

public sealed class ParticleStrengthLaw
{
    private ParticleStrengthLaw(double initialStrength, double referenceDrivingStress, double formationExponent,
        double fatigueExponent, double fatigueSaturation, double maximumDamage, double dischargedStoichiometry,
        double chargedStoichiometry, EnvironmentStrengthParameters liquid, EnvironmentStrengthParameters solid)
    {
        InitialStrength = initialStrength;
        ReferenceDrivingStress = referenceDrivingStress;
        FormationExponent = formationExponent;
        FatigueExponent = fatigueExponent;
        FatigueSaturation = fatigueSaturation;
        MaximumDamage = maximumDamage;
        DischargedStoichiometry = dischargedStoichiometry;
        ChargedStoichiometry = chargedStoichiometry;
        Liquid = liquid;
        Solid = solid;
    }

    /// <summary>σ_T0 [Pa], pristine strength (220 MPa, seed 000).</summary>
    public double InitialStrength { get; }

    /// <summary>σ_ref [Pa]: driving stress of the reference cycle the damage constants were fitted to.</summary>
    public double ReferenceDrivingStress { get; }

    /// <summary>m_f [-].</summary>
    public double FormationExponent { get; }

    /// <summary>p [-].</summary>
    public double FatigueExponent { get; }

    /// <summary>D_s [-]: scale of the logarithmic cyclic damage.</summary>
    public double FatigueSaturation { get; }

    /// <summary>Cap on each damage variable [-].</summary>
    public double MaximumDamage { get; }

    /// <summary>Mean stoichiometry of the discharged reference state (φ = 0) [-].</summary>
    public double DischargedStoichiometry { get; }

    /// <summary>Mean stoichiometry of the charged reference state (φ = 1) [-].</summary>
    public double ChargedStoichiometry { get; }

    public EnvironmentStrengthParameters Liquid { get; }

    public EnvironmentStrengthParameters Solid { get; }

    /// <summary>
    /// Seed 000 calibration (C/3, 2.5–4.25 V half cycles at σ_ref): liquid 220 → 50 (1st charge) → 100 (1st discharge)
    /// → 90 MPa (10 cycles); solid 102 (1 cycle) → 95 MPa (10 cycles). The solid's reversible weakening is not
    /// measured (assumed 0.10). Derivation in docs/mechanics.md.
    /// </summary>
    public static ParticleStrengthLaw Seed000(double referenceDrivingStress) => Create(
        initialStrength: 220e6, referenceDrivingStress, formationExponent: 2, fatigueExponent: 2, fatigueSaturation: 0.04,
        maximumDamage: 0.95, dischargedStoichiometry: 0.95, chargedStoichiometry: 0.25,
        liquid: new EnvironmentStrengthParameters(FormationDamage: 0.4918, FatigueRate: 0.2599, ReversibleWeakening: 0.5136),
        solid: new EnvironmentStrengthParameters(FormationDamage: 0.5239, FatigueRate: 0.01843, ReversibleWeakening: 0.10));

    public static ParticleStrengthLaw Create(double initialStrength, double referenceDrivingStress, double formationExponent,
        double fatigueExponent, double fatigueSaturation, double maximumDamage, double dischargedStoichiometry,
        double chargedStoichiometry, EnvironmentStrengthParameters liquid, EnvironmentStrengthParameters solid)
    {
        var problems = new ParameterProblems("particle strength law");
        problems.Positive("initial strength σ_T0", initialStrength, "Pa");
        problems.Positive("reference driving stress σ_ref", referenceDrivingStress, "Pa");
        problems.Positive("formation exponent m_f", formationExponent, "-");
        problems.NonNegative("fatigue exponent p", fatigueExponent, "-");
        problems.Positive("fatigue saturation D_s", fatigueSaturation, "-");
        problems.InRange("maximum damage", maximumDamage, 0, 1, "-", maxInclusive: false);
        problems.InRange("discharged stoichiometry", dischargedStoichiometry, 0, 1, "-");
        problems.InRange("charged stoichiometry", chargedStoichiometry, 0, 1, "-");
        if (!(dischargedStoichiometry > chargedStoichiometry))
        {
            problems.Add($"discharged stoichiometry {dischargedStoichiometry} must exceed charged stoichiometry {chargedStoichiometry}");
        }

        foreach (var (name, p) in new[] { ("liquid", liquid), ("solid", solid) })
        {
            problems.InRange($"{name} formation damage D_f,ref", p.FormationDamage, 0, 1, "-", maxInclusive: false);
            problems.NonNegative($"{name} fatigue rate c", p.FatigueRate, "-");
            problems.InRange($"{name} reversible weakening w", p.ReversibleWeakening, 0, 1, "-", maxInclusive: false);
        }

        problems.ThrowIfAny();
        return new ParticleStrengthLaw(initialStrength, referenceDrivingStress, formationExponent, fatigueExponent,
            fatigueSaturation, maximumDamage, dischargedStoichiometry, chargedStoichiometry, liquid, solid);
    }

    public EnvironmentStrengthParameters For(Environment environment) => environment == Environment.Liquid ? Liquid : Solid;

    /// <summary>Opening φ [-] of a state with mean stoichiometry x (0 discharged, 1 charged reference).</summary>
    public double Opening(double meanStoichiometry) =>
        Math.Clamp((DischargedStoichiometry - meanStoichiometry) / (DischargedStoichiometry - ChargedStoichiometry), 0, 1);

    /// <summary>Current strength σ_T [Pa] of a state.</summary>
    public double Strength(in StrengthState state, Environment environment) =>
        InitialStrength * (1 - state.FormationDamage) * (1 - state.CyclicDamage) * (1 - For(environment).ReversibleWeakening * state.Opening);

    /// <summary>Closes a half cycle with its peak driving stress [Pa] and end mean stoichiometry [-]; returns σ_T [Pa].</summary>
    public double EndHalfCycle(ref StrengthState state, double peakDrivingStress, double endStoichiometry, Environment environment)
    {
        var p = For(environment);
        var ratio = Math.Max(peakDrivingStress, 0) / ReferenceDrivingStress;
        state.PeakDrivingStress = Math.Max(state.PeakDrivingStress, Math.Max(peakDrivingStress, 0));
        var historical = state.PeakDrivingStress / ReferenceDrivingStress;
        state.FormationDamage = Math.Min(MaximumDamage,
            Math.Max(state.FormationDamage, p.FormationDamage * Math.Pow(historical, FormationExponent)));
        var increment = p.FatigueRate * Math.Pow(ratio, FatigueExponent);
        var ds = FatigueSaturation;
        state.CyclicDamage = Math.Min(MaximumDamage, ds * Math.Log(Math.Exp(state.CyclicDamage / ds) + increment / ds));
        state.Opening = Opening(endStoichiometry);
        state.HalfCycles++;
        return Strength(state, environment);
    }
}
