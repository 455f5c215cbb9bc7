// A particle bonded to its surroundings through the cohesive law, resolved into surface patches whose
// surface grains have different crystal orientations (mean-field: each patch sees the spherical compliance).
namespace DigitalTwin.Physics.Mechanics.Interface;

/// <summary>Per-step interface outputs (SI).</summary>
public readonly record struct InterfaceResult(
    double MeanTraction, double MeanGap, double MaximumGap, double MeanDamage, double ContactFraction,
    double DamagedFraction, double Resistance);

public sealed class ParticleInterface
{
    private readonly double[] _cosines;
    private readonly double[] _weights;

    private ParticleInterface(BilinearCohesiveLaw law, MatrixShell matrix, InterfaceResistance resistance,
        double surfaceGrainSize, double[] cosines, double[] weights)
    {
        Law = law;
        Matrix = matrix;
        Resistance = resistance;
        SurfaceGrainSize = surfaceGrainSize;
        _cosines = cosines;
        _weights = weights;
    }

    public BilinearCohesiveLaw Law { get; }

    public MatrixShell Matrix { get; }

    public InterfaceResistance Resistance { get; }

    /// <summary>Radial size of the surface grains d_g [m]; their orientation mismatch acts over this depth.</summary>
    public double SurfaceGrainSize { get; }

    /// <summary>Number of surface patches.</summary>
    public int PatchCount => _cosines.Length;

    /// <summary>cos φ_i of the c axis of patch i against the surface normal.</summary>
    public ReadOnlySpan<double> PatchCosines => _cosines;

    /// <summary>Area fraction of each patch (sums to 1).</summary>
    public ReadOnlySpan<double> PatchWeights => _weights;

    /// <remarks><c>patches</c>: Surface patches; cos φ is spread uniformly over [cos ψ, 1] (uniform on the cap).</remarks>
    /// <remarks><c>orientationSpread</c>: Cone half-angle ψ [rad] of the surface grains' c axes; π/2 = random.</remarks>
    public static ParticleInterface Create(BilinearCohesiveLaw law, MatrixShell matrix, InterfaceResistance resistance,
        int patches = 1, double surfaceGrainSize = 0, double orientationSpread = Math.PI / 2)
    {
        var problems = new ParameterProblems("particle interface");
        if (patches is < 1 or > 64)
        {
            problems.Add($"patch count = {patches} must lie in [1, 64]");
        }

        problems.NonNegative("surface grain size", surfaceGrainSize, "m");
        problems.InRange("orientation spread ψ", orientationSpread, 0, Math.PI / 2, "rad");
        problems.ThrowIfAny();
        var cosines = new double[patches];
        var weights = new double[patches];
        var low = Math.Cos(orientationSpread);
        for (var i = 0; i < patches; i++)
        {
            cosines[i] = low + (1 - low) * (i + 0.5) / patches;
            weights[i] = 1.0 / patches;
        }

        return new ParticleInterface(law, matrix, resistance, surfaceGrainSize, cosines, weights);
    }

    /// <summary>
    /// Solves every patch and updates its history κ in place.
    /// </summary>
    /// <remarks><c>freeDisplacement</c>: Surface displacement of the traction-free particle, R θ̄ [m].</remarks>
    /// <remarks><c>surfaceStrainA</c>: Surface-grain strain along a [-] minus the isotropic strain (0 if isotropic).</remarks>
    /// <remarks><c>surfaceStrainC</c>: Surface-grain strain along c [-] minus the isotropic strain.</remarks>
    /// <remarks><c>particleCompliance</c>: (1 − 2ν_p) R / E_p [m.Pa-1].</remarks>
    public InterfaceResult Solve(double particleRadius, double particleCompliance, double freeDisplacement,
        double surfaceStrainA, double surfaceStrainC, double stackPressure, Span<double> kappa, Span<double> patchGap)
    {
        var (matrixCompliance, pressureDisplacement) = Matrix.WallResponse(particleRadius, stackPressure);
        var compliance = matrixCompliance + particleCompliance;
        double traction = 0, gapSum = 0, gapMax = 0, damage = 0, contact = 0, damaged = 0, conductance = 0;
        var law = Law;
        for (var i = 0; i < _cosines.Length; i++)
        {
            var c2 = _cosines[i] * _cosines[i];
            var radialMismatch = surfaceStrainA * (1 - c2) + surfaceStrainC * c2;
            var freeGap = pressureDisplacement - freeDisplacement - SurfaceGrainSize * radialMismatch;
            var gap = law.SolveWithCompliance(freeGap, compliance, kappa[i]);
            var t = (freeGap - gap) / compliance;
            kappa[i] = Math.Max(Math.Max(kappa[i], law.OnsetSeparation), gap);
            var d = law.Damage(kappa[i]);
            var w = _weights[i];
            patchGap[i] = gap;
            var open = Math.Max(gap, 0);
            traction += w * t;
            gapSum += w * open;
            gapMax = Math.Max(gapMax, open);
            damage += w * d;
            contact += gap <= 0 || d < 1 ? w : 0;
            damaged += d > 0 ? w : 0;
            conductance += w / Resistance.Resistance(open);
        }

        return new InterfaceResult(traction, gapSum, gapMax, damage, contact, damaged, 1 / conductance);
    }
}
