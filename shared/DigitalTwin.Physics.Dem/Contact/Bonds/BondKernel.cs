// The bond pass: every intact bond in formation order, its law inlined (generic struct parameter), forces and
// moments added to both particles. Runs on one thread after the contact pass, so results do not depend on the
// thread count; a broken bond is flagged for good and its stored energy booked as released.
namespace DigitalTwin.Physics.Dem.Contact.Bonds;

internal interface IBondKernel
{
    string Name { get; }

    void Apply(DemSystem s, BondList b, double dt);

    /// <summary>Elastic energy of the intact bonds [J].</summary>
    double Energy(DemSystem s, BondList b);
}

internal sealed class BondKernel<TB>(TB law, string name) : IBondKernel
    where TB : struct, IBondLaw
{
    // Not readonly on purpose: calls on a readonly field of a type parameter copy it per bond.
#pragma warning disable IDE0044
    private TB _law = law;
#pragma warning restore IDE0044

    public string Name { get; } = name;

    public void Apply(DemSystem s, BondList b, double dt)
    {
        var force = s.Force;
        var torque = s.Torque;
        var h = b.History;
        var p = default(BondPoint);
        for (var k = 0; k < b.Count; k++)
        {
            if (b.Broken[k])
            {
                continue;
            }

            Fill(s, b, k, ref p, out var cri, out var crj);
            if (!_law.Apply(ref p, dt))
            {
                // the energy it held before this step's increment is what the fracture releases
                Load(b, k, ref p);
                b.ReleasedEnergy += _law.Energy(p);
                b.Broken[k] = true;
                b.BrokenCount++;
                b.Sigma[k] = b.Tau[k] = 0;
                continue;
            }

            var q = BondList.HistoryFields * k;
            (h[q], h[q + 1], h[q + 2], h[q + 3], h[q + 4], h[q + 5], h[q + 6]) = (p.Usx, p.Usy, p.Usz, p.Tbx, p.Tby, p.Tbz, p.Tt);
            b.Sigma[k] = p.Sigma;
            b.Tau[k] = p.Tau;
            b.DampedEnergy += dt * (p.GammaN * p.Vn * p.Vn + p.GammaT * (p.Vtx * p.Vtx + p.Vty * p.Vty + p.Vtz * p.Vtz));
            int i3 = 3 * b.I[k], j3 = 3 * b.J[k];
            var fx = p.Fn * p.Nx + p.Fsx;
            var fy = p.Fn * p.Ny + p.Fsy;
            var fz = p.Fn * p.Nz + p.Fsz;
            force[i3] += fx;
            force[i3 + 1] += fy;
            force[i3 + 2] += fz;
            force[j3] -= fx;
            force[j3 + 1] -= fy;
            force[j3 + 2] -= fz;
            // shear force at the bond centre: torque -c (n x Fs) on each side (as the contact laws), plus the moment
            var tx = p.Ny * p.Fsz - p.Nz * p.Fsy;
            var ty = p.Nz * p.Fsx - p.Nx * p.Fsz;
            var tz = p.Nx * p.Fsy - p.Ny * p.Fsx;
            torque[i3] += -cri * tx + p.Mx;
            torque[i3 + 1] += -cri * ty + p.My;
            torque[i3 + 2] += -cri * tz + p.Mz;
            torque[j3] += -crj * tx - p.Mx;
            torque[j3 + 1] += -crj * ty - p.My;
            torque[j3 + 2] += -crj * tz - p.Mz;
        }
    }

    public double Energy(DemSystem s, BondList b)
    {
        var e = 0.0;
        var p = default(BondPoint);
        for (var k = 0; k < b.Count; k++)
        {
            if (!b.Broken[k])
            {
                Fill(s, b, k, ref p, out _, out _);
                e += _law.Energy(p);
            }
        }

        return e;
    }

    private static void Load(BondList b, int k, ref BondPoint p)
    {
        var q = BondList.HistoryFields * k;
        var h = b.History;
        (p.Usx, p.Usy, p.Usz, p.Tbx, p.Tby, p.Tbz, p.Tt) = (h[q], h[q + 1], h[q + 2], h[q + 3], h[q + 4], h[q + 5], h[q + 6]);
    }

    private static void Fill(DemSystem s, BondList b, int k, ref BondPoint p, out double cri, out double crj)
    {
        int i = b.I[k], j = b.J[k];
        int i3 = 3 * i, j3 = 3 * j;
        var dx = s.Pos[i3] - s.Pos[j3];
        var dy = s.Pos[i3 + 1] - s.Pos[j3 + 1];
        var dz = s.Pos[i3 + 2] - s.Pos[j3 + 2];
        s.MinimumImage(ref dx, ref dy, ref dz);
        var r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
        var rinv = 1.0 / r;
        p.Nx = dx * rinv;
        p.Ny = dy * rinv;
        p.Nz = dz * rinv;
        double ri = s.Radius[i], rj = s.Radius[j];
        var delta = ri + rj - r;
        p.Stretch = b.Delta0[k] - delta;
        cri = ri - 0.5 * delta;
        crj = rj - 0.5 * delta;
        var vrx = s.Vel[i3] - s.Vel[j3];
        var vry = s.Vel[i3 + 1] - s.Vel[j3 + 1];
        var vrz = s.Vel[i3 + 2] - s.Vel[j3 + 2];
        var vn = vrx * p.Nx + vry * p.Ny + vrz * p.Nz;
        p.Vn = vn;
        var wrx = cri * s.Omega[i3] + crj * s.Omega[j3];
        var wry = cri * s.Omega[i3 + 1] + crj * s.Omega[j3 + 1];
        var wrz = cri * s.Omega[i3 + 2] + crj * s.Omega[j3 + 2];
        p.Vtx = vrx - vn * p.Nx - (p.Nz * wry - p.Ny * wrz);
        p.Vty = vry - vn * p.Ny - (p.Nx * wrz - p.Nz * wrx);
        p.Vtz = vrz - vn * p.Nz - (p.Ny * wrx - p.Nx * wry);
        p.Wx = s.Omega[i3] - s.Omega[j3];
        p.Wy = s.Omega[i3 + 1] - s.Omega[j3 + 1];
        p.Wz = s.Omega[i3 + 2] - s.Omega[j3 + 2];
        p.Kn = b.Kn[k];
        p.Ks = b.Ks[k];
        p.Rb = b.Rb[k];
        p.SigmaC = b.SigmaC[k];
        p.TauC = b.TauC[k];
        p.GammaN = b.GammaN[k];
        p.GammaT = b.GammaT[k];
        Load(b, k, ref p);
    }
}
