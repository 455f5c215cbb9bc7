// Uniaxial constant-strain-rate responses against closed forms, and the rate-independent (A → ∞) J2 limit.
using DigitalTwin.Physics.Viscoplastic.Drivers;
using DigitalTwin.Physics.Viscoplastic.Laws;

namespace DigitalTwin.Physics.Viscoplastic.Tests;

public sealed class ClosedFormTests
{
    // PVdF constants of seed 002 Table 3; H = E Et/(E − Et) of its linear-hardening alternative (Et = 284.9 MPa).
    private const double E = 1.05e9, Nu = 0.326, Y0 = 19.36e6, H = 1.05e9 * 284.9e6 / (1.05e9 - 284.9e6), A = 8e-3, Rate = 3e-3;

    /// <summary>
    /// Linear ODE ṗ + α p = (A E ε̇/σ_ref) s after yield (s = t − σy0/(Eε̇)), valid when the overstress is
    /// normalised by a constant σ_ref: p = (A E ε̇/σ_ref)[s/α − (1 − e^(−α s))/α²], α = A (E + H)/σ_ref; σ = E(ε̇t − p).
    /// </summary>
    private static double ClosedFormStress(double t, double hardening)
    {
        var ty = Y0 / (E * Rate);
        if (t <= ty)
        {
            return E * Rate * t;
        }

        var s = t - ty;
        var alpha = A * (E + hardening) / Y0;
        var p = A * E * Rate / Y0 * (s / alpha - (1 - Math.Exp(-alpha * s)) / (alpha * alpha));
        return E * (Rate * t - p);
    }

    [Theory]
    [InlineData(OverstressReference.InitialYieldStress, H)]
    [InlineData(OverstressReference.CurrentYieldStress, 0.0)]
    public void LinearHardeningWithBEqualsOneMatchesTheClosedFormWithinPointOnePercent(OverstressReference reference, double hardening)
    {
        // With H = 0 both normalisations coincide (σy ≡ σy0), so the current-yield law (seed 002) is checked too.
        var law = PerzynaLudwik.Create(E, Nu, Y0, hardening, 1, A, 1, reference);
        var curve = TensileTest.Run(law, Rate, 0.06, 20000);
        double worst = 0;
        for (var i = 1000; i <= 20000; i += 1000)
        {
            var expected = ClosedFormStress(curve.Time[i], hardening);
            worst = Math.Max(worst, Math.Abs(curve.Stress[i] - expected) / expected);
        }

        Assert.True(worst < 1e-3, $"max relative error {worst:E3}");
    }

    [Fact]
    public void RateIndependentLimitMatchesTheClassicalJ2SolutionExactly()
    {
        // Linear hardening, uniaxial: σ = σy0 + (E H/(E + H)) (ε − σy0/E) after yield; backward-Euler radial return
        // is exact on proportional paths.
        var law = PerzynaLudwik.Create(E, Nu, Y0, H, 1, double.PositiveInfinity, 1, maximumPlasticIncrement: 1);
        var curve = TensileTest.Run(law, Rate, 0.06, 37);
        for (var i = 1; i < curve.Strain.Length; i++)
        {
            var eps = curve.Strain[i];
            var expected = eps <= Y0 / E ? E * eps : Y0 + E * H / (E + H) * (eps - Y0 / E);
            Assert.Equal(expected, curve.Stress[i], expected * 1e-10);
        }
    }

    [Fact]
    public void LargeRateCoefficientConvergesToTheRateIndependentReturnMapping()
    {
        // A → ∞ recovers the classical J2 return mapping on a non-proportional 3D path (Ludwik, n = 2).
        var j2 = PerzynaLudwik.Create(E, Nu, Y0, 6e9, 2, double.PositiveInfinity, 1);
        double previous = double.MaxValue;
        foreach (var a in new[] { 1e2, 1e4, 1e6 })
        {
            var law = PerzynaLudwik.Create(E, Nu, Y0, 6e9, 2, a, 1);
            var diff = MaxDifference(law, j2);
            Assert.True(diff < previous, $"A = {a}: difference {diff} did not shrink");
            previous = diff;
        }

        Assert.True(previous < 1e-4 * Y0, $"A = 1e6: max stress difference {previous} Pa");
    }

    private static double MaxDifference(PerzynaLudwik a, PerzynaLudwik b)
    {
        Span<double> pa = stackalloc double[6], pb = stackalloc double[6], sa = stackalloc double[6], sb = stackalloc double[6];
        Span<double> strain = stackalloc double[6];
        double qa = 0, qb = 0, worst = 0;
        for (var k = 1; k <= 400; k++)
        {
            var t = k / 400.0;
            strain[0] = 0.06 * t;
            strain[1] = -0.02 * Math.Sin(3 * t);
            strain[3] = 0.04 * t * t;
            strain[5] = -0.03 * Math.Sin(2 * t);
            a.Update(strain, [], 0.05, pa, ref qa, sa, []);
            b.Update(strain, [], 0.05, pb, ref qb, sb, []);
            for (var i = 0; i < 6; i++)
            {
                worst = Math.Max(worst, Math.Abs(sa[i] - sb[i]));
            }
        }

        return worst;
    }
}
