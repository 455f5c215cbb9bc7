// A representative carbon–binder bridge between two active particles (or a thin film on one particle) whose
// strain follows the particles' chemical swelling. Bridge: the particle centres move with the electrode strain
// χ ε̄ (χ = 0 fully constrained in-plane by the current collector, 1 free), so the bridge axial strain is
//   ε_b = [χ ε̄ (R1 + R2 + L) − (R1 ε1 + R2 ε2)] / L,  ε̄ = (R1 ε1 + R2 ε2)/(R1 + R2),
// under uniaxial stress. Film: equibiaxial in-plane strain ε1 with σ33 = 0.
namespace DigitalTwin.Physics.Viscoplastic.Binder;

public enum BinderGeometryKind
{
    Bridge,
    Film,
}

public sealed class BinderBridge
{
    private BinderBridge(BinderGeometryKind kind, double r1, double r2, double length, double constraint)
    {
        Kind = kind;
        Radius1 = r1;
        Radius2 = r2;
        Length = length;
        Constraint = constraint;
    }

    public BinderGeometryKind Kind { get; }

    /// <summary>R1 [m].</summary>
    public double Radius1 { get; }

    /// <summary>R2 [m].</summary>
    public double Radius2 { get; }

    /// <summary>Bridge length L between particle surfaces [m].</summary>
    public double Length { get; }

    /// <summary>χ [-]: electrode strain over mean particle strain along the bridge.</summary>
    public double Constraint { get; }

    public static BinderBridge Create(BinderGeometryKind kind, double radius1, double radius2, double length, double constraint)
    {
        var p = new Problems("binder bridge");
        p.Positive("particle radius R1", radius1, "m");
        p.Positive("particle radius R2", radius2, "m");
        p.Positive("bridge length L", length, "m");
        if (!(constraint >= 0 && constraint <= 1))
        {
            p.Add($"constraint factor χ = {constraint} must lie in [0, 1]");
        }

        p.ThrowIfAny();
        return new BinderBridge(kind, radius1, radius2, length, constraint);
    }

    /// <summary>
    /// Seed 002 electrode (NMC711 : PVdF : C = 96 : 2 : 2, CBM 8.07 vol %, AM 68.35 vol %), in-plane bridge, χ = 0:
    /// the CBM volume per particle (8.07/68.35 · 4/3 π R³) shared by Z/2 = 3 bridges of neck radius R/2 gives
    /// L = (0.0807/0.6835)(4/9) R³ / (R/2)² · … = 0.21 R. R = 5 µm is a placeholder (the paper gives no size).
    /// </summary>
    public static BinderBridge Seed002(double particleRadius = 5e-6)
    {
        var fraction = 0.08067 / 0.68351;
        var volumePerBridge = fraction * 4.0 / 3 * Math.PI * Math.Pow(particleRadius, 3) / 3;
        var neck = Math.PI * Math.Pow(particleRadius / 2, 2);
        return Create(BinderGeometryKind.Bridge, particleRadius, particleRadius, volumePerBridge / neck, 0);
    }

    /// <summary>
    /// A bridge for another binder content: the CBM-to-AM volume ratio scales with the binder mass fraction from
    /// seed 002's 2 wt % (ratio 0.08067/0.68351), the rest of the construction as in <see cref="Seed002"/>.
    /// </summary>
    public static BinderBridge FromBinderMassFraction(double binderMassFraction, double particleRadius)
    {
        var p = new Problems("binder bridge");
        if (!(binderMassFraction > 0 && binderMassFraction < 0.5))
        {
            p.Add($"binder mass fraction = {binderMassFraction} must lie in (0, 0.5)");
        }

        p.Positive("particle radius", particleRadius, "m");
        p.ThrowIfAny();
        var seed = Seed002(particleRadius);
        return Create(BinderGeometryKind.Bridge, particleRadius, particleRadius, seed.Length * binderMassFraction / 0.02, 0);
    }

    /// <summary>Binder strain [-] driven by the particles' linear swelling strains ε1, ε2 [-].</summary>
    public double BinderStrain(double swelling1, double swelling2)
    {
        if (Kind == BinderGeometryKind.Film)
        {
            return swelling1;
        }

        var sum = Radius1 + Radius2;
        var mean = (Radius1 * swelling1 + Radius2 * swelling2) / sum;
        return (Constraint * mean * (sum + Length) - (Radius1 * swelling1 + Radius2 * swelling2)) / Length;
    }
}
