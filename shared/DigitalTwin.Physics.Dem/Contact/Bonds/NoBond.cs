// No bonds: the bond pass is skipped entirely (the registry creates no kernel for it).
namespace DigitalTwin.Physics.Dem.Contact.Bonds;

public readonly struct NoBond : IBondLaw
{
    public bool Apply(ref BondPoint b, double dt)
    {
        b.Fn = b.Fsx = b.Fsy = b.Fsz = b.Mx = b.My = b.Mz = b.Sigma = b.Tau = 0;
        return false;
    }

    public double Energy(in BondPoint b) => 0;
}
