// Fracture strength: Hiramatsu–Oka reduction, the seed-000 strength history, Paris crack growth.
using DigitalTwin.Physics.Mechanics.Strength;
using Environment = DigitalTwin.Physics.Mechanics.Strength.Environment;

namespace DigitalTwin.Physics.Mechanics.Tests;

public sealed class StrengthTests
{
    [Fact]
    public void HiramatsuOkaGivesTheSeed000PristineStrength()
    {
        // Seed 000 §2.1 and Fig. 2: an 8 µm particle breaking at 15.8 mN → ≈ 220 MPa (0.7·0.0158/(π·(4e-6)²) = 220.06 MPa).
        var sigma = HiramatsuOka.TensileStrength(15.8e-3, 4e-6);
        Assert.Equal(220e6, sigma, 220e6 * 0.005);
        Assert.Equal(15.8e-3, HiramatsuOka.FractureForce(sigma, 4e-6), 1e-15);
        var ex = Assert.Throws<MechanicsInputException>(() => HiramatsuOka.TensileStrength(-1, 0));
        Assert.Equal(2, ex.Problems.Count);
    }

    private static double[] Sequence(Environment environment, int halfCycles)
    {
        // Reference protocol of seed 000: C/3 half cycles between x = 0.95 (discharged) and 0.25 (charged),
        // each at the reference driving stress.
        var law = ParticleStrengthLaw.Seed000(1e9);
        var state = default(StrengthState);
        var strength = new double[halfCycles + 1];
        strength[0] = law.Strength(state, environment);
        for (var h = 1; h <= halfCycles; h++)
        {
            strength[h] = law.EndHalfCycle(ref state, 1e9, h % 2 == 1 ? 0.25 : 0.95, environment);
        }

        return strength;
    }

    [Fact]
    public void LiquidElectrolyteSequenceFollowsSeed000()
    {
        // Seed 000 §1: 220 MPa pristine, ≈ 50 after the first charge, ≈ 100 after the first discharge, ≈ 90 after
        // 10 cycles. Tolerance ±5 MPa on each (the paper's n = 4 scatter is larger).
        var s = Sequence(Environment.Liquid, 20);
        Assert.Equal(220e6, s[0], 1);
        Assert.Equal(50e6, s[1], 5e6);
        Assert.Equal(100e6, s[2], 5e6);
        Assert.Equal(90e6, s[20], 5e6);
        // Shape: a large drop on the first charge (> 60 %), partial recovery on discharge (≥ 1.5× the charged
        // value, still below pristine), then slow monotone decay of the discharged strength (< 15 % over 9 cycles).
        Assert.True(s[1] < 0.4 * s[0]);
        Assert.True(s[2] > 1.5 * s[1] && s[2] < s[0]);
        for (var h = 4; h <= 20; h += 2)
        {
            Assert.True(s[h] < s[h - 2], $"discharged strength must decay: cycle {h / 2}");
        }

        Assert.True(s[20] > 0.85 * s[2]);
    }

    [Fact]
    public void SolidElectrolyteSequenceFollowsSeed000()
    {
        // Seed 000 §1: ≈ 102 MPa after one cycle, ≈ 95 after 10; ±5 MPa. The confined (solid) particle drops
        // less on charge than in liquid (assumption: no infiltration of opened boundaries).
        var solid = Sequence(Environment.Solid, 20);
        var liquid = Sequence(Environment.Liquid, 20);
        Assert.Equal(102e6, solid[2], 5e6);
        Assert.Equal(95e6, solid[20], 5e6);
        Assert.True(solid[1] > liquid[1]);
        Assert.True(solid[20] < solid[2]);
    }

    [Fact]
    public void GentlerCyclesDamageLess()
    {
        var law = ParticleStrengthLaw.Seed000(1e9);
        var strong = default(StrengthState);
        var weak = default(StrengthState);
        for (var h = 1; h <= 20; h++)
        {
            law.EndHalfCycle(ref strong, 1e9, h % 2 == 1 ? 0.25 : 0.95, Environment.Liquid);
            law.EndHalfCycle(ref weak, 0.5e9, h % 2 == 1 ? 0.25 : 0.95, Environment.Liquid);
        }

        Assert.True(law.Strength(weak, Environment.Liquid) > law.Strength(strong, Environment.Liquid));
    }

    [Fact]
    public void ParisLawClosedFormMatchesFineExplicitIntegration()
    {
        // OKane2022/Ai2020 constants (parameter_sets.md §1): k = 3.9e-20, m = 2.2, b = 1.12, l0 = 20 nm.
        var paris = ParisCrackGrowth.Create(3.9e-20, 2.2, 1.12, 2e-8, 5e-6, 1e5);
        const double sigma = 3e8, dt = 3600;
        var exact = paris.Advance(2e-8, sigma, dt);
        var l = 2e-8;
        const int steps = 200000;
        for (var k = 0; k < steps; k++)
        {
            l += dt / steps * 3.9e-20 * Math.Pow(sigma * 1.12 * Math.Sqrt(Math.PI * l), 2.2) / 3600;
        }

        Assert.True(exact > 2e-8);
        Assert.Equal(l, exact, (exact - 2e-8) * 1e-4);
        Assert.Equal(2e-8, paris.Advance(2e-8, -sigma, dt));
    }
}
