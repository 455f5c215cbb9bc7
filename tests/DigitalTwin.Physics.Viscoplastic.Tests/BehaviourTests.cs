// Objectivity/isotropy, hydrostatic elasticity, first-order time convergence, cyclic (Bauschinger-free) hardening,
// shakedown under repeated swelling, refusal and sub-stepping of large increments, and all-at-once validation.
using DigitalTwin.Physics.Viscoplastic.Drivers;
using DigitalTwin.Physics.Viscoplastic.Laws;

namespace DigitalTwin.Physics.Viscoplastic.Tests;

public sealed class BehaviourTests
{
    private static PerzynaLudwik Pvdf(double a = 8.08e-3, double maxIncrement = 0.01) =>
        PerzynaLudwik.Create(1.05e9, 0.326, 19.36e6, 5.94e9, 2, a, 1, maximumPlasticIncrement: maxIncrement);

    private static double[] ToVoigt(double[,] t, bool strain) =>
        [t[0, 0], t[1, 1], t[2, 2], (strain ? 2 : 1) * t[1, 2], (strain ? 2 : 1) * t[0, 2], (strain ? 2 : 1) * t[0, 1]];

    private static double[,] ToTensor(ReadOnlySpan<double> v, bool strain)
    {
        var f = strain ? 0.5 : 1;
        return new[,] { { v[0], f * v[5], f * v[4] }, { f * v[5], v[1], f * v[3] }, { f * v[4], f * v[3], v[2] } };
    }

