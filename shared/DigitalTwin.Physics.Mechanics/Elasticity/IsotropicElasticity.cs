// Isotropic linear elasticity (Young's modulus, Poisson's ratio) with derived moduli.
namespace DigitalTwin.Physics.Mechanics.Elasticity;

/// <summary>Isotropic elastic constants in SI; created through <see cref="Create"/>, which validates.</summary>
public sealed record IsotropicElasticity
{
    private IsotropicElasticity(double youngsModulus, double poissonsRatio)
    {
        YoungsModulus = youngsModulus;
        PoissonsRatio = poissonsRatio;
    }

    /// <summary>Young's modulus E [Pa].</summary>
    public double YoungsModulus { get; }

    /// <summary>Poisson's ratio ν [-], in (-1, 0.5).</summary>
    public double PoissonsRatio { get; }

    /// <summary>Shear modulus G = E / (2(1+ν)) [Pa].</summary>
    public double ShearModulus => YoungsModulus / (2 * (1 + PoissonsRatio));

    /// <summary>Bulk modulus K = E / (3(1−2ν)) [Pa].</summary>
    public double BulkModulus => YoungsModulus / (3 * (1 - 2 * PoissonsRatio));

    public static IsotropicElasticity Create(double youngsModulus, double poissonsRatio, string owner = "elasticity")
    {
        var problems = new ParameterProblems(owner);
        Check(problems, owner, youngsModulus, poissonsRatio);
        problems.ThrowIfAny();
        return new IsotropicElasticity(youngsModulus, poissonsRatio);
    }

    /// <summary>Adds the problems of (E, ν) to a caller's list without throwing.</summary>
    public static void Check(ParameterProblems problems, string owner, double youngsModulus, double poissonsRatio)
    {
        problems.Positive($"{owner} Young's modulus", youngsModulus, "Pa");
        if (!(poissonsRatio > -1 && poissonsRatio < 0.5) || !double.IsFinite(poissonsRatio))
        {
            problems.Add($"{owner} Poisson's ratio = {poissonsRatio} must lie in (-1, 0.5)");
        }
    }

    /// <summary>Creates without throwing; only for callers that already ran <see cref="Check"/>.</summary>
    internal static IsotropicElasticity Unchecked(double youngsModulus, double poissonsRatio) => new(youngsModulus, poissonsRatio);
}
