// Bilinear (triangular) traction–separation law with equal strength and energy in normal and shear
// (seed 001 §2.5), irreversible scalar damage and penalty contact against interpenetration.
//   δ_e = sqrt(<δ_n>² + δ_s²), δ0 = σc/K, δf = 2Gc/σc, κ = max history of δ_e,
//   d(κ) = δf (κ − δ0) / (κ (δf − δ0)) clipped to [0, 1],  t = (1 − d) K δ  (t_n = K_c δ_n when δ_n < 0).
namespace DigitalTwin.Physics.Mechanics.Interface;

/// <summary>Traction and its exact tangent returned by <see cref="BilinearCohesiveLaw.Evaluate"/>.</summary>
public readonly record struct CohesiveResponse(
    double NormalTraction, double ShearTraction,
    double DNormalDNormal, double DNormalDShear, double DShearDNormal, double DShearDShear,
    double Kappa, double Damage);

public sealed class BilinearCohesiveLaw
{
    private BilinearCohesiveLaw(double strength, double fractureEnergy, double stiffness, double contactStiffness)
    {
        Strength = strength;
        FractureEnergy = fractureEnergy;
        Stiffness = stiffness;
        ContactStiffness = contactStiffness;
        OnsetSeparation = strength / stiffness;
        FinalSeparation = 2 * fractureEnergy / strength;
    }

    /// <summary>σc [Pa], equal in normal and shear.</summary>
    public double Strength { get; }

    /// <summary>Gc [J.m-2], equal in normal and shear.</summary>
    public double FractureEnergy { get; }

    /// <summary>Initial (undamaged) stiffness K [Pa.m-1].</summary>
    public double Stiffness { get; }

    /// <summary>Contact penalty K_c [Pa.m-1] used when δ_n &lt; 0 (no interpenetration).</summary>
    public double ContactStiffness { get; }

    /// <summary>δ0 = σc / K [m]: damage starts.</summary>
    public double OnsetSeparation { get; }

    /// <summary>δf = 2 Gc / σc [m]: traction-free.</summary>
    public double FinalSeparation { get; }

    /// <remarks><c>stiffness</c>: K [Pa.m-1]; null picks 100 σc/δf, i.e. δ0 = δf/100.</remarks>
    /// <remarks><c>contactStiffness</c>: K_c [Pa.m-1]; null uses K.</remarks>
    public static BilinearCohesiveLaw Create(double strength, double fractureEnergy, double? stiffness = null, double? contactStiffness = null)
    {
        var problems = new ParameterProblems("bilinear cohesive law");
        problems.Positive("interface strength σc", strength, "Pa");
        problems.Positive("interface fracture energy Gc", fractureEnergy, "J.m-2");
        var k = stiffness ?? (strength > 0 && fractureEnergy > 0 ? 100 * strength * strength / (2 * fractureEnergy) : double.NaN);
        if (stiffness is not null)
        {
            problems.Positive("interface stiffness K", k, "Pa.m-1");
        }

        var kc = contactStiffness ?? k;
        if (contactStiffness is not null)
        {
            problems.Positive("contact stiffness K_c", kc, "Pa.m-1");
        }

        if (!problems.Any && !(strength / k < 2 * fractureEnergy / strength))
        {
            problems.Add($"interface stiffness K = {k} Pa.m-1 is too soft: onset δ0 = σc/K = {strength / k} m must be below δf = 2Gc/σc = {2 * fractureEnergy / strength} m");
        }

        problems.ThrowIfAny();
        return new BilinearCohesiveLaw(strength, fractureEnergy, k, kc);
    }

    /// <summary>Damage d(κ) for a history variable κ [m].</summary>
    public double Damage(double kappa)
    {
        if (kappa <= OnsetSeparation)
        {
            return 0;
        }

        return kappa >= FinalSeparation
            ? 1
            : FinalSeparation * (kappa - OnsetSeparation) / (kappa * (FinalSeparation - OnsetSeparation));
    }

