// No damping: elastic contacts conserve energy (used by the conservation tests).
namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct NoDamping : IDampingLaw
{
    public void Apply(ref ContactPoint c)
    {
        c.GammaN = 0;
        c.GammaT = 0;
    }
}
