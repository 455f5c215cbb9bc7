// What a bond is made of (PFC parallel-bond inputs, Potyondy and Cundall 2004 Table 1): bond modulus and stiffness
// ratio (kn = E_b/(Ri+Rj), ks = kn/ratio), radius multiplier, strengths with a uniform scatter, damping and the gap
// within which two particles are bonded at formation. Validated as a whole; every problem is reported at once.
namespace DigitalTwin.Physics.Dem.Contact.Bonds;

public sealed record BondParameters
{
    /// <summary>Bond Young's modulus E_b [Pa]; normal stiffness per area kn = E_b / (Ri + Rj).</summary>
    public double Modulus { get; init; } = 140e9;

    /// <summary>kn / ks [-] (PFC's kbar ratio; 2.5 for a Poisson ratio near 0.25).</summary>
    public double StiffnessRatio { get; init; } = 2.5;

    /// <summary>Bond radius over the smaller particle radius, lambda [-].</summary>
    public double RadiusMultiplier { get; init; } = 0.5;

    /// <summary>Mean tensile strength sigma_c [Pa].</summary>
    public double TensileStrength { get; init; } = 1e9;

    /// <summary>Mean shear strength tau_c [Pa].</summary>
    public double ShearStrength { get; init; } = 1e9;

    /// <summary>Half-width of the uniform strength scatter relative to the mean [-] (0: every bond equal).</summary>
    public double StrengthSpread { get; init; }

    /// <summary>Fraction of critical viscous damping of the bond springs [-] (0: elastic).</summary>
    public double DampingRatio { get; init; }

    /// <summary>Pairs closer than this gap (relative to the smaller radius) are bonded at formation [-].</summary>
    public double FormationGap { get; init; } = 0.01;

    /// <summary>Seed of the strength scatter.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>All problems at once, each naming the parameter.</summary>
    public List<string> Validate()
    {
        var problems = new List<string>();
        Positive(Modulus, nameof(Modulus), "Pa");
        Positive(StiffnessRatio, nameof(StiffnessRatio), "-");
        Positive(TensileStrength, nameof(TensileStrength), "Pa");
        Positive(ShearStrength, nameof(ShearStrength), "Pa");
        if (!(RadiusMultiplier > 0 && RadiusMultiplier <= 1))
        {
            problems.Add($"bond.RadiusMultiplier = {RadiusMultiplier}: must be in (0, 1]");
        }

        if (!(StrengthSpread >= 0 && StrengthSpread < 1))
        {
            problems.Add($"bond.StrengthSpread = {StrengthSpread}: must be in [0, 1)");
        }

        if (!(DampingRatio >= 0 && DampingRatio <= 1))
        {
            problems.Add($"bond.DampingRatio = {DampingRatio}: must be in [0, 1]");
        }

        if (!(FormationGap >= 0 && FormationGap < 1))
        {
            problems.Add($"bond.FormationGap = {FormationGap}: must be in [0, 1)");
        }

        return problems;

        void Positive(double v, string name, string unit)
        {
            if (!(v > 0 && double.IsFinite(v)))
            {
                problems.Add($"bond.{name} = {v} {unit}: must be > 0 and finite");
            }
        }
    }
}

/// <summary>The bonds of a system by particle id, with their history: carried from one system to the next (aggregate,
/// cycling, crush) as particles are re-created.</summary>
public sealed record BondSnapshot(
    int[] IdI, int[] IdJ, double[] Kn, double[] Ks, double[] Rb, double[] Delta0, double[] SigmaC, double[] TauC,
    double[] GammaN, double[] GammaT, double[] History, bool[] Broken, int FormedCount)
{
    public int IntactCount => Broken.Count(b => !b);
}
