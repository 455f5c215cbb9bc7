// No normal force: the contact exists geometrically but pushes nothing (for tests of other laws).
using System.Runtime.Intrinsics;

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

    public void Apply(ref ContactBatch c)
    {
        c.Sn = Vector256<double>.Zero;
        c.St = Vector256<double>.Zero;
        c.Fn = Vector256<double>.Zero;
        c.DampingPrefactor = Vector256<double>.Zero;
    }
}
