// Interface resistance raised by the debonding gap (seed 001 Eq. 2, form of Fig. S3B):
// R_int(D_G) = R0 exp(D_G / δ_R). Patches of the particle surface act in parallel.
namespace DigitalTwin.Physics.Mechanics.Interface;

public sealed class InterfaceResistance
{
    private InterfaceResistance(double baseResistance, double decayLength, double maximumResistance)
    {
        BaseResistance = baseResistance;
        DecayLength = decayLength;
        MaximumResistance = maximumResistance;
        _maximumExponent = Math.Log(maximumResistance / baseResistance);
    }

    private readonly double _maximumExponent;

    /// <summary>R0 [Ohm.m2]: bonded interface.</summary>
    public double BaseResistance { get; }

    /// <summary>δ_R [m]: gap that multiplies the resistance by e.</summary>
    public double DecayLength { get; }

    /// <summary>Cap [Ohm.m2] so a fully open patch stays finite in the electrochemistry.</summary>
    public double MaximumResistance { get; }

    public static InterfaceResistance Create(double baseResistance, double decayLength, double maximumResistance)
    {
        var problems = new ParameterProblems("interface resistance");
        problems.Positive("base resistance R0", baseResistance, "Ohm.m2");
        problems.Positive("decay length δ_R", decayLength, "m");
        problems.Positive("maximum resistance", maximumResistance, "Ohm.m2");
        if (!problems.Any && maximumResistance < baseResistance)
        {
            problems.Add($"maximum resistance {maximumResistance} Ohm.m2 is below the base resistance {baseResistance} Ohm.m2");
        }

        problems.ThrowIfAny();
        return new InterfaceResistance(baseResistance, decayLength, maximumResistance);
    }

    /// <summary>R_int [Ohm.m2] of one patch at gap D_G [m].</summary>
    public double Resistance(double gap)
    {
        var exponent = Math.Max(gap, 0) / DecayLength;
        return exponent >= _maximumExponent ? MaximumResistance : BaseResistance * Math.Exp(exponent);
    }
}
