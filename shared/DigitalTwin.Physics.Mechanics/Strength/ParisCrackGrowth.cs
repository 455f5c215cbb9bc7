// Paris-type crack growth of Ai2020/OKane2022 (PyBaMM crack_propagation):
//   dl/dt = k_cr (σ_t b sqrt(π l))^m / 3600  when σ_t ≥ 0  (k_cr per hour),
// integrated exactly over a step at constant σ_t: l^(1−m/2) advances linearly in time.
namespace DigitalTwin.Physics.Mechanics.Strength;

public sealed class ParisCrackGrowth
{
    private ParisCrackGrowth(double rate, double exponent, double geometryFactor, double initialLength, double maximumLength, double toughness)
    {
        Rate = rate;
        Exponent = exponent;
        GeometryFactor = geometryFactor;
        InitialLength = initialLength;
        MaximumLength = maximumLength;
        Toughness = toughness;
    }

    /// <summary>k_cr [m.s-1 per (Pa.m^0.5)^m, per hour as in PyBaMM].</summary>
    public double Rate { get; }

    /// <summary>m [-].</summary>
    public double Exponent { get; }

    /// <summary>b [-].</summary>
    public double GeometryFactor { get; }

    /// <summary>l_0 [m].</summary>
    public double InitialLength { get; }

    /// <summary>Cap on l [m] (e.g. the particle radius): beyond it the particle is split.</summary>
    public double MaximumLength { get; }

    /// <summary>K_IC [Pa.m^0.5] for the crack-limited strength K_IC / (b sqrt(π l)).</summary>
    public double Toughness { get; }

    public static ParisCrackGrowth Create(double rate, double exponent, double geometryFactor, double initialLength,
        double maximumLength, double toughness)
    {
        var problems = new ParameterProblems("Paris crack growth");
        problems.NonNegative("cracking rate k_cr", rate, "(m.s-1)(Pa.m0.5)^-m");
        problems.Positive("Paris exponent m", exponent, "-");
        problems.Positive("Paris constant b", geometryFactor, "-");
        problems.Positive("initial crack length", initialLength, "m");
        problems.Positive("maximum crack length", maximumLength, "m");
        problems.Positive("fracture toughness K_IC", toughness, "Pa.m0.5");
        if (!problems.Any && maximumLength <= initialLength)
        {
            problems.Add($"maximum crack length {maximumLength} m must exceed the initial length {initialLength} m");
        }

        problems.ThrowIfAny();
        return new ParisCrackGrowth(rate, exponent, geometryFactor, initialLength, maximumLength, toughness);
    }

    /// <summary>Crack length after dt [s] at constant surface tangential stress σ_t [Pa].</summary>
    public double Advance(double length, double tangentialStress, double timeStep)
    {
        if (tangentialStress <= 0 || timeStep <= 0 || Rate == 0 || length >= MaximumLength)
        {
            return length;
        }

        var c = Rate * Math.Pow(tangentialStress * GeometryFactor * Math.Sqrt(Math.PI), Exponent) / 3600;
        var half = Exponent / 2;
        if (Math.Abs(half - 1) < 1e-12)
        {
            return Math.Min(MaximumLength, length * Math.Exp(c * timeStep));
        }

        var power = Math.Pow(length, 1 - half) + (1 - half) * c * timeStep;
        // With m > 2 the closed form blows up in finite time: the crack runs through the particle.
        return power <= 0 ? MaximumLength : Math.Min(MaximumLength, Math.Pow(power, 1 / (1 - half)));
    }

    /// <summary>Crack-limited strength K_IC / (b sqrt(π l)) [Pa].</summary>
    public double CrackLimitedStrength(double length) => Toughness / (GeometryFactor * Math.Sqrt(Math.PI * length));
}
