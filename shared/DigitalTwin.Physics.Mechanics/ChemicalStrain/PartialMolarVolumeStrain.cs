// Chemical strain from a constant partial molar volume: ε* = Ω (c − c_ref) / 3 (PyBaMM/Ai2020 form).
namespace DigitalTwin.Physics.Mechanics.ChemicalStrain;

public sealed class PartialMolarVolumeStrain : IChemicalStrain
{
    private PartialMolarVolumeStrain(double partialMolarVolume, double referenceConcentration, double maximumConcentration)
    {
        PartialMolarVolume = partialMolarVolume;
        ReferenceConcentration = referenceConcentration;
        MaximumConcentration = maximumConcentration;
    }

    public string Name => "partial molar volume";

    /// <summary>Ω [m3.mol-1]; negative for hosts that shrink on lithiation (LCO in Ai2020).</summary>
    public double PartialMolarVolume { get; }

    /// <summary>Concentration of the stress-free state c_ref [mol.m-3].</summary>
    public double ReferenceConcentration { get; }

    public double MaximumConcentration { get; }

    public static PartialMolarVolumeStrain Create(double partialMolarVolume, double referenceConcentration, double maximumConcentration)
    {
        var problems = new ParameterProblems("partial molar volume strain");
        problems.Finite("partial molar volume", partialMolarVolume, "m3.mol-1");
        problems.Positive("maximum concentration", maximumConcentration, "mol.m-3");
        problems.InRange("reference concentration", referenceConcentration, 0, maximumConcentration, "mol.m-3");
        problems.ThrowIfAny();
        return new PartialMolarVolumeStrain(partialMolarVolume, referenceConcentration, maximumConcentration);
    }

    public double Strain(double concentration) => PartialMolarVolume * (concentration - ReferenceConcentration) / 3.0;
}
