// The five contact-law slots (STYLE §8). Laws are structs used as generic parameters of the
// force loop, so the JIT inlines them: no virtual call per contact.
namespace DigitalTwin.Physics.Dem.Contact;

/// <summary>Elastic normal force: sets Fn, Sn, St and the damping prefactor.</summary>
public interface INormalLaw
{
    void Apply(ref ContactPoint c);
}

/// <summary>Viscous normal/tangential damping: sets GammaN, GammaT and adds -GammaN·Vn to Fn.</summary>
public interface IDampingLaw
{
    void Apply(ref ContactPoint c);
}

/// <summary>Cohesion: sets Fcoh (attractive, applied along -n).</summary>
public interface ICohesionLaw
{
    static abstract bool IsActive { get; }

    void Apply(ref ContactPoint c);
}

/// <summary>Tangential force; history laws keep a shear displacement per contact.</summary>
public interface ITangentialLaw
{
    static abstract bool HasHistory { get; }

    void Apply(ref ContactPoint c, ref double shearX, ref double shearY, ref double shearZ, double dt);
}

/// <summary>Rolling resistance: sets the torque on i (Mr).</summary>
public interface IRollingLaw
{
    static abstract bool IsActive { get; }

    void Apply(ref ContactPoint c);
}
