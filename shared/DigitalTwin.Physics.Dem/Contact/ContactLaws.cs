// The five contact-law slots (STYLE §8). Laws are structs used as generic parameters of the
// force loop, so the JIT inlines them: no virtual call per contact. Each law has a scalar form
// (one ContactPoint: walls and the reference) and a 4-lane form (ContactBatch) with identical arithmetic.
using System.Runtime.Intrinsics;

namespace DigitalTwin.Physics.Dem.Contact;

/// <summary>Elastic normal force: sets Fn, Sn, St and the damping prefactor.</summary>
public interface INormalLaw
{
    void Apply(ref ContactPoint c);

    void Apply(ref ContactBatch c);
}

/// <summary>Viscous normal/tangential damping: sets GammaN, GammaT and adds -GammaN·Vn to Fn.</summary>
public interface IDampingLaw
{
    void Apply(ref ContactPoint c);

    void Apply(ref ContactBatch c);
}

/// <summary>Cohesion: sets Fcoh (attractive, applied along -n).</summary>
public interface ICohesionLaw
{
    static abstract bool IsActive { get; }

    void Apply(ref ContactPoint c);

    /// <summary>Particle-particle lanes only (wall contacts take the scalar form).</summary>
    void Apply(ref ContactBatch c);
}

/// <summary>Tangential force; history laws keep a shear displacement per contact.</summary>
public interface ITangentialLaw
{
    static abstract bool HasHistory { get; }

    void Apply(ref ContactPoint c, ref double shearX, ref double shearY, ref double shearZ, double dt);

    void Apply(ref ContactBatch c, ref Vector256<double> shearX, ref Vector256<double> shearY, ref Vector256<double> shearZ, Vector256<double> dt);
}

/// <summary>Rolling resistance: sets the torque on i (Mr).</summary>
public interface IRollingLaw
{
    static abstract bool IsActive { get; }

    void Apply(ref ContactPoint c);

    void Apply(ref ContactBatch c);
}
