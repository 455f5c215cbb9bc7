// Constant directional torque rolling resistance (LIGGGHTS rolling_model_cdt.h):
// M_r = -mu_r |F_n| R* w_rel/|w_rel|, with its component along the normal (torsion) removed.
namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct CdtRolling(MaterialTable table) : IRollingLaw
{
    private readonly double[] _mur = table.RollingFriction;

    public static bool IsActive => true;

    public void Apply(ref ContactPoint c)
    {
        var mag = Math.Sqrt(c.Wx * c.Wx + c.Wy * c.Wy + c.Wz * c.Wz);
        if (mag > 0)
        {
            var s = _mur[c.PairType] * Math.Abs(c.Fn) * c.EffRadius / mag;
            var (tx, ty, tz) = (s * c.Wx, s * c.Wy, s * c.Wz);
            var tn = tx * c.Nx + ty * c.Ny + tz * c.Nz;
            c.Mrx = -(tx - tn * c.Nx);
            c.Mry = -(ty - tn * c.Ny);
            c.Mrz = -(tz - tn * c.Nz);
        }
        else
        {
            c.Mrx = c.Mry = c.Mrz = 0;
        }
    }
}
