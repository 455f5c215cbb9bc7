// Elastic surroundings of a particle: a concentric shell (outer radius b, loaded by the stack pressure P on
// its outer face) or an infinite matrix (b = ∞, P acting at infinity). Lamé solution u = A r + B/r².
using DigitalTwin.Physics.Mechanics.Elasticity;

namespace DigitalTwin.Physics.Mechanics.Interface;

public sealed class MatrixShell
{
    private MatrixShell(IsotropicElasticity elasticity, double outerRadiusRatio)
    {
        Elasticity = elasticity;
        OuterRadiusRatio = outerRadiusRatio;
    }

    /// <summary>Matrix (solid electrolyte, carbon–binder) elasticity.</summary>
    public IsotropicElasticity Elasticity { get; }

    /// <summary>b / R [-]; +∞ for an infinite matrix.</summary>
    public double OuterRadiusRatio { get; }

    public static MatrixShell Create(double youngsModulus, double poissonsRatio, double outerRadiusRatio = double.PositiveInfinity)
    {
        var problems = new ParameterProblems("matrix shell");
        IsotropicElasticity.Check(problems, "matrix", youngsModulus, poissonsRatio);
        if (!(outerRadiusRatio > 1))
        {
            problems.Add($"matrix outer radius ratio b/R = {outerRadiusRatio} must exceed 1 (or be infinite)");
        }

        problems.ThrowIfAny();
        return new MatrixShell(IsotropicElasticity.Unchecked(youngsModulus, poissonsRatio), outerRadiusRatio);
    }

    /// <summary>
    /// Cavity-wall displacement u_m(R) = −(t + P)·A − P·R/(3K) [m] for a radial traction t [Pa] (tensile positive)
    /// on the wall and stack pressure P [Pa]; returns A [m.Pa-1] and the pressure term.
    /// </summary>
    public (double TractionCompliance, double PressureDisplacement) WallResponse(double particleRadius, double stackPressure)
    {
        var g = Elasticity.ShearModulus;
        var k = Elasticity.BulkModulus;
        var r = particleRadius;
        double a;
        if (double.IsPositiveInfinity(OuterRadiusRatio))
        {
            a = r / (4 * g);
        }
        else
        {
            var b3 = OuterRadiusRatio * OuterRadiusRatio * OuterRadiusRatio;
            // R⁴/(3K(b³−R³)) + b³R/(4G(b³−R³)) with b³ = ratio³ R³.
            a = r / (3 * k * (b3 - 1)) + b3 * r / (4 * g * (b3 - 1));
        }

        return (a, -stackPressure * (a + r / (3 * k)));
    }
}
