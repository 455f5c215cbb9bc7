// Linked-cell neighbour lists with a skin: particles are re-sorted by cell at every build (cache
// locality), pairs within R_i + R_j + skin go to a half list (owner = lower index), and tangential
// history follows each pair through the re-ordering. Deterministic: no hashing, fixed visit order.
namespace DigitalTwin.Physics.Dem;

public sealed partial class DemSystem
{
    private int[] _cellOf = [];
    private int[] _cellStart = [];
    private int[] _order = [];

    internal void RebuildNeighbors()
    {
        Builds++;
        _forceRebuild = false;
        WrapPeriodic();
        var rmax = 0.0;
        for (var i = 0; i < N; i++)
        {
            rmax = Math.Max(rmax, Radius[i]);
        }

        var cutoff = 2 * rmax + Skin;
        var lo = new double[3];
        var size = new double[3];
        var nc = new int[3];
        for (var a = 0; a < 3; a++)
        {
            if (Periodic[a])
            {
                lo[a] = BoxLo[a];
                var len = BoxHi[a] - BoxLo[a];
                nc[a] = Math.Max(1, (int)(len / cutoff));
                size[a] = len / nc[a];
            }
            else
            {
                double mn = double.MaxValue, mx = double.MinValue;
                for (var i = 0; i < N; i++)
                {
                    mn = Math.Min(mn, Pos[3 * i + a]);
                    mx = Math.Max(mx, Pos[3 * i + a]);
                }

                if (N == 0)
                {
                    mn = mx = 0;
                }

                var span = mx - mn;
                nc[a] = Math.Clamp((int)(span / cutoff), 1, 2048);
                lo[a] = mn;
                size[a] = span > 0 ? span / nc[a] : cutoff;
            }
        }

        var ncell = nc[0] * nc[1] * nc[2];
        if (_cellOf.Length < N)
        {
            _cellOf = new int[N];
            _order = new int[N];
        }

        _cellStart = new int[ncell + 1];
        for (var i = 0; i < N; i++)
        {
            var cx = Math.Clamp((int)((Pos[3 * i] - lo[0]) / size[0]), 0, nc[0] - 1);
            var cy = Math.Clamp((int)((Pos[3 * i + 1] - lo[1]) / size[1]), 0, nc[1] - 1);
            var cz = Math.Clamp((int)((Pos[3 * i + 2] - lo[2]) / size[2]), 0, nc[2] - 1);
            var c = (cz * nc[1] + cy) * nc[0] + cx;
            _cellOf[i] = c;
            _cellStart[c + 1]++;
        }

        for (var c = 0; c < ncell; c++)
        {
            _cellStart[c + 1] += _cellStart[c];
        }

        var fill = (int[])_cellStart.Clone();
        var order = new int[N];
        for (var i = 0; i < N; i++)
        {
            order[fill[_cellOf[i]]++] = i;
        }

        var oldStart = NeighStart;
        var oldJ = NeighJ;
        var oldShear = Shear;
        var oldCount = PairCount;
        var newIndex = Permute(order, N);

        // cell of each particle in the new order
        var cellNew = new int[N];
        for (var c = 0; c < ncell; c++)
        {
            for (var k = _cellStart[c]; k < _cellStart[c + 1]; k++)
            {
                cellNew[k] = c;
            }
        }

        var start = new int[N + 1];
        var js = new List<int>(Math.Max(16, oldCount + oldCount / 4));
        var imgs = new List<byte>(Math.Max(16, oldCount + oldCount / 4));
        for (var i = 0; i < N; i++)
        {
            var c = cellNew[i];
            var cx = c % nc[0];
            var cy = c / nc[0] % nc[1];
            var cz = c / (nc[0] * nc[1]);
            double xi = Pos[3 * i], yi = Pos[3 * i + 1], zi = Pos[3 * i + 2];
            var ri = Radius[i] + Skin;
            for (var oz = -1; oz <= 1; oz++)
            {
                if (!Neighbor(cz + oz, 2, nc, out var nz, out var sz))
                {
                    continue;
                }

                for (var oy = -1; oy <= 1; oy++)
                {
                    if (!Neighbor(cy + oy, 1, nc, out var ny, out var sy))
                    {
                        continue;
                    }

                    for (var ox = -1; ox <= 1; ox++)
                    {
                        if (!Neighbor(cx + ox, 0, nc, out var nx, out var sx))
                        {
                            continue;
                        }

                        var code = (sx + 1) + 3 * (sy + 1) + 9 * (sz + 1);
                        var shx = ShiftTable[3 * code];
                        var shy = ShiftTable[3 * code + 1];
                        var shz = ShiftTable[3 * code + 2];
                        var cc = (nz * nc[1] + ny) * nc[0] + nx;
                        for (var j = Math.Max(_cellStart[cc], i + 1); j < _cellStart[cc + 1]; j++)
                        {
                            var dx = xi - (Pos[3 * j] + shx);
                            var dy = yi - (Pos[3 * j + 1] + shy);
                            var dz = zi - (Pos[3 * j + 2] + shz);
                            var cut = ri + Radius[j];
                            if (dx * dx + dy * dy + dz * dz < cut * cut)
                            {
                                js.Add(j);
                                imgs.Add((byte)code);
                            }
                        }
                    }
                }
            }

            start[i + 1] = js.Count;
        }

        PairCount = js.Count;
        NeighStart = start;
        NeighJ = js.ToArray();
        NeighImage = imgs.ToArray();
        Shear = new double[3 * PairCount];
        PairForce = new double[3 * PairCount];
        PairTorqueJ = new double[3 * PairCount];
        TransferHistory(oldStart, oldJ, oldShear, oldCount, newIndex);
        BuildReverse();
        Partition();
        Array.Copy(Pos, PosBuild, 3 * N);
        Array.Copy(Radius, RadiusBuild, N);
    }

