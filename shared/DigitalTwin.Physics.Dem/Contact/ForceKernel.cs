// The hot loop: contact forces for the pairs a block of particles owns (half list) and for their wall
// contacts. Owner sums go straight to Force/Torque; the partner's share is stored per pair and gathered
// later in a fixed order, so results are identical for any number of threads.
using System.Runtime.CompilerServices;

namespace DigitalTwin.Physics.Dem.Contact;

internal interface IForceKernel
{
    void ComputeOwned(DemSystem s, int blockStart, int blockEnd);
}

internal sealed class ForceKernel<TN, TD, TC, TT, TR>(TN normal, TD damping, TC cohesion, TT tangential, TR rolling) : IForceKernel
    where TN : struct, INormalLaw
    where TD : struct, IDampingLaw
    where TC : struct, ICohesionLaw
    where TT : struct, ITangentialLaw
    where TR : struct, IRollingLaw
{
    // Not readonly on purpose: calls on readonly fields of a type parameter make a defensive copy per contact.
#pragma warning disable IDE0044
    private TN _normal = normal;
    private TD _damping = damping;
    private TC _cohesion = cohesion;
    private TT _tangential = tangential;
    private TR _rolling = rolling;
#pragma warning restore IDE0044

    public void ComputeOwned(DemSystem s, int blockStart, int blockEnd)
    {
        var i0 = blockStart << DemSystem.BlockShift;
        var i1 = Math.Min(blockEnd << DemSystem.BlockShift, s.N);
        var pos = s.Pos;
        var vel = s.Vel;
        var omg = s.Omega;
        var rad = s.Radius;
        var mass = s.Mass;
        var type = s.Type;
        var force = s.Force;
        var torque = s.Torque;
        var start = s.NeighStart;
        var nj = s.NeighJ;
        var img = s.NeighImage;
        var shift = s.ShiftTable;
        var shear = s.Shear;
        var pf = s.PairForce;
        var ptj = s.PairTorqueJ;
        var nt = s.Materials.TypeCount;
        var dt = s.ShearDt;
        var c = default(ContactPoint);

        for (var i = i0; i < i1; i++)
        {
            var i3 = 3 * i;
            double xi = pos[i3], yi = pos[i3 + 1], zi = pos[i3 + 2];
            double vxi = vel[i3], vyi = vel[i3 + 1], vzi = vel[i3 + 2];
            double wxi = omg[i3], wyi = omg[i3 + 1], wzi = omg[i3 + 2];
            var ri = rad[i];
            var mi = mass[i];
            var ti = type[i] * nt;
            double fx = 0, fy = 0, fz = 0, tx = 0, ty = 0, tz = 0;
            var pEnd = start[i + 1];
            for (var p = start[i]; p < pEnd; p++)
            {
                var j = nj[p];
                var j3 = 3 * j;
                var s3 = 3 * img[p];
                var dx = xi - (pos[j3] + shift[s3]);
                var dy = yi - (pos[j3 + 1] + shift[s3 + 1]);
                var dz = zi - (pos[j3 + 2] + shift[s3 + 2]);
                var rsq = dx * dx + dy * dy + dz * dz;
                var rj = rad[j];
                var radsum = ri + rj;
                var p3 = 3 * p;
                if (rsq >= radsum * radsum)
                {
                    if (TT.HasHistory)
                    {
                        shear[p3] = 0;
                        shear[p3 + 1] = 0;
                        shear[p3 + 2] = 0;
                    }

                    pf[p3] = 0;
                    pf[p3 + 1] = 0;
                    pf[p3 + 2] = 0;
                    ptj[p3] = 0;
                    ptj[p3 + 1] = 0;
                    ptj[p3 + 2] = 0;
                    continue;
                }

                var r = Math.Sqrt(rsq);
                var rinv = 1.0 / r;
                var nx = dx * rinv;
                var ny = dy * rinv;
                var nz = dz * rinv;
                var delta = radsum - r;
                var mj = mass[j];
                c.PairType = ti + type[j];
                c.Overlap = delta;
                c.EffRadius = ri * rj / radsum;
                c.EffMass = mi * mj / (mi + mj);
                c.Distance = r;
                c.RadiusI = ri;
                c.RadiusJ = rj;
                c.Nx = nx;
                c.Ny = ny;
                c.Nz = nz;
                var vrx = vxi - vel[j3];
                var vry = vyi - vel[j3 + 1];
                var vrz = vzi - vel[j3 + 2];
                var vn = vrx * nx + vry * ny + vrz * nz;
                c.Vn = vn;
                var cri = ri - 0.5 * delta;
                var crj = rj - 0.5 * delta;
                var wxj = omg[j3];
                var wyj = omg[j3 + 1];
                var wzj = omg[j3 + 2];
                var wrx = cri * wxi + crj * wxj;
                var wry = cri * wyi + crj * wyj;
                var wrz = cri * wzi + crj * wzj;
                c.Vtx = vrx - vn * nx - (nz * wry - ny * wrz);
                c.Vty = vry - vn * ny - (nx * wrz - nz * wrx);
                c.Vtz = vrz - vn * nz - (ny * wrx - nx * wry);
                if (TR.IsActive)
                {
                    c.Wx = wxi - wxj;
                    c.Wy = wyi - wyj;
                    c.Wz = wzi - wzj;
                }

                _normal.Apply(ref c);
                _damping.Apply(ref c);
                if (TC.IsActive)
                {
                    _cohesion.Apply(ref c);
                }

                _tangential.Apply(ref c, ref shear[p3], ref shear[p3 + 1], ref shear[p3 + 2], dt);
                var fn = TC.IsActive ? c.Fn - c.Fcoh : c.Fn;
                var fpx = fn * nx + c.Ftx;
                var fpy = fn * ny + c.Fty;
                var fpz = fn * nz + c.Ftz;
                var torx = ny * c.Ftz - nz * c.Fty;
                var tory = nz * c.Ftx - nx * c.Ftz;
                var torz = nx * c.Fty - ny * c.Ftx;
                fx += fpx;
                fy += fpy;
                fz += fpz;
                pf[p3] = fpx;
                pf[p3 + 1] = fpy;
                pf[p3 + 2] = fpz;
                if (TR.IsActive)
                {
                    _rolling.Apply(ref c);
                    tx += -cri * torx + c.Mrx;
                    ty += -cri * tory + c.Mry;
                    tz += -cri * torz + c.Mrz;
                    ptj[p3] = -crj * torx - c.Mrx;
                    ptj[p3 + 1] = -crj * tory - c.Mry;
                    ptj[p3 + 2] = -crj * torz - c.Mrz;
                }
                else
                {
                    tx -= cri * torx;
                    ty -= cri * tory;
                    tz -= cri * torz;
                    ptj[p3] = -crj * torx;
                    ptj[p3 + 1] = -crj * tory;
                    ptj[p3 + 2] = -crj * torz;
                }
            }

            force[i3] = fx;
            force[i3 + 1] = fy;
            force[i3 + 2] = fz;
            torque[i3] = tx;
            torque[i3 + 1] = ty;
            torque[i3 + 2] = tz;
            if (s.WallCount > 0)
            {
                Walls(s, i, ref c);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Walls(DemSystem s, int i, ref ContactPoint c)
    {
        var nw = s.WallCount;
        var i3 = 3 * i;
        var pos = s.Pos;
        var ri = s.Radius[i];
        var ti = s.Type[i] * s.Materials.TypeCount;
        var block = (i >> DemSystem.BlockShift) * nw;
        for (var w = 0; w < nw; w++)
        {
            var axis = s.WallAxis[w];
            var side = s.WallSide[w];
            var dist = side * (pos[i3 + axis] - s.WallPos[w]);
            var k = i * nw + w;
            var k3 = 3 * k;
            var delta = ri - dist;
            if (delta <= 0)
            {
                if (s.WallTouch[k] != 0)
                {
                    s.WallTouch[k] = 0;
                    s.WallShear[k3] = s.WallShear[k3 + 1] = s.WallShear[k3 + 2] = 0;
                    s.WallForce[k3] = s.WallForce[k3 + 1] = s.WallForce[k3 + 2] = 0;
                }

                continue;
            }

            s.WallTouch[k] = 1;
            double nx = 0, ny = 0, nz = 0;
            if (axis == 0)
            {
                nx = side;
            }
            else if (axis == 1)
            {
                ny = side;
            }
            else
            {
                nz = side;
            }

            var vrx = s.Vel[i3] - (axis == 0 ? s.WallVel[w] : 0);
            var vry = s.Vel[i3 + 1] - (axis == 1 ? s.WallVel[w] : 0);
            var vrz = s.Vel[i3 + 2] - (axis == 2 ? s.WallVel[w] : 0);
            var vn = vrx * nx + vry * ny + vrz * nz;
            var cr = ri - 0.5 * delta;
            var wrx = cr * s.Omega[i3];
            var wry = cr * s.Omega[i3 + 1];
            var wrz = cr * s.Omega[i3 + 2];
            c.PairType = ti + s.WallType[w];
            c.Overlap = delta;
            c.EffRadius = ri;
            c.EffMass = s.Mass[i];
            c.Distance = dist;
            c.RadiusI = ri;
            c.RadiusJ = 0;
            c.Nx = nx;
            c.Ny = ny;
            c.Nz = nz;
            c.Vn = vn;
            c.Vtx = vrx - vn * nx - (nz * wry - ny * wrz);
            c.Vty = vry - vn * ny - (nx * wrz - nz * wrx);
            c.Vtz = vrz - vn * nz - (ny * wrx - nx * wry);
            c.Wx = s.Omega[i3];
            c.Wy = s.Omega[i3 + 1];
            c.Wz = s.Omega[i3 + 2];
            _normal.Apply(ref c);
            _damping.Apply(ref c);
            if (TC.IsActive)
            {
                _cohesion.Apply(ref c);
            }

            _tangential.Apply(ref c, ref s.WallShear[k3], ref s.WallShear[k3 + 1], ref s.WallShear[k3 + 2], s.ShearDt);
            var fn = TC.IsActive ? c.Fn - c.Fcoh : c.Fn;
            var fpx = fn * nx + c.Ftx;
            var fpy = fn * ny + c.Fty;
            var fpz = fn * nz + c.Ftz;
            s.Force[i3] += fpx;
            s.Force[i3 + 1] += fpy;
            s.Force[i3 + 2] += fpz;
            var torx = ny * c.Ftz - nz * c.Fty;
            var tory = nz * c.Ftx - nx * c.Ftz;
            var torz = nx * c.Fty - ny * c.Ftx;
            s.Torque[i3] -= cr * torx;
            s.Torque[i3 + 1] -= cr * tory;
            s.Torque[i3 + 2] -= cr * torz;
            if (TR.IsActive)
            {
                _rolling.Apply(ref c);
                s.Torque[i3] += c.Mrx;
                s.Torque[i3 + 1] += c.Mry;
                s.Torque[i3 + 2] += c.Mrz;
            }

            s.WallForce[k3] = fpx;
            s.WallForce[k3 + 1] = fpy;
            s.WallForce[k3 + 2] = fpz;
            var b3 = 3 * (block + w);
            s.BlockWallForce[b3] -= fpx;
            s.BlockWallForce[b3 + 1] -= fpy;
            s.BlockWallForce[b3 + 2] -= fpz;
            s.BlockWallContacts[block + w]++;
        }
    }
}
