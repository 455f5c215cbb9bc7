// Closed-form stand-ins for the Mechanics and Viscoplastic services, so the demo's particle and
// binder series have the right magnitudes and trends. Not the twin's models (those live in
// DigitalTwin.Physics.*); every formula here states its source or says it is a demo rule.
namespace DigitalTwin.TimeSeries.Demo;

/// <summary>Active material of one electrode (SI units).</summary>
public sealed record ParticleMaterial(string Electrode, double YoungsModulus, double Poisson, double PartialMolarVolume,
    double MaxConcentration, double Diffusivity, double InitialStrength, double[] Radii)
{
    /// <summary>Graphite: E, ν (Qi et al. 2010), Ω from the ~10 % volume change over c_max, D from Chen et al. 2020 (LG M50 graphite).</summary>
    public static readonly ParticleMaterial Graphite = new("negative", 15e9, 0.3, 3.1e-6, 31_000, 3.3e-14, 160e6, [3e-6, 5e-6, 8e-6]);

    /// <summary>LiFePO4 agglomerates: E, ν (Maxisch &amp; Ceder 2006), Ω from the 6.8 % volume change, an apparent D (demo value).</summary>
    public static readonly ParticleMaterial Lfp = new("positive", 125e9, 0.25, 2.98e-6, 22_800, 1e-14, 250e6, [0.5e-6, 1e-6, 1.5e-6]);
}

public static class DemoMechanics
{
    /// <summary>
    /// Peak tensile hoop stress at the surface of a sphere under galvanostatic extraction, from the
    /// quasi-steady parabolic concentration profile c_s − c̄ = jR/(5D) (Zhang, Shyy &amp; Sastry 2007,
    /// J. Electrochem. Soc. 154 A910, eqs. 11–12): σ_θ(R) = EΩ/(3(1−ν))·(c̄ − c_s), with the flux
    /// j = c_max·R·(C-rate/3600)/3. The difference is capped at 0.3 c_max, where the profile stops being parabolic.
    /// </summary>
    public static double HoopStressSurface(ParticleMaterial m, double radius, double cRate)
    {
        var difference = Math.Min(m.MaxConcentration * radius * radius * cRate / (15 * m.Diffusivity * 3600), 0.3 * m.MaxConcentration);
        return m.YoungsModulus * m.PartialMolarVolume / (3 * (1 - m.Poisson)) * difference;
    }

    /// <summary>Same profile: the radial stress at the centre is three times the surface hoop stress (same reference).</summary>
    public static double RadialStressCenter(ParticleMaterial m, double radius, double cRate) => 3 * HoopStressSurface(m, radius, cRate);

    /// <summary>Demo fatigue rule: dD/dN = 5e-4·(σ/σ_f)^4, strength σ_f = σ_f0·(1 − D).</summary>
    public static double DamageIncrement(double stress, double strength) => 5e-4 * Math.Pow(Math.Max(stress, 0) / Math.Max(strength, 1), 4);

    /// <summary>Demo rule: the gap opens with the swelling strain and the damage: R·ε·(0.02 + D)·(1 − p_stack/5 MPa).</summary>
    public static double InterfaceGap(ParticleMaterial m, double radius, double damage, double stackPressure)
    {
        var swelling = m.PartialMolarVolume * m.MaxConcentration * 0.9 / 3;
        return radius * swelling * (0.02 + damage) * Math.Max(0.2, 1 - (stackPressure / 5e6));
    }
}

/// <summary>Demo binder: linear hardening plasticity driven by a cyclic swelling strain (ratchets to shakedown).</summary>
public sealed class DemoBinder(double youngsModulus, double yieldStress, double hardening, double fractureStress, double swellingStrain)
{
    public double PlasticStrain { get; private set; }

    public double Stress { get; private set; }

    public double YieldStress => yieldStress + (hardening * PlasticStrain);

    /// <summary>Present fracture stress, lowered by accumulated plastic strain (demo: −10 % per 1 % strain).</summary>
    public double FractureStress => fractureStress * Math.Max(0.05, 1 - (10 * PlasticStrain));

    public double FractureMargin => 1 - (Stress / FractureStress);

    /// <summary>One cycle: elastic predictor E·ε, return to the hardened yield surface if above it.</summary>
    public void Cycle(double strainScale)
    {
        var trial = youngsModulus * swellingStrain * strainScale;
        if (trial > YieldStress)
        {
            PlasticStrain += (trial - YieldStress) / (youngsModulus + hardening);
        }

        Stress = Math.Min(trial, YieldStress);
    }
}
