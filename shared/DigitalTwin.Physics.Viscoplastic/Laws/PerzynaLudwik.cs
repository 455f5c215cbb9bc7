// Small-strain elastic–viscoplastic Perzyna law with Ludwik isotropic hardening (seed 002 eqs. 24–31):
//   f = σ̄ − σy,  σy = σy0 + k ε̄p^n,  dλ/dt = A ⟨f/σ_ref⟩^b,  associated J2 flow,  σ = C : (ε − εp − ε_s),
// σ_ref = σy (seed 002/COMSOL) or σy0. A = ∞ is the rate-independent J2 limit. Backward-Euler radial return:
//   σ̄_tr − 3GΔλ − σy(ε̄p + Δλ) − σ_ref (Δλ/(AΔt))^(1/b) = 0,
// with the consistent tangent C = K 1⊗1 + 2G(1 − 3GΔλ/σ̄_tr) I_dev + 6G²(Δλ/σ̄_tr − 1/h) n⊗n, h = −∂f/∂Δλ.
// Voigt order 11, 22, 33, 23, 13, 12; strains with engineering shears, stresses as tensor components.
using System.Runtime.CompilerServices;

namespace DigitalTwin.Physics.Viscoplastic.Laws;

/// <summary>What normalises the overstress in the flow rule.</summary>
public enum OverstressReference
{
    /// <summary>σ_ref = σy(ε̄p): seed 002 eq. 30 and COMSOL's Perzyna model.</summary>
    CurrentYieldStress,

    /// <summary>σ_ref = σy0: makes the uniaxial constant-rate response linear (closed form with linear hardening).</summary>
    InitialYieldStress,
}

/// <summary>Outcome of one material-point update.</summary>
public enum UpdateStatus
{
    Elastic,
    Plastic,

    /// <summary>The increment was not integrated: see the law's refusal reason; split it (the drivers do so).</summary>
    Refused,
}

public sealed class PerzynaLudwik
{
    private PerzynaLudwik(double e, double nu, double y0, double k, double n, double a, double b, OverstressReference reference, double maxIncrement)
    {
        YoungsModulus = e;
        PoissonsRatio = nu;
        InitialYieldStress = y0;
        StrengthCoefficient = k;
        HardeningExponent = n;
        RateCoefficient = a;
        RateExponent = b;
        Reference = reference;
        MaximumPlasticIncrement = maxIncrement;
        ShearModulus = e / (2 * (1 + nu));
        BulkModulus = e / (3 * (1 - 2 * nu));
    }

    /// <summary>E [Pa].</summary>
    public double YoungsModulus { get; }

    /// <summary>ν [-].</summary>
    public double PoissonsRatio { get; }

    /// <summary>σy0 [Pa].</summary>
    public double InitialYieldStress { get; }

    /// <summary>Ludwik k [Pa] (with n = 1 this is the linear hardening modulus H).</summary>
    public double StrengthCoefficient { get; }

    /// <summary>Ludwik n [-].</summary>
    public double HardeningExponent { get; }

    /// <summary>Perzyna A [s-1]; +∞ for the rate-independent limit.</summary>
    public double RateCoefficient { get; }

    /// <summary>Perzyna b [-].</summary>
    public double RateExponent { get; }

    public OverstressReference Reference { get; }

    /// <summary>Largest plastic strain increment one update may produce [-]; beyond it the update is refused.</summary>
    public double MaximumPlasticIncrement { get; }

    public double ShearModulus { get; }

    public double BulkModulus { get; }

    public bool IsRateIndependent => double.IsPositiveInfinity(RateCoefficient);

