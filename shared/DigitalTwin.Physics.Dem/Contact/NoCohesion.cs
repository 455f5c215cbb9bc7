// No cohesion.
namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct NoCohesion : ICohesionLaw
{
    public static bool IsActive => false;

    public void Apply(ref ContactPoint c) => c.Fcoh = 0;
}