    /// <summary>Neighbour cell along one axis; on a periodic axis with fewer than 3 cells the wrapped
    /// offsets still carry distinct image shifts, so no pair is listed twice with the same image.</summary>
    private bool Neighbor(int c, int axis, int[] nc, out int wrapped, out int shift)
    {
        shift = 0;
        wrapped = c;
        if (c >= 0 && c < nc[axis])
        {
            return true;
        }

        if (!Periodic[axis])
        {
            return false;
        }

        if (c < 0)
        {
            wrapped = c + nc[axis];
            shift = -1;
        }
        else
        {
            wrapped = c - nc[axis];
            shift = 1;
        }

        return true;
    }

    private void WrapPeriodic()
    {
        for (var a = 0; a < 3; a++)
        {
            if (!Periodic[a])
            {
                continue;
            }

            var len = BoxHi[a] - BoxLo[a];
            for (var i = 0; i < N; i++)
            {
                ref var x = ref Pos[3 * i + a];
                while (x < BoxLo[a])
                {
                    x += len;
                }

                while (x >= BoxHi[a])
                {
                    x -= len;
                }
            }
        }
    }

    /// <summary>Re-orders (and optionally drops) particles: new i takes old order[i]. Returns old -> new index (-1 = dropped).</summary>
    private int[] Permute(int[] order, int newN)
    {
        var oldN = N;
        var newIndex = new int[oldN];
        Array.Fill(newIndex, -1);
        for (var i = 0; i < newN; i++)
        {
            newIndex[order[i]] = i;
        }

        Pos = Gather3(Pos, order, newN);
        Vel = Gather3(Vel, order, newN);
        Omega = Gather3(Omega, order, newN);
        Force = Gather3(Force, order, newN);
        Torque = Gather3(Torque, order, newN);
        Radius = Gather(Radius, order, newN);
        Radius0 = Gather(Radius0, order, newN);
        Mass = Gather(Mass, order, newN);
        InvMass = Gather(InvMass, order, newN);
        InvInertia = Gather(InvInertia, order, newN);
        Density = Gather(Density, order, newN);
        Type = Gather(Type, order, newN);
        Id = Gather(Id, order, newN);
        if (WallCount > 0)
        {
            WallShear = GatherK(WallShear, order, newN, 3 * WallCount);
            WallForce = GatherK(WallForce, order, newN, 3 * WallCount);
            WallTouch = GatherK(WallTouch, order, newN, WallCount);
        }

        N = newN;
        PosBuild = new double[3 * N];
        RadiusBuild = new double[N];
        BlockCount = (N + BlockSize - 1) >> BlockShift;
        BlockWallForce = new double[3 * BlockCount * WallCount];
        BlockWallContacts = new int[BlockCount * WallCount];
        return newIndex;
    }

    private static T[] Gather<T>(T[] src, int[] order, int n)
    {
        var dst = new T[n];
        for (var i = 0; i < n; i++)
        {
            dst[i] = src[order[i]];
        }

        return dst;
    }

    private static double[] Gather3(double[] src, int[] order, int n) => GatherK(src, order, n, 3);

