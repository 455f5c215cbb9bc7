// Hertz normal law (LIGGGHTS normal_model_hertz.h): F = 4/3 Y* sqrt(R* d) d,
// S_n = 2 Y* sqrt(R* d), S_t = 8 G* sqrt(R* d), damping prefactor 2 sqrt(5/6).
namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct HertzNormal(MaterialTable table) : INormalLaw
{
    private static readonly double Prefactor = 2.0 * Math.Sqrt(5.0 / 6.0);
    private readonly double[] _yeff = table.Yeff;
    private readonly double[] _geff = table.Geff;

    public void Apply(ref ContactPoint c)
    {
        var sq = Math.Sqrt(c.EffRadius * c.Overlap);
        c.Sn = 2.0 * _yeff[c.PairType] * sq;
        c.St = 8.0 * _geff[c.PairType] * sq;
        c.Fn = (2.0 / 3.0) * c.Sn * c.Overlap;
        c.DampingPrefactor = Prefactor;
    }
}
