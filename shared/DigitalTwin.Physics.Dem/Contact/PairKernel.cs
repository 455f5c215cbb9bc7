// The hot loop: contact forces for the pairs a range of particles owns (half list), in chunks of
// 64 touching pairs: (1) test the overlap and gather j's state and the pair's shear into a lane buffer
// (pairs within the skin but apart only get their history and partner share zeroed), (2) evaluate the
// laws 4 lanes at a time (or the scalar reference, bitwise equal), (3) add to the owner in pair order
// and store the partner's share in pair order, gathered later per partner in a fixed order: results
// never depend on the thread count.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DigitalTwin.Physics.Dem.Contact;

internal interface IForceKernel
{
    /// <summary>Pair and wall forces of the particles in blocks [blockStart, blockEnd).</summary>
    void ComputeOwned(DemSystem s, PairScratch scratch, int blockStart, int blockEnd);

    /// <summary>Evaluates the first <paramref name="count"/> lanes of a filled scratch with the shear history of
    /// pairs p0.. in (sx, sy, sz) (as the force loop does; tests compare SIMD with the scalar reference).</summary>
    void Evaluate(PairScratch scratch, int count, double dt, bool simd, double[] sx, double[] sy, double[] sz, int p0);
}

/// <summary>One thread's lane buffer: inputs and outputs of up to <see cref="Lanes"/> pairs, one field after another.</summary>
internal sealed class PairScratch
{
    public const int Lanes = 64;

    // inputs
    public const int Dx = 0, Dy = 1, Dz = 2, Ri = 3, Rj = 4, Mi = 5, Mj = 6, Vx = 7, Vy = 8, Vz = 9;
    public const int Wix = 10, Wiy = 11, Wiz = 12, Wjx = 13, Wjy = 14, Wjz = 15;

    // outputs: force on the owner, torque on the owner, torque on the partner
    public const int Fx = 16, Fy = 17, Fz = 18, Tix = 19, Tiy = 20, Tiz = 21, Tjx = 22, Tjy = 23, Tjz = 24;

    // in and out: the pair's tangential history
    public const int Sx = 25, Sy = 26, Sz = 27;
    public const int Fields = 28;

    public readonly double[] Buf = new double[Fields * Lanes];
    public readonly int[] PairType = new int[Lanes];
    public readonly int[] Owner = new int[Lanes];

    /// <summary>Index of each lane's pair in the neighbour list (lanes skip the pairs that do not touch).</summary>
    public readonly int[] Pair = new int[Lanes];

    public ref double At(int field, int lane) => ref Buf[field * Lanes + lane];
}

