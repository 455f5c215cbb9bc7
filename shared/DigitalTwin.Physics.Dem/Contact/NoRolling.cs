// No rolling resistance.
namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct NoRolling : IRollingLaw
{
    public static bool IsActive => false;

    public void Apply(ref ContactPoint c)
    {
        c.Mrx = 0;
        c.Mry = 0;
        c.Mrz = 0;
    }
}
