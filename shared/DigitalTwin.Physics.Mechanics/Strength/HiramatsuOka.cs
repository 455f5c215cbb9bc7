// Hiramatsu–Oka (1966) tensile strength of a sphere crushed between platens: σ_T = κ F_c / (π R²), κ = 0.7
// (seed 000 §2.1). The DEM crush tests reduce their force–displacement curves with the same formula.
namespace DigitalTwin.Physics.Mechanics.Strength;

public static class HiramatsuOka
{
    /// <summary>κ of seed 000 [-].</summary>
    public const double Kappa = 0.7;

    /// <summary>σ_T [Pa] from the fracture force F_c [N] and particle radius R [m].</summary>
    public static double TensileStrength(double fractureForce, double radius, double kappa = Kappa)
    {
        Check(fractureForce, radius, kappa, "fracture force", "N");
        return kappa * fractureForce / (Math.PI * radius * radius);
    }

    /// <summary>F_c [N] at which a particle of strength σ_T [Pa] and radius R [m] breaks.</summary>
    public static double FractureForce(double tensileStrength, double radius, double kappa = Kappa)
    {
        Check(tensileStrength, radius, kappa, "tensile strength", "Pa");
        return tensileStrength * Math.PI * radius * radius / kappa;
    }

    private static void Check(double value, double radius, double kappa, string name, string unit)
    {
        var problems = new ParameterProblems("Hiramatsu–Oka");
        problems.Positive(name, value, unit);
        problems.Positive("particle radius", radius, "m");
        problems.Positive("κ", kappa, "-");
        problems.ThrowIfAny();
    }
}
