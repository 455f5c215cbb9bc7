// Parallel bond (Potyondy and Cundall 2004, Int. J. Rock Mech. Min. Sci. 41:1329, eqs. 11-17; PFC/LIGGGHTS bond
// style): an elastic cylinder of radius Rb = lambda min(Ri, Rj) glued across the contact, in parallel with Hertz-Mindlin.
// Fn = -kn A u_n, Fs = -ks A us, Mb = -kn I theta_b, Mt = -ks J theta_t; it breaks for good when the section's peak
// stress sigma = kn (u_n + Rb |theta_b|) reaches sigma_c or tau = ks (|us| + Rb |theta_t|) reaches tau_c.
namespace DigitalTwin.Physics.Dem.Contact.Bonds;

public readonly struct ParallelBond : IBondLaw
{
    public bool Apply(ref BondPoint b, double dt)
    {
        var (nx, ny, nz) = (b.Nx, b.Ny, b.Nz);
        var rb = b.Rb;
        var area = Math.PI * rb * rb;
        var inertia = 0.25 * area * rb * rb;
        var polar = 2 * inertia;

        // keep the shear and bending history in the current tangent plane (rotated, length kept: LIGGGHTS history)
        Project(ref b.Usx, ref b.Usy, ref b.Usz, nx, ny, nz);
        Project(ref b.Tbx, ref b.Tby, ref b.Tbz, nx, ny, nz);
        b.Usx += b.Vtx * dt;
        b.Usy += b.Vty * dt;
        b.Usz += b.Vtz * dt;
        var wn = b.Wx * nx + b.Wy * ny + b.Wz * nz;
        b.Tt += wn * dt;
        b.Tbx += (b.Wx - wn * nx) * dt;
        b.Tby += (b.Wy - wn * ny) * dt;
        b.Tbz += (b.Wz - wn * nz) * dt;

        var us = Math.Sqrt(b.Usx * b.Usx + b.Usy * b.Usy + b.Usz * b.Usz);
        var tb = Math.Sqrt(b.Tbx * b.Tbx + b.Tby * b.Tby + b.Tbz * b.Tbz);
        b.Sigma = b.Kn * (b.Stretch + rb * tb);
        b.Tau = b.Ks * (us + rb * Math.Abs(b.Tt));
        if (b.Sigma >= b.SigmaC || b.Tau >= b.TauC)
        {
            b.Fn = b.Fsx = b.Fsy = b.Fsz = b.Mx = b.My = b.Mz = 0;
            return false;
        }

        var kna = b.Kn * area;
        var ksa = b.Ks * area;
        b.Fn = -kna * b.Stretch - b.GammaN * b.Vn;
        b.Fsx = -ksa * b.Usx - b.GammaT * b.Vtx;
        b.Fsy = -ksa * b.Usy - b.GammaT * b.Vty;
        b.Fsz = -ksa * b.Usz - b.GammaT * b.Vtz;
        var kt = b.Ks * polar * b.Tt;
        var kb = b.Kn * inertia;
        b.Mx = -kt * nx - kb * b.Tbx;
        b.My = -kt * ny - kb * b.Tby;
        b.Mz = -kt * nz - kb * b.Tbz;
        return true;
    }

    public double Energy(in BondPoint b)
    {
        var rb = b.Rb;
        var area = Math.PI * rb * rb;
        var inertia = 0.25 * area * rb * rb;
        var us2 = b.Usx * b.Usx + b.Usy * b.Usy + b.Usz * b.Usz;
        var tb2 = b.Tbx * b.Tbx + b.Tby * b.Tby + b.Tbz * b.Tbz;
        return 0.5 * (b.Kn * area * b.Stretch * b.Stretch + b.Ks * area * us2 + b.Kn * inertia * tb2 + b.Ks * 2 * inertia * b.Tt * b.Tt);
    }

    private static void Project(ref double x, ref double y, ref double z, double nx, double ny, double nz)
    {
        var before = x * x + y * y + z * z;
        if (before == 0)
        {
            return;
        }

        var dot = x * nx + y * ny + z * nz;
        x -= dot * nx;
        y -= dot * ny;
        z -= dot * nz;
        var after = x * x + y * y + z * z;
        if (after > 0)
        {
            var scale = Math.Sqrt(before / after);
            x *= scale;
            y *= scale;
            z *= scale;
        }
    }
}
