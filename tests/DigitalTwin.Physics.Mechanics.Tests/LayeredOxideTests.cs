// Anisotropic chemical strain of layered oxides and the grain-boundary mismatch estimate.
using DigitalTwin.Physics.Mechanics.ChemicalStrain;
using DigitalTwin.Physics.Mechanics.Grains;
using DigitalTwin.Physics.Mechanics.ParameterSets;

namespace DigitalTwin.Physics.Mechanics.Tests;

public sealed class LayeredOxideTests
{
    [Fact]
    public void Nmc811LatticeTableGivesTheSeed003VolumeChange()
    {
        // Seed 003 §3: NMC811 volume change 7.8 % over the Li range; a grows ≈ +2 % from x = 0.2 to 1.
        var e = MechanicsParameterSet.Load("NMC811_seed003").Electrode("positive");
        var lattice = Assert.IsType<LatticeParameterStrain>(e.Strain);
        var cmax = e.MaximumConcentration;
        var volumeRatio = Math.Pow(1 + lattice.Strain(0), 3);
        Assert.Equal(1 / 1.078, volumeRatio, 0.001);
        var (a02, _) = lattice.PrincipalStrains(0.2 * cmax);
        Assert.Equal(-0.02, a02, 0.003);
        // c is non-monotonic: maximum near x = 0.45.
        var c = Enumerable.Range(0, 101).Select(k => lattice.PrincipalStrains(k / 100.0 * cmax).AlongC).ToArray();
        Assert.InRange(Array.IndexOf(c, c.Max()), 40, 50);
    }

    [Fact]
    public void Seed001ThetaShrinksTheParticleOnCharge()
    {
        // θ = (1, 1, −1): trace 1, so the isotropic equivalent is β Δc / 3 and contraction along a on delithiation.
        var law = LinearAnisotropicStrain.Create(4e-7, 1, -1, 47100, 49000);
        Assert.Equal(4e-7 * -10000 / 3, law.Strain(37100), 1e-15);
        var (a, cc) = law.PrincipalStrains(37100);
        Assert.True(a < 0 && cc > 0);
    }

    [Fact]
    public void MismatchVanishesForASingleCrystalAndFollowsEshelbyForRandomTexture()
    {
        // Eshelby (1957) deviatoric factor of a sphere β_E = 2(4 − 5ν)/(15(1 − ν)); ν = 0.2 → 0.5.
        var random = GrainBoundaryMismatch.Create(1.6e11, 0.2, 5e-7, Math.PI / 2, 0.07);
        Assert.Equal(0.5, random.EshelbyFactor, 1e-12);
        Assert.Equal(1, random.SpreadFactor, 1e-12);
        var g = 1.6e11 / 2.4;
        Assert.Equal(2 * g * 0.5 * 0.03, random.VonMises(-0.01, 0.02), 1e-3);
        var aligned = GrainBoundaryMismatch.Create(1.6e11, 0.2, 5e-7, 0, 0.07);
        Assert.Equal(0, aligned.VonMises(-0.01, 0.02), 1e-6);
        var partly = GrainBoundaryMismatch.Create(1.6e11, 0.2, 5e-7, Math.PI / 6, 0.07);
        Assert.InRange(partly.SpreadFactor, 0.05, 0.95);
        // Bigger grains crack first: the cracking index grows linearly with grain size.
        var big = GrainBoundaryMismatch.Create(1.6e11, 0.2, 1e-6, Math.PI / 2, 0.07);
        Assert.Equal(2 * random.Estimate(-0.01, 0.02).CrackingIndex, big.Estimate(-0.01, 0.02).CrackingIndex, 1e-9);
    }
}