    /// <summary>Validates every parameter and reports all problems at once.</summary>
    public static PerzynaLudwik Create(double youngsModulus, double poissonsRatio, double initialYieldStress, double strengthCoefficient,
        double hardeningExponent, double rateCoefficient, double rateExponent,
        OverstressReference reference = OverstressReference.CurrentYieldStress, double maximumPlasticIncrement = 0.01)
    {
        var p = new Problems("Perzyna–Ludwik law");
        p.Positive("Young's modulus E", youngsModulus, "Pa");
        if (!(poissonsRatio > -1 && poissonsRatio < 0.5))
        {
            p.Add($"Poisson's ratio ν = {poissonsRatio} must lie in (-1, 0.5)");
        }

        p.Positive("initial yield stress σy0", initialYieldStress, "Pa");
        if (!(strengthCoefficient >= 0) || double.IsInfinity(strengthCoefficient))
        {
            p.Add($"strength coefficient k = {strengthCoefficient} Pa must be finite and non-negative");
        }

        if (!(hardeningExponent >= 1) || double.IsInfinity(hardeningExponent))
        {
            p.Add($"hardening exponent n = {hardeningExponent} must be finite and ≥ 1 (the return mapping needs a finite hardening slope at ε̄p = 0)");
        }

        p.Positive("rate coefficient A", rateCoefficient, "s-1");
        if (!(rateExponent >= 1) || double.IsInfinity(rateExponent))
        {
            p.Add($"rate exponent b = {rateExponent} must be finite and ≥ 1");
        }

        p.Positive("maximum plastic increment", maximumPlasticIncrement, "-");
        p.ThrowIfAny();
        return new PerzynaLudwik(youngsModulus, poissonsRatio, initialYieldStress, strengthCoefficient, hardeningExponent,
            rateCoefficient, rateExponent, reference, maximumPlasticIncrement);
    }

    /// <summary>A copy with other A and k (used by the calibration).</summary>
    public PerzynaLudwik With(double rateCoefficient, double strengthCoefficient) =>
        Create(YoungsModulus, PoissonsRatio, InitialYieldStress, strengthCoefficient, HardeningExponent, rateCoefficient, RateExponent,
            Reference, MaximumPlasticIncrement);

    /// <summary>σy(ε̄p) [Pa].</summary>
    public double YieldStress(double accumulatedPlasticStrain) =>
        InitialYieldStress + StrengthCoefficient * Math.Pow(accumulatedPlasticStrain, HardeningExponent);

