// Frictionless contacts: no tangential force, no history.
namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct NoTangential : ITangentialLaw
{
    public static bool HasHistory => false;

    public void Apply(ref ContactPoint c, ref double sx, ref double sy, ref double sz, double dt)
    {
        c.Ftx = 0;
        c.Fty = 0;
        c.Ftz = 0;
    }
}
