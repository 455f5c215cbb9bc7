// The reduced electrochemical model the SOC filter runs on: a single-particle model with quasi-steady particle profiles.
namespace DigitalTwin.Estimation.Filtering;

/// <summary>
/// Parameters of the reduced single-particle model. Stoichiometries are at 0 % and 100 % state of charge; the
/// diffusion time R²/D sets how far the surface runs ahead of the particle average. A half cell has no negative OCP
/// (lithium metal at 0 V) and only its lithium-metal exchange current.
/// </summary>
/// <param name="PositiveOcp">Positive electrode OCP as a function of stoichiometry [V].</param>
/// <param name="NegativeOcp">Negative electrode OCP [V]; null for a lithium-metal counter electrode.</param>
/// <param name="PositiveStoichiometryAt0">Positive stoichiometry at 0 % SOC [dimensionless].</param>
/// <param name="PositiveStoichiometryAt100">Positive stoichiometry at 100 % SOC [dimensionless].</param>
/// <param name="NegativeStoichiometryAt0">Negative stoichiometry at 0 % SOC [dimensionless].</param>
/// <param name="NegativeStoichiometryAt100">Negative stoichiometry at 100 % SOC [dimensionless].</param>
/// <param name="CapacityAh">Usable capacity between 0 and 100 % SOC [A.h].</param>
/// <param name="PositiveDiffusionTime">R²/D of the positive particles [s].</param>
/// <param name="NegativeDiffusionTime">R²/D of the negative particles [s]; ignored for a half cell.</param>
/// <param name="PositiveExchangeCurrent">Cell-level exchange current of the positive electrode, i0·a·L·A [A].</param>
/// <param name="NegativeExchangeCurrent">Same for the negative electrode (or the lithium-metal surface) [A].</param>
/// <param name="Temperature">Cell temperature [K].</param>
public sealed record ReducedSpmParameters(
    Func<double, double> PositiveOcp,
    Func<double, double>? NegativeOcp,
    double PositiveStoichiometryAt0,
    double PositiveStoichiometryAt100,
    double NegativeStoichiometryAt0,
    double NegativeStoichiometryAt100,
    double CapacityAh,
    double PositiveDiffusionTime,
    double NegativeDiffusionTime,
    double PositiveExchangeCurrent,
    double NegativeExchangeCurrent,
    double Temperature = 298.15)
{
    /// <summary>Every problem with the parameters, empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Fraction(string name, double v)
        {
            if (!(v > 0 && v < 1))
            {
                problems.Add($"{name} must lie in (0, 1) (was {v})");
            }
        }

        Fraction(nameof(PositiveStoichiometryAt0), PositiveStoichiometryAt0);
        Fraction(nameof(PositiveStoichiometryAt100), PositiveStoichiometryAt100);
        if (NegativeOcp is not null)
        {
            Fraction(nameof(NegativeStoichiometryAt0), NegativeStoichiometryAt0);
            Fraction(nameof(NegativeStoichiometryAt100), NegativeStoichiometryAt100);
            if (!(NegativeDiffusionTime > 0))
            {
                problems.Add($"{nameof(NegativeDiffusionTime)} must be positive [s] (was {NegativeDiffusionTime})");
            }
        }

        if (PositiveStoichiometryAt0 <= PositiveStoichiometryAt100)
        {
            problems.Add("the positive electrode must delithiate on charge (stoichiometry at 0 % above that at 100 %)");
        }

        if (NegativeOcp is not null && NegativeStoichiometryAt0 >= NegativeStoichiometryAt100)
        {
            problems.Add("the negative electrode must lithiate on charge (stoichiometry at 0 % below that at 100 %)");
        }

        if (!(CapacityAh > 0))
        {
            problems.Add($"{nameof(CapacityAh)} must be positive [A.h] (was {CapacityAh})");
        }

        if (!(PositiveDiffusionTime > 0))
        {
            problems.Add($"{nameof(PositiveDiffusionTime)} must be positive [s] (was {PositiveDiffusionTime})");
        }

        if (!(PositiveExchangeCurrent > 0) || !(NegativeExchangeCurrent > 0))
        {
            problems.Add("exchange currents must be positive [A]");
        }

        if (!(Temperature > 0))
        {
            problems.Add($"{nameof(Temperature)} must be positive [K] (was {Temperature})");
        }

        return problems;
    }
}

