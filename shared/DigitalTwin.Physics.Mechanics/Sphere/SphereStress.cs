// Diffusion-induced stress in an isotropic elastic sphere with a radial eigenstrain θ(r) and a uniform
// surface radial stress S (0 for a free particle). Thermal-stress analogy (Timoshenko & Goodier §151;
// Cheng & Verbrugge, J. Power Sources 190 (2009) 453):
//   σ_r = 2E/(1−ν) [ I(R)/R³ − I(r)/r³ ] + S,   σ_θ = E/(1−ν) [ 2 I(R)/R³ + I(r)/r³ − θ ] + S,
//   u   = (1+ν)/(1−ν) I(r)/r² + 2(1−2ν)/(1−ν) r I(R)/R³ + (1−2ν) S r / E,   I(r) = ∫_0^r θ ρ² dρ.
namespace DigitalTwin.Physics.Mechanics.Sphere;

/// <summary>Where the evaluation writes: every span has one entry per grid node (SI units).</summary>
public readonly ref struct SphereStressOutput(Span<double> radialStress, Span<double> hoopStress, Span<double> vonMises,
    Span<double> hydrostatic, Span<double> displacement)
{
    /// <summary>σ_r [Pa].</summary>
    public Span<double> RadialStress { get; } = radialStress;

    /// <summary>σ_θ = σ_φ [Pa].</summary>
    public Span<double> HoopStress { get; } = hoopStress;

    /// <summary>von Mises |σ_θ − σ_r| [Pa].</summary>
    public Span<double> VonMises { get; } = vonMises;

    /// <summary>(σ_r + 2σ_θ)/3 [Pa].</summary>
    public Span<double> Hydrostatic { get; } = hydrostatic;

    /// <summary>Radial displacement u [m].</summary>
    public Span<double> Displacement { get; } = displacement;
}

public static class SphereStress
{
    /// <summary>Evaluates the closed-form stresses at every node; <paramref name="scratch"/> needs one entry per node.</summary>
    /// <remarks><c>eigenstrain</c>: θ at the nodes: linear chemical strain from the stress-free reference [-].</remarks>
    /// <remarks><c>surfaceRadialStress</c>: S [Pa], tensile positive: interface traction on the particle.</remarks>
    /// <returns>The volume-averaged eigenstrain θ̄ [-] (the free sphere's surface displacement is R θ̄).</returns>
    public static double Evaluate(SphereGrid grid, ReadOnlySpan<double> eigenstrain, double youngsModulus, double poissonsRatio,
        double surfaceRadialStress, Span<double> scratch, in SphereStressOutput output)
    {
        var n = grid.Count;
        if (eigenstrain.Length < n || scratch.Length < n)
        {
            throw new ArgumentException($"eigenstrain ({eigenstrain.Length}) and scratch ({scratch.Length}) need {n} entries");
        }

        grid.CumulativeMoment(eigenstrain, scratch);
        var nodes = grid.Nodes;
        var radius = grid.Radius;
        var mean = scratch[n - 1] / (radius * radius * radius);
        var e1 = youngsModulus / (1 - poissonsRatio);
        var displacementInner = (1 + poissonsRatio) / (1 - poissonsRatio);
        var displacementOuter = 2 * (1 - 2 * poissonsRatio) / (1 - poissonsRatio) * mean
            + (1 - 2 * poissonsRatio) * surfaceRadialStress / youngsModulus;
        var s = surfaceRadialStress;
        var sr = output.RadialStress[..n];
        var st = output.HoopStress[..n];
        var vm = output.VonMises[..n];
        var h = output.Hydrostatic[..n];
        var u = output.Displacement[..n];
        var inverseCube = grid.InverseCube;
        var theta = eigenstrain[..n];
        var moment = scratch[..n];
        for (var i = 0; i < n; i++)
        {
            var r = nodes[i];
            // At the centre I(r)/r³ → θ(0)/3.
            var q = i == 0 ? theta[0] / 3 : moment[i] * inverseCube[i];
            var radial = 2 * e1 * (mean - q) + s;
            var hoop = e1 * (2 * mean + q - theta[i]) + s;
            sr[i] = radial;
            st[i] = hoop;
            vm[i] = Math.Abs(hoop - radial);
            h[i] = (radial + 2 * hoop) / 3;
            u[i] = (displacementInner * q + displacementOuter) * r;
        }

        return 3 * mean;
    }
}