    /// <summary>
    /// Updates one material point over a step Δt [s]: total strain ε [6], optional eigenstrain (swelling) [6] and the
    /// state (plastic strain εp [6, engineering shears], ε̄p) in; stress [Pa, 6] and, if given, the consistent
    /// tangent ∂σ/∂ε [Pa, 36 row-major] out. On refusal the state is unchanged.
    /// </summary>
    public UpdateStatus Update(ReadOnlySpan<double> strain, ReadOnlySpan<double> eigenstrain, double timeStep,
        Span<double> plasticStrain, ref double accumulatedPlasticStrain, Span<double> stress, Span<double> tangent)
    {
        var g = ShearModulus;
        var kb = BulkModulus;
        double e0 = strain[0] - plasticStrain[0], e1 = strain[1] - plasticStrain[1], e2 = strain[2] - plasticStrain[2];
        double g3 = strain[3] - plasticStrain[3], g4 = strain[4] - plasticStrain[4], g5 = strain[5] - plasticStrain[5];
        if (eigenstrain.Length >= 6)
        {
            e0 -= eigenstrain[0];
            e1 -= eigenstrain[1];
            e2 -= eigenstrain[2];
            g3 -= eigenstrain[3];
            g4 -= eigenstrain[4];
            g5 -= eigenstrain[5];
        }

        var trace = e0 + e1 + e2;
        var mean = trace / 3;
        var twoG = 2 * g;
        double s0 = twoG * (e0 - mean), s1 = twoG * (e1 - mean), s2 = twoG * (e2 - mean);
        double s3 = g * g3, s4 = g * g4, s5 = g * g5;
        var norm = Math.Sqrt(s0 * s0 + s1 * s1 + s2 * s2 + 2 * (s3 * s3 + s4 * s4 + s5 * s5));
        var equivalent = Math.Sqrt(1.5) * norm;
        var p0 = accumulatedPlasticStrain;
        var yield0 = YieldStress(p0);
        var pressure = kb * trace;
        if (equivalent <= yield0)
        {
            stress[0] = pressure + s0;
            stress[1] = pressure + s1;
            stress[2] = pressure + s2;
            stress[3] = s3;
            stress[4] = s4;
            stress[5] = s5;
            if (!tangent.IsEmpty)
            {
                ElasticTangent(tangent);
            }

            return UpdateStatus.Elastic;
        }

        // The plastic increment is bounded by (σ̄_tr − σy)/3G; a bound beyond the limit means the step is too big.
        if ((equivalent - yield0) / (3 * g) > MaximumPlasticIncrement && !(timeStep > 0 && !IsRateIndependent && FlowLimited(equivalent, yield0, timeStep)))
        {
            return UpdateStatus.Refused;
        }

        if (!ReturnMap(equivalent, p0, timeStep, out var dl, out var h))
        {
            return UpdateStatus.Refused;
        }

        var theta = 3 * g * dl / equivalent;
        var scale = 1 - theta;
        stress[0] = pressure + scale * s0;
        stress[1] = pressure + scale * s1;
        stress[2] = pressure + scale * s2;
        stress[3] = scale * s3;
        stress[4] = scale * s4;
        stress[5] = scale * s5;
        // Δεp = Δλ (3/2) s_tr/σ̄_tr; engineering shears carry the factor 2.
        var flow = 1.5 * dl / equivalent;
        plasticStrain[0] += flow * s0;
        plasticStrain[1] += flow * s1;
        plasticStrain[2] += flow * s2;
        plasticStrain[3] += 2 * flow * s3;
        plasticStrain[4] += 2 * flow * s4;
        plasticStrain[5] += 2 * flow * s5;
        accumulatedPlasticStrain = p0 + dl;
        if (!tangent.IsEmpty)
        {
            var inv = 1 / norm;
            Span<double> n = [s0 * inv, s1 * inv, s2 * inv, s3 * inv, s4 * inv, s5 * inv];
            var c = 6 * g * g * (dl / equivalent - 1 / h);
            var gs = g * scale;
            for (var i = 0; i < 6; i++)
            {
                for (var j = 0; j < 6; j++)
                {
                    double v;
                    if (i < 3 && j < 3)
                    {
                        v = kb + 2 * gs * ((i == j ? 1 : 0) - 1.0 / 3);
                    }
                    else
                    {
                        v = i == j ? gs : 0;
                    }

                    tangent[i * 6 + j] = v + c * n[i] * n[j];
                }
            }
        }

        return UpdateStatus.Plastic;
    }

    /// <summary>Why an update was refused, for messages (computed only on refusal).</summary>
    public string RefusalReason(ReadOnlySpan<double> strain, ReadOnlySpan<double> eigenstrain, ReadOnlySpan<double> plasticStrain,
        double accumulatedPlasticStrain, double timeStep)
    {
        Span<double> e = stackalloc double[6];
        for (var i = 0; i < 6; i++)
        {
            e[i] = strain[i] - plasticStrain[i] - (eigenstrain.Length >= 6 ? eigenstrain[i] : 0);
        }

        var m = (e[0] + e[1] + e[2]) / 3;
        var g = ShearModulus;
        var eq = Math.Sqrt(1.5) * 2 * g * Math.Sqrt((e[0] - m) * (e[0] - m) + (e[1] - m) * (e[1] - m) + (e[2] - m) * (e[2] - m)
            + 0.5 * (e[3] * e[3] + e[4] * e[4] + e[5] * e[5]));
        var bound = (eq - YieldStress(accumulatedPlasticStrain)) / (3 * g);
        if (!IsRateIndependent && !(timeStep > 0))
        {
            return "a plastic strain increment with Δt ≤ 0 cannot be integrated by a rate-dependent law";
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"the strain increment allows a plastic strain increment up to {bound:E3}, above the limit {MaximumPlasticIncrement:E3} for one backward-Euler step; split it into smaller increments (the drivers sub-step automatically)");
    }

    /// <summary>Elastic stiffness [Pa, 36 row-major] in the engineering-shear Voigt convention.</summary>
    public void ElasticTangent(Span<double> tangent)
    {
        var g = ShearModulus;
        var kb = BulkModulus;
        tangent[..36].Clear();
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                tangent[i * 6 + j] = kb + 2 * g * ((i == j ? 1 : 0) - 1.0 / 3);
            }

