// The eigenstrain a lithium concentration imposes on the host lattice (the "swelling" law).
// Strains are linear (not volumetric) and measured from the law's stress-free reference state.
namespace DigitalTwin.Physics.Mechanics.ChemicalStrain;

/// <summary>Isotropic chemical strain ε*(c): a free particle element changes length by the factor 1 + ε*.</summary>
public interface IChemicalStrain
{
    /// <summary>Law name as used in parameter sets, e.g. "partial molar volume".</summary>
    string Name { get; }

    /// <summary>Maximum lithium concentration c_max [mol.m-3]; profiles beyond it are rejected.</summary>
    double MaximumConcentration { get; }

    /// <summary>Isotropic linear eigenstrain [-] at concentration c [mol.m-3].</summary>
    double Strain(double concentration);
}

/// <summary>A layered-oxide law that also resolves the strain along the crystal a (= b) and c axes.</summary>
public interface IAnisotropicChemicalStrain : IChemicalStrain
{
    /// <summary>Linear eigenstrain along a (= b) and along c [-] at concentration c [mol.m-3].</summary>
    (double AlongA, double AlongC) PrincipalStrains(double concentration);

    /// <summary>Isotropic and principal strains in one evaluation (the particle loop's hot path).</summary>
    void Evaluate(double concentration, out double isotropic, out double alongA, out double alongC);
}