    private static T[] GatherK<T>(T[] src, int[] order, int n, int k)
    {
        var dst = new T[n * k];
        for (var i = 0; i < n; i++)
        {
            Array.Copy(src, order[i] * k, dst, i * k, k);
        }

        return dst;
    }

    /// <summary>Carries the shear history of touching pairs into the new list (sign flips if the owner changed).</summary>
    private void TransferHistory(int[] oldStart, int[] oldJ, double[] oldShear, int oldCount, int[] newIndex)
    {
        if (oldCount == 0)
        {
            return;
        }

        var oldN = newIndex.Length;
        var count = new int[N + 1];
        for (var a = 0; a < oldN; a++)
        {
            for (var p = oldStart[a]; p < oldStart[a + 1]; p++)
            {
                if (oldShear[3 * p] == 0 && oldShear[3 * p + 1] == 0 && oldShear[3 * p + 2] == 0)
                {
                    continue;
                }

                int na = newIndex[a], nb = newIndex[oldJ[p]];
                if (na < 0 || nb < 0)
                {
                    continue;
                }

                count[Math.Min(na, nb) + 1]++;
            }
        }

        for (var i = 0; i < N; i++)
        {
            count[i + 1] += count[i];
        }

        var fill = (int[])count.Clone();
        var total = count[N];
        var partner = new int[total];
        var sh = new double[3 * total];
        for (var a = 0; a < oldN; a++)
        {
            for (var p = oldStart[a]; p < oldStart[a + 1]; p++)
            {
                if (oldShear[3 * p] == 0 && oldShear[3 * p + 1] == 0 && oldShear[3 * p + 2] == 0)
                {
                    continue;
                }

                int na = newIndex[a], nb = newIndex[oldJ[p]];
                if (na < 0 || nb < 0)
                {
                    continue;
                }

                var sign = na < nb ? 1.0 : -1.0;
                var k = fill[Math.Min(na, nb)]++;
                partner[k] = Math.Max(na, nb);
                sh[3 * k] = sign * oldShear[3 * p];
                sh[3 * k + 1] = sign * oldShear[3 * p + 1];
                sh[3 * k + 2] = sign * oldShear[3 * p + 2];
            }
        }

        for (var i = 0; i < N; i++)
        {
            if (count[i] == count[i + 1])
            {
                continue;
            }

            for (var p = NeighStart[i]; p < NeighStart[i + 1]; p++)
            {
                var j = NeighJ[p];
                for (var k = count[i]; k < count[i + 1]; k++)
                {
                    if (partner[k] == j)
                    {
                        Shear[3 * p] = sh[3 * k];
                        Shear[3 * p + 1] = sh[3 * k + 1];
                        Shear[3 * p + 2] = sh[3 * k + 2];
                        break;
                    }
                }
            }
        }
    }

    private void BuildReverse()
    {
        var rs = new int[N + 1];
        for (var p = 0; p < PairCount; p++)
        {
            rs[NeighJ[p] + 1]++;
        }

        for (var i = 0; i < N; i++)
        {
            rs[i + 1] += rs[i];
        }

        var fill = (int[])rs.Clone();
        var rp = new int[PairCount];
        for (var i = 0; i < N; i++)
        {
            for (var p = NeighStart[i]; p < NeighStart[i + 1]; p++)
            {
                rp[fill[NeighJ[p]]++] = p;
            }
        }

        RevStart = rs;
        RevPair = rp;
    }

    /// <summary>Contiguous block ranges per thread with about equal pair work (affects speed only, never results).</summary>
    private void Partition()
    {
        var t = _team.Count;
        if (ThreadBlocks.Length != t + 1)
        {
            ThreadBlocks = new int[t + 1];
        }

        var work = new double[BlockCount + 1];
        for (var b = 0; b < BlockCount; b++)
        {
            var i0 = b << BlockShift;
            var i1 = Math.Min(i0 + BlockSize, N);
            work[b + 1] = work[b] + (NeighStart[i1] - NeighStart[i0]) + (RevStart[i1] - RevStart[i0]) * 0.3 + (i1 - i0) * 1.5;
        }

        var total = work[BlockCount];
        ThreadBlocks[0] = 0;
        var b2 = 0;
        for (var k = 1; k < t; k++)
        {
            var target = total * k / t;
            while (b2 < BlockCount && work[b2 + 1] <= target)
            {
                b2++;
            }

            ThreadBlocks[k] = Math.Max(ThreadBlocks[k - 1], b2);
        }

        ThreadBlocks[t] = BlockCount;
    }
}
