// Frictionless contacts: no tangential force, no history.
using System.Runtime.Intrinsics;

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

    public void Apply(ref ContactBatch c, ref Vector256<double> sx, ref Vector256<double> sy, ref Vector256<double> sz, Vector256<double> dt)
    {
        c.Ftx = Vector256<double>.Zero;
        c.Fty = Vector256<double>.Zero;
        c.Ftz = Vector256<double>.Zero;
    }
}
