// Diffusion-induced stress in a free sphere against closed forms: uniform swelling is stress-free, the
// galvanostatic profile matches Cheng & Verbrugge 2009, and the fields satisfy radial equilibrium.
using DigitalTwin.Physics.Mechanics.ChemicalStrain;
using DigitalTwin.Physics.Mechanics.Particles;
using DigitalTwin.Physics.Mechanics.Sphere;

namespace DigitalTwin.Physics.Mechanics.Tests;

public sealed class SphereStressTests
{
    // Ai2020 negative electrode (parameter_sets.md §1): E, ν, Ω, R, D.
    private const double E = 1.5e10, Nu = 0.3, Omega = 3.1e-6, R = 5e-6, D = 3.9e-14;

    private static double[] Evaluate(SphereGrid grid, double[] theta, double s, out double[] hoop, out double[] u)
    {
        var n = grid.Count;
        var radial = new double[n];
        hoop = new double[n];
        u = new double[n];
        SphereStress.Evaluate(grid, theta, E, Nu, s, new double[n],
            new SphereStressOutput(radial, hoop, new double[n], new double[n], u));
        return radial;
    }

    [Fact]
    public void UniformConcentrationGivesZeroStressInAFreeSphere()
    {
        var grid = SphereGrid.Uniform(R, 30);
        var theta = Enumerable.Repeat(Omega * 20000 / 3, 30).ToArray();
        var radial = Evaluate(grid, theta, 0, out var hoop, out var u);
        // Scale E θ ≈ 3e8 Pa; round-off only.
        var scale = E * theta[0];
        Assert.All(radial, s => Assert.True(Math.Abs(s) < 1e-12 * scale, $"σ_r = {s}"));
        Assert.All(hoop, s => Assert.True(Math.Abs(s) < 1e-12 * scale, $"σ_θ = {s}"));
        // Free expansion u = θ r exactly.
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(theta[i] * grid.Nodes[i], u[i], 1e-12 * R * Math.Abs(theta[0]));
        }
    }

    [Theory]
    [InlineData(0.02, 30, 0.005)]
    [InlineData(0.05, 30, 0.005)]
    [InlineData(0.2, 30, 0.005)]
    [InlineData(1.0, 30, 0.005)]
    [InlineData(0.005, 60, 0.005)]
    public void GalvanostaticProfileMatchesChengVerbrugge(double tau, int nodes, double tolerance)
    {
        // Constant influx J into a sphere from uniform c0 (Cheng & Verbrugge 2009 eqs. 10-14); tolerance 0.5 %
        // of the peak |σ| at that instant (issue 4).
        const double c0 = 5000, j = 2e-5;
        var grid = SphereGrid.Uniform(R, nodes);
        var scale = j * R / D;
        var theta = new double[nodes];
        for (var i = 0; i < nodes; i++)
        {
            theta[i] = Omega * (c0 + scale * ChengVerbrugge.Concentration(grid.Nodes[i] / R, tau)) / 3;
        }

        var radial = Evaluate(grid, theta, 0, out var hoop, out _);
        var factor = E * Omega / (9 * (1 - Nu)) * scale;
        var cbarR = ChengVerbrugge.RunningAverage(1, tau);
        double maxError = 0, peak = 0;
        for (var i = 0; i < nodes; i++)
        {
            var rho = grid.Nodes[i] / R;
            var cbar = ChengVerbrugge.RunningAverage(rho, tau);
            var c = ChengVerbrugge.Concentration(rho, tau);
            var sr = 2 * factor * (cbarR - cbar);
            var st = factor * (2 * cbarR + cbar - 3 * c);
            peak = Math.Max(peak, Math.Max(Math.Abs(sr), Math.Abs(st)));
            maxError = Math.Max(maxError, Math.Max(Math.Abs(radial[i] - sr), Math.Abs(hoop[i] - st)));
        }

        Assert.True(maxError <= tolerance * peak, $"τ = {tau}, N = {nodes}: max error {maxError:E3} Pa = {maxError / peak:P3} of peak {peak:E3} Pa");
    }

    [Fact]
    public void SurfaceHoopStressEqualsThePyBaMMFormula()
    {
        // PyBaMM base_mechanics (parameter_sets.md §1): σ_t(R) = Ω E (c̄ − c_s) / (3(1−ν)), σ_r(R) = 0.
        var grid = SphereGrid.Uniform(R, 40);
        var c = grid.Nodes.ToArray().Select(r => 20000 - 3000 * Math.Pow(r / R, 2)).ToArray();
        var theta = c.Select(x => Omega * x / 3).ToArray();
        var radial = Evaluate(grid, theta, 0, out var hoop, out _);
        // c̄ of a parabola 20000 − 3000 ρ²: 20000 − 3000·3/5 exactly (the quadrature is exact for polynomials).
        var expected = Omega * E * (20000 - 1800 - (20000 - 3000)) / (3 * (1 - Nu));
        Assert.Equal(expected, hoop[^1], Math.Abs(expected) * 1e-10);
        Assert.Equal(0, radial[^1], Math.Abs(expected) * 1e-10);
    }

    [Fact]
    public void FieldsSatisfyRadialEquilibrium()
    {
        // dσ_r/dr + 2(σ_r − σ_θ)/r = 0, checked by central differences on a fine grid (error O(h²)).
        var grid = SphereGrid.Uniform(R, 401);
        var theta = grid.Nodes.ToArray().Select(r => 1e-3 * Math.Exp(3 * r / R)).ToArray();
        var radial = Evaluate(grid, theta, -5e6, out var hoop, out _);
        var h = R / 400;
        var peak = hoop.Max(Math.Abs);
        for (var i = 10; i < 400; i += 13)
        {
            var r = grid.Nodes[i];
            var residual = (radial[i + 1] - radial[i - 1]) / (2 * h) + 2 * (radial[i] - hoop[i]) / r;
            Assert.True(Math.Abs(residual) * r < 1e-4 * peak, $"equilibrium residual at r = {r}: {residual}");
        }

        // The surface carries the applied traction.
        Assert.Equal(-5e6, radial[^1], 1e-6 * peak);
    }

    [Fact]
    public void BatchRejectsProfilesOutsideZeroToCmaxNamingEveryNode()
    {
        var strain = PartialMolarVolumeStrain.Create(Omega, 0, 28700);
        var cls = ParticleClass.Create("neg", SphereGrid.Uniform(R, 5), Elasticity.IsotropicElasticity.Create(E, Nu), strain);
        var batch = new ParticleBatch([cls]);
        batch.Concentration[0] = -1;
        batch.Concentration[3] = 30000;
        batch.Concentration[4] = double.NaN;
        var ex = Assert.Throws<MechanicsInputException>(() => batch.Step(1, 0));
        Assert.Equal(3, ex.Problems.Count);
        Assert.Contains(ex.Problems, p => p.Contains("node 0") && p.Contains("-1"));
        Assert.Contains(ex.Problems, p => p.Contains("node 3") && p.Contains("30000"));
        Assert.Contains(ex.Problems, p => p.Contains("node 4"));
        var missing = Assert.Throws<MechanicsInputException>(() => batch.IndexOf("positive"));
        Assert.Contains("'positive' is not in this cell", missing.Message);
    }
}
