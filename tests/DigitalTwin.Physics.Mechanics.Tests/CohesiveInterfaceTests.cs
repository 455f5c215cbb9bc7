// Bilinear cohesive law in a single interface element and the particle–matrix interface built on it.
using DigitalTwin.Physics.Mechanics.Interface;

namespace DigitalTwin.Physics.Mechanics.Tests;

public sealed class CohesiveInterfaceTests
{
    // Seed 001 baseline interface: σc = 100 MPa, Gc = 1 J/m² (δf = 20 nm).
    private static readonly BilinearCohesiveLaw Law = BilinearCohesiveLaw.Create(1e8, 1.0);

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(0.0, 1.0)]
    [InlineData(0.6, 0.8)]
    public void MonotonicOpeningRecoversStrengthAndFractureEnergyExactly(double normal, double shear)
    {
        // Drive the separation along a fixed direction; peak |t| must be σc and ∫ t·dδ must be Gc (area 1 m²).
        double kappa = 0, peak = 0, work = 0, previousT = 0, previousS = 0;
        var breaks = new[] { 0, Law.OnsetSeparation, Law.FinalSeparation, 1.5 * Law.FinalSeparation };
        for (var b = 1; b < breaks.Length; b++)
        {
            // The law is linear between breakpoints, so trapezoids on a few points integrate it exactly.
            for (var k = 1; k <= 8; k++)
            {
                var s = breaks[b - 1] + (breaks[b] - breaks[b - 1]) * k / 8;
                var r = Law.Evaluate(normal * s, shear * s, kappa);
                kappa = r.Kappa;
                var t = Math.Sqrt(r.NormalTraction * r.NormalTraction + r.ShearTraction * r.ShearTraction);
                peak = Math.Max(peak, t);
                work += 0.5 * (t + previousT) * (s - previousS);
                previousT = t;
                previousS = s;
            }
        }

        Assert.Equal(1e8, peak, 1e8 * 1e-12);
        Assert.Equal(1.0, work, 1e-12);
        Assert.Equal(1.0, Law.Damage(kappa));
    }

    [Fact]
    public void UnloadingAndReloadingFollowTheDamagedStiffness()
    {
        // Load onto the softening branch (κ = 2δ0, d = δf/(2(δf − δ0)) ≈ 0.505), unload to zero, reload: secant (1 − d) K.
        var peakOpening = 2 * Law.OnsetSeparation;
        var loaded = Law.Evaluate(peakOpening, 0, 0);
        var d = loaded.Damage;
        Assert.Equal(Law.FinalSeparation / (2 * (Law.FinalSeparation - Law.OnsetSeparation)), d, 1e-12);
        foreach (var fraction in new[] { 0.75, 0.5, 0.25, 0.0, 0.5, 1.0 })
        {
            var r = Law.Evaluate(fraction * peakOpening, 0, loaded.Kappa);
            Assert.Equal((1 - d) * Law.Stiffness * fraction * peakOpening, r.NormalTraction, 1e-6);
            Assert.Equal(loaded.Kappa, r.Kappa);
            Assert.Equal((1 - d) * Law.Stiffness, r.DNormalDNormal, 1e-3);
        }

        // Irreversible: reloading beyond the old peak resumes softening on the original envelope.
        var beyond = Law.Evaluate(0.8 * Law.FinalSeparation, 0, loaded.Kappa);
        var envelope = Law.Strength * (Law.FinalSeparation - 0.8 * Law.FinalSeparation) / (Law.FinalSeparation - Law.OnsetSeparation);
        Assert.Equal(envelope, beyond.NormalTraction, envelope * 1e-10);
    }

    [Fact]
    public void DissipatedPlusRecoverableEnergyEqualsTheWorkDoneAtEveryDamageState()
    {
        // Work to κ on the envelope = ½σcδ0 + ∫ softening; recoverable = ½ t(κ) κ; their difference is dissipated.
        foreach (var fraction in new[] { 0.0, 0.1, 0.5, 0.9, 1.0 })
        {
            var kappa = Law.OnsetSeparation + fraction * (Law.FinalSeparation - Law.OnsetSeparation);
            var t = Law.Strength * (Law.FinalSeparation - kappa) / (Law.FinalSeparation - Law.OnsetSeparation);
            var work = 0.5 * Law.Strength * Law.OnsetSeparation + 0.5 * (Law.Strength + t) * (kappa - Law.OnsetSeparation);
            Assert.Equal(work - 0.5 * t * kappa, Law.DissipatedEnergy(kappa), 1e-12);
        }

        Assert.Equal(1.0, Law.DissipatedEnergy(2 * Law.FinalSeparation));
    }

    [Fact]
    public void ClosingAFullyDamagedInterfacePreventsInterpenetrationButDoesNotRebond()
    {
        var broken = Law.Evaluate(2 * Law.FinalSeparation, 0, 0).Kappa;
        Assert.Equal(0, Law.Evaluate(0.5 * Law.FinalSeparation, 0, broken).NormalTraction);
        var closed = Law.Evaluate(-1e-10, 0, broken);
        Assert.Equal(Law.ContactStiffness * -1e-10, closed.NormalTraction, 1e-3);
        Assert.Equal(0, closed.ShearTraction);
    }

    [Theory]
    [InlineData(0.3, 0.1, 0.0)]
    [InlineData(0.7, 0.4, 0.0)]
    [InlineData(0.5, 0.5, 0.6)]
    [InlineData(-0.2, 0.6, 0.0)]
    public void TangentMatchesFiniteDifferences(double normalFraction, double shearFraction, double kappaFraction)
    {
        var df = Law.FinalSeparation;
        var dn = normalFraction * df;
        var ds = shearFraction * df;
        var kappa = kappaFraction * df;
        var r = Law.Evaluate(dn, ds, kappa);
        var h = 1e-7 * df;
        var pn = Law.Evaluate(dn + h, ds, kappa);
        var mn = Law.Evaluate(dn - h, ds, kappa);
        var ps = Law.Evaluate(dn, ds + h, kappa);
        var ms = Law.Evaluate(dn, ds - h, kappa);
        var scale = Law.Stiffness;
        // Central differences: error O(h²) ≈ 1e-14 relative, far below the 1e-6 bar.
        Assert.Equal((pn.NormalTraction - mn.NormalTraction) / (2 * h), r.DNormalDNormal, 1e-6 * scale);
        Assert.Equal((ps.NormalTraction - ms.NormalTraction) / (2 * h), r.DNormalDShear, 1e-6 * scale);
        Assert.Equal((pn.ShearTraction - mn.ShearTraction) / (2 * h), r.DShearDNormal, 1e-6 * scale);
        Assert.Equal((ps.ShearTraction - ms.ShearTraction) / (2 * h), r.DShearDShear, 1e-6 * scale);
    }

    [Fact]
    public void BondedParticleWithUniformSwellingMatchesTheEshelbyPressure()
    {
        // Sphere with uniform eigenstrain θ bonded in an infinite matrix: p = 3θ·4K_p G_m / (3K_p + 4G_m)
        // (Eshelby 1957; Timoshenko & Goodier misfit sphere). A stiff penalty (δ0 = δf/10⁶) approximates bonding.
        var law = BilinearCohesiveLaw.Create(1e9, 10, stiffness: 1e9 / 2e-14);
        var matrix = MatrixShell.Create(1.5e11, 0.26);
        var face = ParticleInterface.Create(law, matrix, InterfaceResistance.Create(1e-4, 1e-8, 1));
        const double r = 5e-6, ep = 1.4e11, nup = 0.25, theta = 1e-3;
        var kappa = new double[1];
        var gap = new double[1];
        var result = face.Solve(r, (1 - 2 * nup) * r / ep, r * theta, 0, 0, 0, kappa, gap);
        var kp = ep / (3 * (1 - 2 * nup));
        var gm = matrix.Elasticity.ShearModulus;
        var expected = -3 * theta * 4 * kp * gm / (3 * kp + 4 * gm);
        Assert.Equal(expected, result.MeanTraction, Math.Abs(expected) * 1e-4);
        Assert.Equal(1, result.ContactFraction);
    }

    [Fact]
    public void ShrinkingParticleDebondsAndStackPressureNarrowsTheGap()
    {
        var matrix = MatrixShell.Create(1.5e11, 0.26, 1.86);
        var face = ParticleInterface.Create(Law, matrix, InterfaceResistance.Create(1e-4, 1e-8, 1));
        const double r = 5e-6, compliance = 0.5 * r / 1.4e11;
        var kappa = new double[1];
        var gap = new double[1];
        // Shrinking by 0.5 % opens ~25 nm, beyond δf = 20 nm: fully debonded, traction-free.
        var free = face.Solve(r, compliance, -0.005 * r, 0, 0, 0, kappa, gap);
        Assert.Equal(0, free.MeanTraction, 1e-6);
        Assert.Equal(0.005 * r, free.MeanGap, 1e-15);
        Assert.Equal(1, free.MeanDamage);
        Assert.Equal(0, free.ContactFraction);
        Assert.True(free.Resistance > face.Resistance.BaseResistance * 10);

        var pressed = new double[1];
        var withPressure = face.Solve(r, compliance, -0.005 * r, 0, 0, 15e6, pressed, gap);
        Assert.True(withPressure.MeanGap < free.MeanGap, "stack pressure must narrow the gap");
        var (a, pressureDisplacement) = matrix.WallResponse(r, 15e6);
        Assert.True(a > 0);
        Assert.Equal(free.MeanGap + pressureDisplacement, withPressure.MeanGap, 1e-15);

        // Re-expansion closes the gap into compressive contact, without re-bonding.
        var back = face.Solve(r, compliance, 0.001 * r, 0, 0, 0, kappa, gap);
        Assert.True(back.MeanTraction < 0);
        Assert.Equal(1, back.MeanDamage);
        Assert.True(gap[0] <= 0);
    }

    [Fact]
    public void SoftSurroundingsSnapThroughToFullSeparation()
    {
        // Carbon–binder matrix (E ≈ 1 GPa): C·|softening slope| > 1, so no stable softening state exists; loading the
        // interface to σc needs a free gap of δ0 + C σc ≈ 0.33 µm, so drive the shrinkage to 0.5 µm.
        var matrix = MatrixShell.Create(1e9, 0.3);
        var face = ParticleInterface.Create(Law, matrix, InterfaceResistance.Create(1e-4, 1e-8, 1));
        const double r = 5e-6, compliance = 0.5 * r / 1.4e11;
        var kappa = new double[1];
        var gap = new double[1];
        var opened = 0.0;
        for (var k = 1; k <= 200; k++)
        {
            var result = face.Solve(r, compliance, -k * 2.5e-9, 0, 0, 0, kappa, gap);
            Assert.True(result.MeanTraction <= Law.Strength * (1 + 1e-12));
            if (result.MeanDamage > 0 && result.MeanDamage < 1)
            {
                Assert.Fail($"state on an unstable softening branch at step {k}: damage {result.MeanDamage}");
            }

            opened = result.MeanGap;
        }

        Assert.Equal(5e-7, opened, 1e-18);
    }
}
