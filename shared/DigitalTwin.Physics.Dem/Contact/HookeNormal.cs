// Linear (Hooke) normal law with the LIGGGHTS normal_model_hooke.h stiffness from a
// characteristic impact velocity v_c: k_n = 16/15 sqrt(R*) Y* (15 m* v_c^2 / (16 sqrt(R*) Y*))^(1/5), k_t = k_n.
namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct HookeNormal(MaterialTable table, double characteristicVelocity) : INormalLaw
{
    private readonly double[] _yeff = table.Yeff;
    private readonly double _vc2 = characteristicVelocity * characteristicVelocity;

    public void Apply(ref ContactPoint c)
    {
        var y = _yeff[c.PairType];
        var sr = Math.Sqrt(c.EffRadius);
        var kn = 16.0 / 15.0 * sr * y * Math.Pow(15.0 * c.EffMass * _vc2 / (16.0 * sr * y), 0.2);
        c.Sn = kn;
        c.St = kn;
        c.Fn = kn * c.Overlap;
        c.DampingPrefactor = 2.0;
    }
}