/// <summary>
/// The model equations. With current I (positive charging) the particle averages follow SOC exactly; for a sphere
/// with a quasi-steady (parabolic) profile the surface leads the average by δ = (τ/15)·dθ/dt (Subramanian et al.,
/// J. Electrochem. Soc. 152 (2005) A2002, eq. 9 with c_avg' = −3j/R), reached with the sphere's slowest diffusion
/// mode, time constant τ/λ1² with λ1 = 4.4934 (first root of tan λ = λ; Crank, Mathematics of Diffusion, §6.3).
/// V = U+(θ+ + δ+) − U−(θ− + δ−) + (2RT/F)[asinh(I/2I0+) + asinh(I/2I0−)] + R0·I.
/// </summary>
public static class ReducedSpm
{
    /// <summary>Faraday constant [C.mol-1].</summary>
    public const double Faraday = 96485.33212;

    /// <summary>Gas constant [J.mol-1.K-1].</summary>
    public const double Gas = 8.314462618;

    /// <summary>λ1² for the sphere's slowest non-trivial diffusion mode (λ1 = 4.4934).</summary>
    public const double SlowestModeEigenvalue = 20.1907;

    public static double PositiveStoichiometry(ReducedSpmParameters p, double soc) =>
        p.PositiveStoichiometryAt0 + soc * (p.PositiveStoichiometryAt100 - p.PositiveStoichiometryAt0);

    public static double NegativeStoichiometry(ReducedSpmParameters p, double soc) =>
        p.NegativeStoichiometryAt0 + soc * (p.NegativeStoichiometryAt100 - p.NegativeStoichiometryAt0);

    /// <summary>Steady surface-minus-average stoichiometry of each electrode at current <paramref name="current"/> [dimensionless].</summary>
    public static (double Positive, double Negative) SteadyLead(ReducedSpmParameters p, double current)
    {
        var socRate = current / (3600 * p.CapacityAh);
        var positive = p.PositiveDiffusionTime / 15 * (p.PositiveStoichiometryAt100 - p.PositiveStoichiometryAt0) * socRate;
        var negative = p.NegativeOcp is null ? 0 : p.NegativeDiffusionTime / 15 * (p.NegativeStoichiometryAt100 - p.NegativeStoichiometryAt0) * socRate;
        return (positive, negative);
    }

    /// <summary>Open-circuit voltage at a state of charge [V].</summary>
    public static double OpenCircuitVoltage(ReducedSpmParameters p, double soc) =>
        p.PositiveOcp(Clamp(PositiveStoichiometry(p, soc))) - (p.NegativeOcp?.Invoke(Clamp(NegativeStoichiometry(p, soc))) ?? 0);

    /// <summary>Terminal voltage for states (SOC, leads, R0) and current [V].</summary>
    public static double Voltage(ReducedSpmParameters p, double soc, double leadPositive, double leadNegative, double resistance, double current)
    {
        var up = p.PositiveOcp(Clamp(PositiveStoichiometry(p, soc) + leadPositive));
        var un = p.NegativeOcp?.Invoke(Clamp(NegativeStoichiometry(p, soc) + leadNegative)) ?? 0;
        return up - un + KineticOverpotential(p, current) + resistance * current;
    }

    /// <summary>Butler–Volmer overpotential of both electrodes (symmetric, α = 0.5) [V].</summary>
    public static double KineticOverpotential(ReducedSpmParameters p, double current)
    {
        var thermal = 2 * Gas * p.Temperature / Faraday;
        return thermal * (Math.Asinh(current / (2 * p.PositiveExchangeCurrent)) + Math.Asinh(current / (2 * p.NegativeExchangeCurrent)));
    }

    internal static double Clamp(double stoichiometry) => Math.Clamp(stoichiometry, 1e-6, 1 - 1e-6);
}
