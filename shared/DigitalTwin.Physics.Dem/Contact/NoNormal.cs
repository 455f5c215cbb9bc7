// No normal force: the contact exists geometrically but pushes nothing (for tests of other laws).
namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct NoNormal : INormalLaw
{
    public void Apply(ref ContactPoint c)
    {
        c.Sn = 0;
        c.St = 0;
        c.Fn = 0;
        c.DampingPrefactor = 0;
    }
}
