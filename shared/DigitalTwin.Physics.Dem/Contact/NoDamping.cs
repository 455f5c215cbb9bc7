// No damping: elastic contacts conserve energy (used by the conservation tests).
using System.Runtime.Intrinsics;

namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct NoDamping : IDampingLaw
{
    public void Apply(ref ContactPoint c)
    {
        c.GammaN = 0;
        c.GammaT = 0;
    }

    public void Apply(ref ContactBatch c)
    {
        c.GammaN = Vector256<double>.Zero;
        c.GammaT = Vector256<double>.Zero;
    }
}
