// No rolling resistance.
using System.Runtime.Intrinsics;

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

    public void Apply(ref ContactBatch c)
    {
        c.Mrx = Vector256<double>.Zero;
        c.Mry = Vector256<double>.Zero;
        c.Mrz = Vector256<double>.Zero;
    }
}