internal sealed class PairKernel<TN, TD, TC, TT, TR>(TN normal, TD damping, TC cohesion, TT tangential, TR rolling) : IForceKernel
    where TN : struct, INormalLaw
    where TD : struct, IDampingLaw
    where TC : struct, ICohesionLaw
    where TT : struct, ITangentialLaw
    where TR : struct, IRollingLaw
{
    private const int L = PairScratch.Lanes;

    // Not readonly on purpose: calls on readonly fields of a type parameter make a defensive copy per contact.
#pragma warning disable IDE0044
    private TN _normal = normal;
    private TD _damping = damping;
    private TC _cohesion = cohesion;
    private TT _tangential = tangential;
    private TR _rolling = rolling;
#pragma warning restore IDE0044

    public void ComputeOwned(DemSystem s, PairScratch scratch, int blockStart, int blockEnd)
    {
        var i0 = blockStart << DemSystem.BlockShift;
        var i1 = Math.Min(blockEnd << DemSystem.BlockShift, s.N);
        var simd = s.UseSimd;
        var dt = s.ShearDt;
        var nt = s.Materials.TypeCount;
        var owner = scratch.Owner;
        var ptype = scratch.PairType;

        // Indices come from our own lists (0 <= j < N, p < PairCount, k < Lanes): the gather skips bounds checks.
        ref var b = ref MemoryMarshal.GetArrayDataReference(scratch.Buf);
        ref var pos = ref MemoryMarshal.GetArrayDataReference(s.Pos);
        ref var vel = ref MemoryMarshal.GetArrayDataReference(s.Vel);
        ref var omg = ref MemoryMarshal.GetArrayDataReference(s.Omega);
        ref var rad = ref MemoryMarshal.GetArrayDataReference(s.Radius);
        ref var mass = ref MemoryMarshal.GetArrayDataReference(s.Mass);
        ref var type = ref MemoryMarshal.GetArrayDataReference(s.Type);
        ref var shift = ref MemoryMarshal.GetArrayDataReference(s.ShiftTable);
        ref var nj = ref MemoryMarshal.GetArrayDataReference(s.NeighJ);
        ref var img = ref MemoryMarshal.GetArrayDataReference(s.NeighImage);
        ref var shx = ref MemoryMarshal.GetArrayDataReference(s.ShearX);
        ref var shy = ref MemoryMarshal.GetArrayDataReference(s.ShearY);
        ref var shz = ref MemoryMarshal.GetArrayDataReference(s.ShearZ);
        ref var partner = ref MemoryMarshal.GetArrayDataReference(s.Partner);
        var pair = scratch.Pair;
        var start = s.NeighStart;
        var force = s.Force;
        var torque = s.Torque;
        Array.Clear(force, 3 * i0, 3 * (i1 - i0));
        Array.Clear(torque, 3 * i0, 3 * (i1 - i0));
        var k = 0;
        for (var i = i0; i < i1; i++)
        {
            var pEnd = start[i + 1];
            var pBegin = start[i];
            if (pBegin == pEnd)
            {
                continue;
            }

            var i3 = 3 * i;
            double xi = s.Pos[i3], yi = s.Pos[i3 + 1], zi = s.Pos[i3 + 2];
            double vxi = s.Vel[i3], vyi = s.Vel[i3 + 1], vzi = s.Vel[i3 + 2];
            double wxi = s.Omega[i3], wyi = s.Omega[i3 + 1], wzi = s.Omega[i3 + 2];
            var ri = s.Radius[i];
            var mi = s.Mass[i];
            var ti = s.Type[i] * nt;
            for (var p = pBegin; p < pEnd; p++)
            {
                var j = Unsafe.Add(ref nj, p);
                var j3 = 3 * j;
                var s3 = 3 * Unsafe.Add(ref img, p);
                var dx = xi - (Unsafe.Add(ref pos, j3) + Unsafe.Add(ref shift, s3));
                var dy = yi - (Unsafe.Add(ref pos, j3 + 1) + Unsafe.Add(ref shift, s3 + 1));
                var dz = zi - (Unsafe.Add(ref pos, j3 + 2) + Unsafe.Add(ref shift, s3 + 2));
                var rj = Unsafe.Add(ref rad, j);
                var radsum = ri + rj;

                // the laws' own overlap test, same operations: an apart pair gives exactly what the kernel gives it
                if (!(dx * dx + dy * dy + dz * dz < radsum * radsum))
                {
                    Unsafe.Add(ref shx, p) = 0;
                    Unsafe.Add(ref shy, p) = 0;
                    Unsafe.Add(ref shz, p) = 0;
                    var q = 6 * p;
                    Unsafe.Add(ref partner, q) = -0.0;
                    Unsafe.Add(ref partner, q + 1) = -0.0;
                    Unsafe.Add(ref partner, q + 2) = -0.0;
                    Unsafe.Add(ref partner, q + 3) = 0;
                    Unsafe.Add(ref partner, q + 4) = 0;
                    Unsafe.Add(ref partner, q + 5) = 0;
                    continue;
                }

                Unsafe.Add(ref b, (PairScratch.Dx * L) + k) = dx;
                Unsafe.Add(ref b, (PairScratch.Dy * L) + k) = dy;
                Unsafe.Add(ref b, (PairScratch.Dz * L) + k) = dz;
                Unsafe.Add(ref b, (PairScratch.Ri * L) + k) = ri;
                Unsafe.Add(ref b, (PairScratch.Rj * L) + k) = rj;
                Unsafe.Add(ref b, (PairScratch.Mi * L) + k) = mi;
                Unsafe.Add(ref b, (PairScratch.Mj * L) + k) = Unsafe.Add(ref mass, j);
                Unsafe.Add(ref b, (PairScratch.Vx * L) + k) = vxi - Unsafe.Add(ref vel, j3);
                Unsafe.Add(ref b, (PairScratch.Vy * L) + k) = vyi - Unsafe.Add(ref vel, j3 + 1);
                Unsafe.Add(ref b, (PairScratch.Vz * L) + k) = vzi - Unsafe.Add(ref vel, j3 + 2);
                Unsafe.Add(ref b, (PairScratch.Wix * L) + k) = wxi;
                Unsafe.Add(ref b, (PairScratch.Wiy * L) + k) = wyi;
                Unsafe.Add(ref b, (PairScratch.Wiz * L) + k) = wzi;
                Unsafe.Add(ref b, (PairScratch.Wjx * L) + k) = Unsafe.Add(ref omg, j3);
                Unsafe.Add(ref b, (PairScratch.Wjy * L) + k) = Unsafe.Add(ref omg, j3 + 1);
                Unsafe.Add(ref b, (PairScratch.Wjz * L) + k) = Unsafe.Add(ref omg, j3 + 2);
                Unsafe.Add(ref b, (PairScratch.Sx * L) + k) = Unsafe.Add(ref shx, p);
                Unsafe.Add(ref b, (PairScratch.Sy * L) + k) = Unsafe.Add(ref shy, p);
                Unsafe.Add(ref b, (PairScratch.Sz * L) + k) = Unsafe.Add(ref shz, p);
                ptype[k] = ti + Unsafe.Add(ref type, j);
                owner[k] = i;
                pair[k] = p;
                if (++k == L)
                {
                    Flush(s, scratch, k, dt, simd);
                    k = 0;
                }
            }
        }

        if (k > 0)
        {
            Flush(s, scratch, k, dt, simd);
        }

        if (s.WallCount > 0)
        {
            Walls(s, i0, i1);
        }
    }

    public void Evaluate(PairScratch scratch, int count, double dt, bool simd, double[] sx, double[] sy, double[] sz, int p0)
    {
        for (var k = 0; k < count; k++)
        {
            scratch.At(PairScratch.Sx, k) = sx[p0 + k];
            scratch.At(PairScratch.Sy, k) = sy[p0 + k];
            scratch.At(PairScratch.Sz, k) = sz[p0 + k];
        }

        Evaluate(scratch, count, dt, simd);
        for (var k = 0; k < count; k++)
        {
            sx[p0 + k] = scratch.At(PairScratch.Sx, k);
            sy[p0 + k] = scratch.At(PairScratch.Sy, k);
            sz[p0 + k] = scratch.At(PairScratch.Sz, k);
        }
    }

    private void Evaluate(PairScratch scratch, int count, double dt, bool simd)
    {
        if (simd)
        {
            EvaluateVector(scratch, count, dt);
        }
        else
        {
            EvaluateScalar(scratch, count, dt);
        }
    }

    /// <summary>The lanes' pairs (ascending in the list): owner sums in pair order, history and partner share back to the pair.</summary>
    private void Flush(DemSystem s, PairScratch scratch, int count, double dt, bool simd)
    {
        Evaluate(scratch, count, dt, simd);
        ref var b = ref MemoryMarshal.GetArrayDataReference(scratch.Buf);
        ref var partner = ref MemoryMarshal.GetArrayDataReference(s.Partner);
        ref var shx = ref MemoryMarshal.GetArrayDataReference(s.ShearX);
        ref var shy = ref MemoryMarshal.GetArrayDataReference(s.ShearY);
        ref var shz = ref MemoryMarshal.GetArrayDataReference(s.ShearZ);
        var owner = scratch.Owner;
        var pair = scratch.Pair;
        var force = s.Force;
        var torque = s.Torque;
        var k = 0;
        while (k < count)
        {
            // one owner's run of pairs, summed in registers from what earlier chunks left
            var i = owner[k];
            var i3 = 3 * i;
            double fx = force[i3], fy = force[i3 + 1], fz = force[i3 + 2];
            double tx = torque[i3], ty = torque[i3 + 1], tz = torque[i3 + 2];
            do
            {
                var px = Unsafe.Add(ref b, (PairScratch.Fx * L) + k);
                var py = Unsafe.Add(ref b, (PairScratch.Fy * L) + k);
                var pz = Unsafe.Add(ref b, (PairScratch.Fz * L) + k);
                fx += px;
                fy += py;
                fz += pz;
                tx += Unsafe.Add(ref b, (PairScratch.Tix * L) + k);
                ty += Unsafe.Add(ref b, (PairScratch.Tiy * L) + k);
                tz += Unsafe.Add(ref b, (PairScratch.Tiz * L) + k);
                var p = pair[k];
                Unsafe.Add(ref shx, p) = Unsafe.Add(ref b, (PairScratch.Sx * L) + k);
                Unsafe.Add(ref shy, p) = Unsafe.Add(ref b, (PairScratch.Sy * L) + k);
                Unsafe.Add(ref shz, p) = Unsafe.Add(ref b, (PairScratch.Sz * L) + k);
                var q = 6 * p;
                Unsafe.Add(ref partner, q) = -px;
                Unsafe.Add(ref partner, q + 1) = -py;
                Unsafe.Add(ref partner, q + 2) = -pz;
                Unsafe.Add(ref partner, q + 3) = Unsafe.Add(ref b, (PairScratch.Tjx * L) + k);
                Unsafe.Add(ref partner, q + 4) = Unsafe.Add(ref b, (PairScratch.Tjy * L) + k);
                Unsafe.Add(ref partner, q + 5) = Unsafe.Add(ref b, (PairScratch.Tjz * L) + k);
                k++;
            }
            while (k < count && owner[k] == i);

            force[i3] = fx;
            force[i3 + 1] = fy;
            force[i3 + 2] = fz;
            torque[i3] = tx;
            torque[i3 + 1] = ty;
            torque[i3 + 2] = tz;
        }
    }

    /// <summary>The scalar reference: one ContactPoint per lane through the scalar laws.</summary>
    private void EvaluateScalar(PairScratch scratch, int count, double dt)
    {
        var b = scratch.Buf;
        var c = default(ContactPoint);
        for (var k = 0; k < count; k++)
        {
            var dx = b[PairScratch.Dx * L + k];
            var dy = b[PairScratch.Dy * L + k];
            var dz = b[PairScratch.Dz * L + k];
            var ri = b[PairScratch.Ri * L + k];
            var rj = b[PairScratch.Rj * L + k];
            var rsq = dx * dx + dy * dy + dz * dz;
            var radsum = ri + rj;
            if (rsq >= radsum * radsum)
            {
                for (var f = PairScratch.Fx; f < PairScratch.Fields; f++)
                {
                    b[f * L + k] = 0;
                }

                continue;
            }

            var mi = b[PairScratch.Mi * L + k];
            var mj = b[PairScratch.Mj * L + k];
            var r = Math.Sqrt(rsq);
            var rinv = 1.0 / r;
            var nx = dx * rinv;
            var ny = dy * rinv;
            var nz = dz * rinv;
            var delta = radsum - r;
            c.PairType = scratch.PairType[k];
            c.Overlap = delta;
            c.EffRadius = ri * rj / radsum;
            c.EffMass = mi * mj / (mi + mj);
            c.Distance = r;
            c.RadiusI = ri;
            c.RadiusJ = rj;
            c.Nx = nx;
            c.Ny = ny;
            c.Nz = nz;
            var vrx = b[PairScratch.Vx * L + k];
            var vry = b[PairScratch.Vy * L + k];
            var vrz = b[PairScratch.Vz * L + k];
            var vn = vrx * nx + vry * ny + vrz * nz;
            c.Vn = vn;
            var cri = ri - 0.5 * delta;
            var crj = rj - 0.5 * delta;
            double wxi = b[PairScratch.Wix * L + k], wyi = b[PairScratch.Wiy * L + k], wzi = b[PairScratch.Wiz * L + k];
            double wxj = b[PairScratch.Wjx * L + k], wyj = b[PairScratch.Wjy * L + k], wzj = b[PairScratch.Wjz * L + k];
            var wrx = cri * wxi + crj * wxj;
            var wry = cri * wyi + crj * wyj;
            var wrz = cri * wzi + crj * wzj;
            c.Vtx = vrx - vn * nx - (nz * wry - ny * wrz);
            c.Vty = vry - vn * ny - (nx * wrz - nz * wrx);
            c.Vtz = vrz - vn * nz - (ny * wrx - nx * wry);
            c.Wx = wxi - wxj;
            c.Wy = wyi - wyj;
            c.Wz = wzi - wzj;
            _normal.Apply(ref c);
            _damping.Apply(ref c);
            if (TC.IsActive)
            {
                _cohesion.Apply(ref c);
            }

            _tangential.Apply(ref c, ref b[PairScratch.Sx * L + k], ref b[PairScratch.Sy * L + k], ref b[PairScratch.Sz * L + k], dt);

            var fn = TC.IsActive ? c.Fn - c.Fcoh : c.Fn;
            b[PairScratch.Fx * L + k] = fn * nx + c.Ftx;
            b[PairScratch.Fy * L + k] = fn * ny + c.Fty;
            b[PairScratch.Fz * L + k] = fn * nz + c.Ftz;
            var torx = ny * c.Ftz - nz * c.Fty;
            var tory = nz * c.Ftx - nx * c.Ftz;
            var torz = nx * c.Fty - ny * c.Ftx;
            if (TR.IsActive)
            {
                _rolling.Apply(ref c);
                b[PairScratch.Tix * L + k] = -cri * torx + c.Mrx;
                b[PairScratch.Tiy * L + k] = -cri * tory + c.Mry;
                b[PairScratch.Tiz * L + k] = -cri * torz + c.Mrz;
                b[PairScratch.Tjx * L + k] = -crj * torx - c.Mrx;
                b[PairScratch.Tjy * L + k] = -crj * tory - c.Mry;
                b[PairScratch.Tjz * L + k] = -crj * torz - c.Mrz;
            }
            else
            {
                b[PairScratch.Tix * L + k] = -cri * torx;
                b[PairScratch.Tiy * L + k] = -cri * tory;
                b[PairScratch.Tiz * L + k] = -cri * torz;
                b[PairScratch.Tjx * L + k] = -crj * torx;
                b[PairScratch.Tjy * L + k] = -crj * tory;
                b[PairScratch.Tjz * L + k] = -crj * torz;
            }
        }
    }

    /// <summary>Four lanes at a time; lanes past <paramref name="count"/> are padded as separated pairs and ignored.</summary>
    private void EvaluateVector(PairScratch scratch, int count, double dt)
    {
        var b = scratch.Buf;
        for (var k = count; k < ((count + 3) & ~3); k++)
        {
            b[PairScratch.Dx * L + k] = 1;
            b[PairScratch.Ri * L + k] = 0;
            b[PairScratch.Rj * L + k] = 0;
            scratch.PairType[k] = 0;
        }

        ref var r0 = ref MemoryMarshal.GetArrayDataReference(b);
        var c = default(ContactBatch);
        var vdt = Vector256.Create(dt);
        var half = Vector256.Create(0.5);
        var one = Vector256.Create(1.0);
        var zero = Vector256<double>.Zero;
        for (var k = 0; k < count; k += 4)
        {
            var dx = Load(ref r0, PairScratch.Dx, k);
            var dy = Load(ref r0, PairScratch.Dy, k);
            var dz = Load(ref r0, PairScratch.Dz, k);
            var ri = Load(ref r0, PairScratch.Ri, k);
            var rj = Load(ref r0, PairScratch.Rj, k);
            var rsq = dx * dx + dy * dy + dz * dz;
            var radsum = ri + rj;
            var touching = Vector256.LessThan(rsq, radsum * radsum);
            if (Vector256.ExtractMostSignificantBits(touching) == 0)
            {
                for (var f = PairScratch.Fx; f < PairScratch.Fields; f++)
                {
                    Store(zero, ref r0, f, k);
                }

                continue;
            }

            var mi = Load(ref r0, PairScratch.Mi, k);
            var mj = Load(ref r0, PairScratch.Mj, k);
            var r = Vector256.Sqrt(rsq);
            var rinv = one / r;
            var nx = dx * rinv;
            var ny = dy * rinv;
            var nz = dz * rinv;
            var delta = radsum - r;
            c.T0 = scratch.PairType[k];
            c.T1 = scratch.PairType[k + 1];
            c.T2 = scratch.PairType[k + 2];
            c.T3 = scratch.PairType[k + 3];
            c.Overlap = delta;
            c.EffRadius = ri * rj / radsum;
            c.EffMass = mi * mj / (mi + mj);
            c.Distance = r;
            c.RadiusI = ri;
            c.RadiusJ = rj;
            c.Nx = nx;
            c.Ny = ny;
            c.Nz = nz;
            var vrx = Load(ref r0, PairScratch.Vx, k);
            var vry = Load(ref r0, PairScratch.Vy, k);
            var vrz = Load(ref r0, PairScratch.Vz, k);
            var vn = vrx * nx + vry * ny + vrz * nz;
            c.Vn = vn;
            var cri = ri - half * delta;
            var crj = rj - half * delta;
            var wxi = Load(ref r0, PairScratch.Wix, k);
            var wyi = Load(ref r0, PairScratch.Wiy, k);
            var wzi = Load(ref r0, PairScratch.Wiz, k);
            var wxj = Load(ref r0, PairScratch.Wjx, k);
            var wyj = Load(ref r0, PairScratch.Wjy, k);
            var wzj = Load(ref r0, PairScratch.Wjz, k);
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

            var sx = Load(ref r0, PairScratch.Sx, k);
            var sy = Load(ref r0, PairScratch.Sy, k);
            var sz = Load(ref r0, PairScratch.Sz, k);
            _tangential.Apply(ref c, ref sx, ref sy, ref sz, vdt);
            Store(Vector256.ConditionalSelect(touching, sx, zero), ref r0, PairScratch.Sx, k);
            Store(Vector256.ConditionalSelect(touching, sy, zero), ref r0, PairScratch.Sy, k);
            Store(Vector256.ConditionalSelect(touching, sz, zero), ref r0, PairScratch.Sz, k);

            var fn = TC.IsActive ? c.Fn - c.Fcoh : c.Fn;
            Store(Vector256.ConditionalSelect(touching, fn * nx + c.Ftx, zero), ref r0, PairScratch.Fx, k);
            Store(Vector256.ConditionalSelect(touching, fn * ny + c.Fty, zero), ref r0, PairScratch.Fy, k);
            Store(Vector256.ConditionalSelect(touching, fn * nz + c.Ftz, zero), ref r0, PairScratch.Fz, k);
            var torx = ny * c.Ftz - nz * c.Fty;
            var tory = nz * c.Ftx - nx * c.Ftz;
            var torz = nx * c.Fty - ny * c.Ftx;
            Vector256<double> tix = -cri * torx, tiy = -cri * tory, tiz = -cri * torz;
            Vector256<double> tjx = -crj * torx, tjy = -crj * tory, tjz = -crj * torz;
            if (TR.IsActive)
            {
                _rolling.Apply(ref c);
                tix += c.Mrx;
                tiy += c.Mry;
                tiz += c.Mrz;
                tjx -= c.Mrx;
                tjy -= c.Mry;
                tjz -= c.Mrz;
            }

            Store(Vector256.ConditionalSelect(touching, tix, zero), ref r0, PairScratch.Tix, k);
            Store(Vector256.ConditionalSelect(touching, tiy, zero), ref r0, PairScratch.Tiy, k);
            Store(Vector256.ConditionalSelect(touching, tiz, zero), ref r0, PairScratch.Tiz, k);
            Store(Vector256.ConditionalSelect(touching, tjx, zero), ref r0, PairScratch.Tjx, k);
            Store(Vector256.ConditionalSelect(touching, tjy, zero), ref r0, PairScratch.Tjy, k);
            Store(Vector256.ConditionalSelect(touching, tjz, zero), ref r0, PairScratch.Tjz, k);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Load(ref double r0, int field, int k) => Vector256.LoadUnsafe(ref r0, (nuint)(field * L + k));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<double> v, ref double r0, int field, int k) => v.StoreUnsafe(ref r0, (nuint)(field * L + k));

    /// <summary>Wall contacts of the candidates in [i0, i1) (scalar laws; a few hundred per step), wall by wall in particle order.</summary>
    private void Walls(DemSystem s, int i0, int i1)
    {
        var c = default(ContactPoint);
        var nw = s.WallCount;
        var nt = s.Materials.TypeCount;
        for (var w = 0; w < nw; w++)
        {
            var list = s.WallCandidates[w];
            var count = s.WallCandidateCount[w];
            var axis = s.WallAxis[w];
            var side = s.WallSide[w];
            var wallPos = s.WallPos[w];
            var wallVel = s.WallVel[w];
            var wallType = s.WallType[w];
            for (var m = LowerBound(list, count, i0); m < count && list[m] < i1; m++)
            {
                var i = list[m];
                var i3 = 3 * i;
                var ri = s.Radius[i];
                var dist = side * (s.Pos[i3 + axis] - wallPos);
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

                var vrx = s.Vel[i3] - (axis == 0 ? wallVel : 0);
                var vry = s.Vel[i3 + 1] - (axis == 1 ? wallVel : 0);
                var vrz = s.Vel[i3 + 2] - (axis == 2 ? wallVel : 0);
                var vn = vrx * nx + vry * ny + vrz * nz;
                var cr = ri - 0.5 * delta;
                var wrx = cr * s.Omega[i3];
                var wry = cr * s.Omega[i3 + 1];
                var wrz = cr * s.Omega[i3 + 2];
                c.PairType = s.Type[i] * nt + wallType;
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
            }
        }
    }

    private static int LowerBound(int[] list, int count, int value)
    {
        int lo = 0, hi = count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
