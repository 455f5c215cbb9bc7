// Mindlin tangential spring with history and Coulomb cap (LIGGGHTS tangential_model_history.h):
// shear += v_t dt, projected on the tangent plane (length not preserved); F_t = -k_t shear - gamma_t v_t
// while sticking; when |k_t shear| > mu F_n the force is scaled to mu F_n and the spring reset to it.
namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct HistoryTangential(MaterialTable table) : ITangentialLaw
{
    private readonly double[] _mu = table.Friction;

    public static bool HasHistory => true;

    public void Apply(ref ContactPoint c, ref double sx, ref double sy, ref double sz, double dt)
    {
        sx += c.Vtx * dt;
        sy += c.Vty * dt;
        sz += c.Vtz * dt;
        var rsht = sx * c.Nx + sy * c.Ny + sz * c.Nz;
        sx -= rsht * c.Nx;
        sy -= rsht * c.Ny;
        sz -= rsht * c.Nz;
        var shrmag = Math.Sqrt(sx * sx + sy * sy + sz * sz);
        var kt = c.St;
        var ft1 = -kt * sx;
        var ft2 = -kt * sy;
        var ft3 = -kt * sz;
        var ftShear = kt * shrmag;
        var ftFriction = _mu[c.PairType] * Math.Abs(c.Fn);
        if (ftShear > ftFriction)
        {
            if (shrmag != 0.0)
            {
                var ratio = ftFriction / ftShear;
                ft1 *= ratio;
                ft2 *= ratio;
                ft3 *= ratio;
                sx = -ft1 / kt;
                sy = -ft2 / kt;
                sz = -ft3 / kt;
            }
            else
            {
                ft1 = ft2 = ft3 = 0.0;
            }
        }
        else
        {
            ft1 -= c.GammaT * c.Vtx;
            ft2 -= c.GammaT * c.Vty;
            ft3 -= c.GammaT * c.Vtz;
        }

        c.Ftx = ft1;
        c.Fty = ft2;
        c.Ftz = ft3;
    }
}