            tangent[(i + 3) * 7] = g;
        }
    }

    // With a finite A, the viscous term alone caps Δλ at A Δt (σ̄_tr/σ_ref − 1)^b; small steps are fine even from large overstress.
    private bool FlowLimited(double equivalent, double yield0, double timeStep)
    {
        var reference = Reference == OverstressReference.CurrentYieldStress ? yield0 : InitialYieldStress;
        var cap = RateCoefficient * timeStep * Math.Pow(Math.Max(equivalent - yield0, 0) / reference, RateExponent);
        return cap <= MaximumPlasticIncrement;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Hardening(double p, out double yield, out double slope)
    {
        var n = HardeningExponent;
        if (n == 2)
        {
            yield = InitialYieldStress + StrengthCoefficient * p * p;
            slope = 2 * StrengthCoefficient * p;
        }
        else if (n == 1)
        {
            yield = InitialYieldStress + StrengthCoefficient * p;
            slope = StrengthCoefficient;
        }
        else
        {
            var pn1 = Math.Pow(p, n - 1);
            yield = InitialYieldStress + StrengthCoefficient * pn1 * p;
            slope = StrengthCoefficient * n * pn1;
        }
    }

    // Residual f(Δλ) = σ̄_tr − 3GΔλ − σy(p0+Δλ) − σ_ref φ(Δλ) (decreasing); returns f and h = −f'.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Residual(double equivalent, double p0, double dl, double timeStep, out double h)
    {
        Hardening(p0 + dl, out var yield, out var slope);
        var g3 = 3 * ShearModulus;
        if (IsRateIndependent)
        {
            h = g3 + slope;
            return equivalent - g3 * dl - yield;
        }

        var adt = RateCoefficient * timeStep;
        double phi, dphi;
        if (RateExponent == 1)
        {
            phi = dl / adt;
            dphi = 1 / adt;
        }
        else
        {
            var inv = 1 / RateExponent;
            phi = Math.Pow(dl / adt, inv);
            dphi = dl > 0 ? inv * phi / dl : double.PositiveInfinity;
        }

        if (Reference == OverstressReference.CurrentYieldStress)
        {
            h = g3 + slope * (1 + phi) + yield * dphi;
            return equivalent - g3 * dl - yield * (1 + phi);
        }

        h = g3 + slope + InitialYieldStress * dphi;
        return equivalent - g3 * dl - yield - InitialYieldStress * phi;
    }

    // Safeguarded Newton on the bracket [0, σ̄_tr/3G]: f(0) > 0 > f(σ̄_tr/3G) and f decreases monotonically.
    private bool ReturnMap(double equivalent, double p0, double timeStep, out double dl, out double h)
    {
        if (!IsRateIndependent && !(timeStep > 0))
        {
            // Δt = 0 with finite A: no time for viscous flow.
            dl = 0;
            h = double.PositiveInfinity;
            return false;
        }

        h = 3 * ShearModulus;
        double lo = 0, hi = equivalent / (3 * ShearModulus);
        Hardening(p0, out var y0, out var s0);
        var guessSlope = 3 * ShearModulus + s0 + (IsRateIndependent ? 0 : (Reference == OverstressReference.CurrentYieldStress ? y0 : InitialYieldStress) / (RateCoefficient * timeStep));
        dl = Math.Min((equivalent - y0) / guessSlope, 0.5 * hi);
        var tolerance = 1e-13 * equivalent;
        for (var it = 0; it < 100; it++)
        {
            var f = Residual(equivalent, p0, dl, timeStep, out h);
            if (Math.Abs(f) <= tolerance)
            {
                return true;
            }

            if (f > 0)
            {
                lo = dl;
            }
            else
            {
                hi = dl;
            }

            var next = dl + f / h;
            dl = next > lo && next < hi && double.IsFinite(next) ? next : 0.5 * (lo + hi);
            if (hi - lo <= 1e-16 * hi)
            {
                Residual(equivalent, p0, dl, timeStep, out h);
                return true;
            }
        }

        return false;
    }
}