    /// <summary>
    /// Energy dissipated per area [J.m-2] once the history reached κ [m]: work to κ minus the recoverable elastic
    /// energy, σc δf (κ − δ0) / (2(δf − δ0)); Gc at full separation.
    /// </summary>
    public double DissipatedEnergy(double kappa)
    {
        if (kappa <= OnsetSeparation)
        {
            return 0;
        }

        return kappa >= FinalSeparation
            ? FractureEnergy
            : 0.5 * Strength * FinalSeparation * (kappa - OnsetSeparation) / (FinalSeparation - OnsetSeparation);
    }

    /// <summary>Traction and tangent at separation (δ_n, δ_s) [m] given the history κ_old [m].</summary>
    public CohesiveResponse Evaluate(double normalSeparation, double shearSeparation, double kappaOld)
    {
        var open = Math.Max(normalSeparation, 0);
        var effective = Math.Sqrt(open * open + shearSeparation * shearSeparation);
        var kappa = Math.Max(kappaOld, OnsetSeparation);
        var loading = effective > kappa;
        if (loading)
        {
            kappa = effective;
        }

        var d = Damage(kappa);
        var k = Stiffness;
        var secant = (1 - d) * k;
        double tn, dnn, dns = 0, dsn = 0;
        if (normalSeparation < 0)
        {
            tn = ContactStiffness * normalSeparation;
            dnn = ContactStiffness;
        }
        else
        {
            tn = secant * normalSeparation;
            dnn = secant;
        }

        var ts = secant * shearSeparation;
        var dss = secant;
        if (loading && kappa < FinalSeparation && kappa > OnsetSeparation)
        {
            // Softening adds −K δ_i d'(δ_e) ∂δ_e/∂δ_j to the secant stiffness.
            var dPrime = FinalSeparation * OnsetSeparation / (kappa * kappa * (FinalSeparation - OnsetSeparation));
            var gn = open / effective;
            var gs = shearSeparation / effective;
            var tnOpen = normalSeparation >= 0 ? normalSeparation : 0;
            dnn -= k * tnOpen * dPrime * gn;
            dns -= k * tnOpen * dPrime * gs;
            dsn -= k * shearSeparation * dPrime * gn;
            dss -= k * shearSeparation * dPrime * gs;
        }

        return new CohesiveResponse(tn, ts, dnn, dns, dsn, dss, kappa, d);
    }

    /// <summary>Normal traction [Pa] at opening g [m] for pure normal loading, history κ_old [m] (trial, no update).</summary>
    public double NormalTraction(double gap, double kappaOld)
    {
        if (gap < 0)
        {
            return ContactStiffness * gap;
        }

        var kappa = Math.Max(Math.Max(kappaOld, OnsetSeparation), gap);
        return (1 - Damage(kappa)) * Stiffness * gap;
    }

    /// <summary>
    /// Solves g + C·t(g) = g0 for the opening of an interface in series with an elastic compliance C [m.Pa-1]
    /// (surroundings that would open a gap g0 [m] if the interface carried no traction). The law is
    /// piecewise linear, so the smallest root is found exactly; it is the stable, path-following one
    /// (snap-back of a soft surrounding jumps to full separation, as quasi-static loading would).
    /// </summary>
    public double SolveWithCompliance(double freeGap, double compliance, double kappaOld)
    {
        var kappa = Math.Max(kappaOld, OnsetSeparation);
        if (freeGap <= 0)
        {
            // Closed: contact branch, linear.
            return freeGap / (1 + compliance * ContactStiffness);
        }

        // Breakpoints of t(g) for g ≥ 0: 0, κ, δf; residual f(g) = g + C t(g) − g0 is linear between them.
        Span<double> breaks = [0, Math.Min(kappa, FinalSeparation), FinalSeparation];
        var previous = breaks[0];
        var fPrevious = -freeGap;
        for (var b = 1; b < breaks.Length; b++)
        {
            var g = breaks[b];
            if (g <= previous)
            {
                continue;
            }

            var f = g + compliance * NormalTraction(g, kappaOld) - freeGap;
            if (fPrevious < 0 && f >= 0)
            {
                return previous + (g - previous) * (-fPrevious) / (f - fPrevious);
            }

            previous = g;
            fPrevious = f;
        }

        // Beyond δf (or a fully damaged interface) the traction is zero and g = g0.
        return Math.Max(freeGap, previous);
    }
}
