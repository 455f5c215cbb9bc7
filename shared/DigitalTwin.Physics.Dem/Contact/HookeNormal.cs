// Linear (Hooke) normal law with the LIGGGHTS normal_model_hooke.h stiffness from a
// characteristic impact velocity v_c: k_n = 16/15 sqrt(R*) Y* (15 m* v_c^2 / (16 sqrt(R*) Y*))^(1/5), k_t = k_n.
using System.Runtime.Intrinsics;

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

    public void Apply(ref ContactBatch c)
    {
        // Math.Pow has no vector form: per lane, the same expression as the scalar law.
        var kn = Vector256.Create(Kn(c.T0, c.EffRadius[0], c.EffMass[0]), Kn(c.T1, c.EffRadius[1], c.EffMass[1]),
            Kn(c.T2, c.EffRadius[2], c.EffMass[2]), Kn(c.T3, c.EffRadius[3], c.EffMass[3]));
        c.Sn = kn;
        c.St = kn;
        c.Fn = kn * c.Overlap;
        c.DampingPrefactor = Vector256.Create(2.0);
    }

    private double Kn(int pairType, double effRadius, double effMass)
    {
        var y = _yeff[pairType];
        var sr = Math.Sqrt(effRadius);
        return 16.0 / 15.0 * sr * y * Math.Pow(15.0 * effMass * _vc2 / (16.0 * sr * y), 0.2);
    }
}
