// Chemical strain from a measured relative volume change V(x) of the host (x = c / c_max), e.g. the
// Ai2020 graphite polynomial after Rieger 2016. Linear strain = cube root of the volume ratio, minus 1.
namespace DigitalTwin.Physics.Mechanics.ChemicalStrain;

public sealed class VolumeChangeCurveStrain : IChemicalStrain
{
    private readonly double[] _coefficients;
    private readonly double _referenceVolume;

    private VolumeChangeCurveStrain(double[] coefficients, double maximumConcentration, double referenceStoichiometry)
    {
        _coefficients = coefficients;
        MaximumConcentration = maximumConcentration;
        ReferenceStoichiometry = referenceStoichiometry;
        _referenceVolume = 1 + Volume(referenceStoichiometry);
    }

    public string Name => "volume change curve";

    public double MaximumConcentration { get; }

    /// <summary>Stoichiometry of the stress-free state [-].</summary>
    public double ReferenceStoichiometry { get; }

    /// <summary>Polynomial coefficients of V(x), lowest power first.</summary>
    public IReadOnlyList<double> Coefficients => _coefficients;

    /// <remarks><c>coefficients</c>: V(x) = Σ a_k x^k, lowest power first [-].</remarks>
    public static VolumeChangeCurveStrain Create(IReadOnlyList<double> coefficients, double maximumConcentration, double referenceStoichiometry)
    {
        var problems = new ParameterProblems("volume change curve strain");
        if (coefficients.Count == 0)
        {
            problems.Add("volume change polynomial has no coefficients");
        }

        for (var i = 0; i < coefficients.Count; i++)
        {
            problems.Finite($"volume change coefficient a{i}", coefficients[i], "-");
        }

        problems.Positive("maximum concentration", maximumConcentration, "mol.m-3");
        problems.InRange("reference stoichiometry", referenceStoichiometry, 0, 1, "-");
        problems.ThrowIfAny();
        var law = new VolumeChangeCurveStrain([.. coefficients], maximumConcentration, referenceStoichiometry);
        for (var k = 0; k <= 100; k++)
        {
            if (1 + law.Volume(k / 100.0) <= 0)
            {
                problems.Add($"volume change V(x={k / 100.0}) ≤ -1: the host would have no volume");
                break;
            }
        }

        problems.ThrowIfAny();
        return law;
    }

    /// <summary>Relative volume change V(x) [-].</summary>
    public double Volume(double stoichiometry)
    {
        var value = 0.0;
        for (var k = _coefficients.Length - 1; k >= 0; k--)
        {
            value = value * stoichiometry + _coefficients[k];
        }

        return value;
    }

    public double Strain(double concentration) =>
        Math.Cbrt((1 + Volume(concentration / MaximumConcentration)) / _referenceVolume) - 1;
}