    private static double[,] Rotate(double[,] q, double[,] t)
    {
        var r = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++)
                {
                    for (var l = 0; l < 3; l++)
                    {
                        r[i, j] += q[i, k] * t[k, l] * q[j, l];
                    }
                }
            }
        }

        return r;
    }

    [Fact]
    public void RotatedLoadingGivesRotatedStress()
    {
        // Q from axis (1, 2, 2)/3 and angle 0.7 rad (Rodrigues). Isotropy: σ(Q ε Qᵀ) = Q σ(ε) Qᵀ along a whole path.
        double[] axis = [1 / 3.0, 2 / 3.0, 2 / 3.0];
        var (c, s) = (Math.Cos(0.7), Math.Sin(0.7));
        var q = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                q[i, j] = (i == j ? c : 0) + (1 - c) * axis[i] * axis[j];
            }
        }

        q[0, 1] -= s * axis[2];
        q[1, 0] += s * axis[2];
        q[0, 2] += s * axis[1];
        q[2, 0] -= s * axis[1];
        q[1, 2] -= s * axis[0];
        q[2, 1] += s * axis[0];
        var law = Pvdf();
        double[] pa = new double[6], pb = new double[6], sa = new double[6], sb = new double[6];
        double qa = 0, qb = 0;
        for (var k = 1; k <= 100; k++)
        {
            var t = k / 100.0;
            double[] e = [0.08 * t, -0.01 * t, 0.02 * Math.Sin(4 * t), 0.05 * t * t, 0.0, -0.03 * t];
            var rotated = ToVoigt(Rotate(q, ToTensor(e, strain: true)), strain: true);
            Assert.NotEqual(UpdateStatus.Refused, law.Update(e, [], 30, pa, ref qa, sa, []));
            Assert.NotEqual(UpdateStatus.Refused, law.Update(rotated, [], 30, pb, ref qb, sb, []));
            var expected = ToVoigt(Rotate(q, ToTensor(sa, strain: false)), strain: false);
            for (var i = 0; i < 6; i++)
            {
                Assert.Equal(expected[i], sb[i], 1e-9 * 19.36e6);
            }

            Assert.Equal(qa, qb, 1e-12);
        }

        Assert.True(qa > 0.01, "the path must be plastic");
    }

    [Fact]
    public void PureHydrostaticLoadingNeverYields()
    {
        var law = Pvdf();
        var plastic = new double[6];
        var p = 0.0;
        var stress = new double[6];
        foreach (var e in new[] { 0.01, 0.3, -0.2, 1.0 })
        {
            Assert.Equal(UpdateStatus.Elastic, law.Update([e, e, e, 0, 0, 0], [], 1, plastic, ref p, stress, []));
            Assert.Equal(3 * law.BulkModulus * e, stress[0], 1e-6);
        }

        // Swelling alone with free deformation is stress-free; fully constrained swelling is hydrostatic, still elastic.
        Assert.Equal(UpdateStatus.Elastic, law.Update([0, 0, 0, 0, 0, 0], [0.05, 0.05, 0.05, 0, 0, 0], 1, plastic, ref p, stress, []));
        Assert.Equal(0, p);
    }

    [Fact]
    public void StressStrainCurveConvergesAtFirstOrderInTheTimeStep()
    {
        // Backward Euler: halving Δt halves the error (ratio 2 ± 0.3) against a 256× finer reference.
        var law = Pvdf(maxIncrement: 1);
        var reference = TensileTest.Run(law, 3e-3, 0.05, 256 * 80).Stress[^1];
        var errors = new[] { 80, 160, 320 }.Select(n => Math.Abs(TensileTest.Run(law, 3e-3, 0.05, n).Stress[^1] - reference)).ToArray();
        Assert.InRange(errors[0] / errors[1], 1.7, 2.3);
        Assert.InRange(errors[1] / errors[2], 1.7, 2.3);
    }

    [Fact]
    public void ReverseLoadingYieldsAtTheCurrentYieldStressWithoutBauschingerEffect()
    {
        // Isotropic hardening: after tension to ε̄p, the reverse yield happens at σ = −σy(ε̄p) (elastic range 2σy).
        var law = PerzynaLudwik.Create(1.05e9, 0.326, 19.36e6, 5.94e9, 2, double.PositiveInfinity, 1);
        var driver = MaterialPointDriver.Uniaxial(law);
        for (var k = 1; k <= 100; k++)
        {
            driver.Advance([0.06 * k / 100, 0, 0, 0, 0, 0], 0, 1);
        }

        var yieldAfterTension = law.YieldStress(driver.AccumulatedPlasticStrain);
        Assert.Equal(yieldAfterTension, driver.Stress[0], 1e-6 * yieldAfterTension);
        var p = driver.AccumulatedPlasticStrain;
        var strain = 0.06;
        while (driver.AccumulatedPlasticStrain == p)
        {
            strain -= 1e-5;
            driver.Advance([strain, 0, 0, 0, 0, 0], 0, 1);
        }

        // First plastic reverse step: the stress sits on −σy within the hardening of one 1e-5 step.
        Assert.Equal(-yieldAfterTension, driver.Stress[0], 2e-3 * yieldAfterTension);
    }

    [Fact]
    public void RepeatedSwellingCyclesShakeDown()
    {
        // Strain cycles 0 → 7.4 % → 0 (the seed-002 bridge amplitude): σy grows then saturates at ≈ E Δε/2.
        var law = Pvdf();
        var driver = MaterialPointDriver.Uniaxial(law);
        var yields = new List<double>();
        for (var cycle = 0; cycle < 8; cycle++)
        {
            for (var k = 1; k <= 200; k++)
            {
                var f = k <= 100 ? k / 100.0 : (200 - k) / 100.0;
                driver.Advance([0.074 * f, 0, 0, 0, 0, 0], 0, 16.3);
            }

            yields.Add(law.YieldStress(driver.AccumulatedPlasticStrain));
        }

        var first = yields[0] - 19.36e6;
        var last = yields[^1] - yields[^2];
        Assert.True(last < 0.01 * first, $"yield stress increments {string.Join(", ", yields.Select(y => (y / 1e6).ToString("F2")))} MPa");
        Assert.InRange(yields[^1], 0.9 * 1.05e9 * 0.074 / 2, 1.05e9 * 0.074 / 2);
    }

    [Fact]
    public void TooLargeIncrementsAreRefusedWithTheReasonAndTheDriverSubSteps()
    {
        var law = Pvdf();
        var plastic = new double[6];
        var p = 0.0;
        var stress = new double[6];
        double[] jump = [0.2, -0.1, -0.1, 0, 0, 0];
        Assert.Equal(UpdateStatus.Refused, law.Update(jump, [], 100, plastic, ref p, stress, []));
        Assert.Equal(0, p);
        Assert.All(plastic, v => Assert.Equal(0, v));
        var reason = law.RefusalReason(jump, [], plastic, p, 100);
        Assert.Contains("above the limit", reason);

        // The driver splits the same jump and lands on the result of many small steps.
        var coarse = MaterialPointDriver.Uniaxial(law);
        coarse.Advance([0.2, 0, 0, 0, 0, 0], 0, 100);
        Assert.True(coarse.SubSteps > 0);
        var fine = MaterialPointDriver.Uniaxial(law);
        for (var k = 1; k <= 2000; k++)
        {
            fine.Advance([0.2 * k / 2000, 0, 0, 0, 0, 0], 0, 0.05);
        }

        Assert.Equal(fine.Stress[0], coarse.Stress[0], 0.02 * fine.Stress[0]);
    }

    [Fact]
    public void InvalidParametersAreAllReportedAtOnce()
    {
        var ex = Assert.Throws<ViscoplasticInputException>(() => PerzynaLudwik.Create(-1, 0.6, -5, -1, 0.5, 0, 0.5));
        Assert.Equal(7, ex.Problems.Count);
        Assert.Contains(ex.Problems, p => p.Contains("Young's modulus"));
        Assert.Contains(ex.Problems, p => p.Contains("Poisson's ratio"));
        Assert.Contains(ex.Problems, p => p.Contains("rate exponent"));
    }
}
