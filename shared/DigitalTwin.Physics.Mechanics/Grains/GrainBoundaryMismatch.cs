// Estimate of the intergranular mismatch stress in a polycrystalline secondary particle of a layered oxide.
// Model (stated limits in docs/mechanics.md): each grain is an Eshelby sphere with eigenstrain
// ε_a I + (ε_c − ε_a) n⊗n in an effective medium of the same isotropic stiffness whose eigenstrain is the
// orientation average. Its uniform stress is −2G(1 − β_E) m with m = (ε_c − ε_a)(n⊗n − ⟨n⊗n⟩) and
// β_E = 2(4 − 5ν)/(15(1 − ν)). Grain size enters through a Griffith facet-crack criterion.
using DigitalTwin.Physics.Mechanics.Elasticity;

namespace DigitalTwin.Physics.Mechanics.Grains;

/// <summary>Mismatch outputs for one anisotropy Δε = ε_c − ε_a.</summary>
public readonly record struct MismatchEstimate(
    double VonMises, double BoundaryNormalStress, double EnergyDensity, double CriticalGrainSize, double CrackingIndex);

public sealed class GrainBoundaryMismatch
{
    /// <summary>RMS normal stress on a randomly oriented plane per unit von Mises of a deviatoric stress: sqrt(4/45).</summary>
    public static readonly double PlaneNormalFactor = Math.Sqrt(4.0 / 45.0);

    private GrainBoundaryMismatch(IsotropicElasticity elasticity, double grainSize, double orientationSpread, double boundaryFractureEnergy)
    {
        Elasticity = elasticity;
        GrainSize = grainSize;
        OrientationSpread = orientationSpread;
        BoundaryFractureEnergy = boundaryFractureEnergy;
        var nu = elasticity.PoissonsRatio;
        EshelbyFactor = 2 * (4 - 5 * nu) / (15 * (1 - nu));
        var q = (1 + Math.Cos(orientationSpread) + Math.Cos(orientationSpread) * Math.Cos(orientationSpread)) / 3;
        SpreadFactor = Math.Sqrt(1.5 * (1 - 0.5 * (1 - q) * (1 - q) - q * q));
    }

    public IsotropicElasticity Elasticity { get; }

    /// <summary>Primary grain size d [m].</summary>
    public double GrainSize { get; }

    /// <summary>Cone half-angle ψ [rad] of the c axes around the texture axis; π/2 is random.</summary>
    public double OrientationSpread { get; }

    /// <summary>Grain-boundary fracture energy Γ_gb [J.m-2].</summary>
    public double BoundaryFractureEnergy { get; }

    /// <summary>β_E [-], deviatoric Eshelby factor of a sphere.</summary>
    public double EshelbyFactor { get; }

    /// <summary>RMS of |n⊗n − ⟨n⊗n⟩| scaled so that random texture gives 1 and a single crystal 0.</summary>
    public double SpreadFactor { get; }

    public static GrainBoundaryMismatch Create(double youngsModulus, double poissonsRatio, double grainSize,
        double orientationSpread, double boundaryFractureEnergy)
    {
        var problems = new ParameterProblems("grain-boundary mismatch");
        IsotropicElasticity.Check(problems, "grain", youngsModulus, poissonsRatio);
        problems.Positive("grain size", grainSize, "m");
        problems.InRange("orientation spread ψ", orientationSpread, 0, Math.PI / 2, "rad");
        problems.Positive("grain-boundary fracture energy", boundaryFractureEnergy, "J.m-2");
        problems.ThrowIfAny();
        return new GrainBoundaryMismatch(IsotropicElasticity.Unchecked(youngsModulus, poissonsRatio), grainSize,
            orientationSpread, boundaryFractureEnergy);
    }

    /// <summary>RMS grain von Mises stress [Pa] for principal crystal strains (ε_a, ε_c).</summary>
    public double VonMises(double strainA, double strainC) =>
        2 * Elasticity.ShearModulus * (1 - EshelbyFactor) * SpreadFactor * Math.Abs(strainC - strainA);

    /// <summary>RMS normal stress on a grain boundary plane [Pa], the driving stress of intergranular opening.</summary>
    public double BoundaryNormalStress(double strainA, double strainC) => PlaneNormalFactor * VonMises(strainA, strainC);

    public MismatchEstimate Estimate(double strainA, double strainC)
    {
        var vm = VonMises(strainA, strainC);
        var normal = PlaneNormalFactor * vm;
        var energy = vm * vm / (6 * Elasticity.ShearModulus);
        var planeModulus = Elasticity.YoungsModulus / (1 - Elasticity.PoissonsRatio * Elasticity.PoissonsRatio);
        // Facet crack of half-length d/2 in the residual field: G = π σ_n² (d/2) / E' ≥ Γ_gb.
        var critical = normal > 0 ? 2 * planeModulus * BoundaryFractureEnergy / (Math.PI * normal * normal) : double.PositiveInfinity;
        return new MismatchEstimate(vm, normal, energy, critical, GrainSize / critical);
    }
}
