// Seed 001 Eq. 16: ε^ch = β Q diag(θ_a, θ_a, θ_c) Qᵀ (c − c0); baseline θ = (1, 1, −1).
// The isotropic equivalent keeps the volume change: β (2θ_a + θ_c)/3 (c − c0).
namespace DigitalTwin.Physics.Mechanics.ChemicalStrain;

public sealed class LinearAnisotropicStrain : IAnisotropicChemicalStrain
{
    private LinearAnisotropicStrain(double beta, double thetaA, double thetaC, double referenceConcentration, double maximumConcentration)
    {
        Beta = beta;
        ThetaA = thetaA;
        ThetaC = thetaC;
        ReferenceConcentration = referenceConcentration;
        MaximumConcentration = maximumConcentration;
    }

    public string Name => "linear anisotropic";

    /// <summary>β [m3.mol-1] per unit θ.</summary>
    public double Beta { get; }

    /// <summary>θ along a and b [-].</summary>
    public double ThetaA { get; }

    /// <summary>θ along c [-].</summary>
    public double ThetaC { get; }

    /// <summary>c0 [mol.m-3]: stress-free concentration.</summary>
    public double ReferenceConcentration { get; }

    public double MaximumConcentration { get; }

    public static LinearAnisotropicStrain Create(double beta, double thetaA, double thetaC, double referenceConcentration, double maximumConcentration)
    {
        var problems = new ParameterProblems("linear anisotropic strain");
        problems.Finite("beta", beta, "m3.mol-1");
        problems.Finite("theta along a", thetaA, "-");
        problems.Finite("theta along c", thetaC, "-");
        problems.Positive("maximum concentration", maximumConcentration, "mol.m-3");
        problems.InRange("reference concentration", referenceConcentration, 0, maximumConcentration, "mol.m-3");
        problems.ThrowIfAny();
        return new LinearAnisotropicStrain(beta, thetaA, thetaC, referenceConcentration, maximumConcentration);
    }

    public (double AlongA, double AlongC) PrincipalStrains(double concentration)
    {
        var dc = concentration - ReferenceConcentration;
        return (Beta * ThetaA * dc, Beta * ThetaC * dc);
    }

    public void Evaluate(double concentration, out double isotropic, out double alongA, out double alongC)
    {
        var dc = concentration - ReferenceConcentration;
        alongA = Beta * ThetaA * dc;
        alongC = Beta * ThetaC * dc;
        isotropic = Beta * (2 * ThetaA + ThetaC) / 3.0 * dc;
    }

    public double Strain(double concentration) =>
        Beta * (2 * ThetaA + ThetaC) / 3.0 * (concentration - ReferenceConcentration);
}
