// Restitution-based viscous damping (LIGGGHTS): gamma = -prefactor * beta * sqrt(S m*),
// beta = ln e / sqrt(ln^2 e + pi^2); optional tangential damping and limitForce (F_n >= 0).
namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct ViscousDamping(MaterialTable table, bool tangentialDamping, bool limitForce) : IDampingLaw
{
    private readonly double[] _beta = table.Beta;

    public void Apply(ref ContactPoint c)
    {
        var b = -c.DampingPrefactor * _beta[c.PairType];
        c.GammaN = b * Math.Sqrt(c.Sn * c.EffMass);
        c.GammaT = tangentialDamping ? b * Math.Sqrt(c.St * c.EffMass) : 0.0;
        c.Fn -= c.GammaN * c.Vn;
        if (limitForce && c.Fn < 0)
        {
            c.Fn = 0;
        }
    }
}
