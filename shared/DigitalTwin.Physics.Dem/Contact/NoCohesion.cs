// No cohesion.
using System.Runtime.Intrinsics;

namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct NoCohesion : ICohesionLaw
{
    public static bool IsActive => false;

    public void Apply(ref ContactPoint c) => c.Fcoh = 0;

    public void Apply(ref ContactBatch c) => c.Fcoh = Vector256<double>.Zero;
}
