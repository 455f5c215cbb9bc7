// Linked-cell neighbour lists with a skin: particles are re-sorted by cell at every build (cache
// locality), pairs within R_i + R_j + skin go to a half list (owner = lower index), and tangential
// history follows each pair through the re-ordering. Deterministic: no hashing, fixed visit order.
// Steady state allocates nothing: every buffer is kept and grown geometrically when a list outgrows it.
namespace DigitalTwin.Physics.Dem;

public sealed partial class DemSystem
{
    private readonly int[] _nc = new int[3];
    private readonly double[] _cellLo = new double[3];
    private readonly double[] _cellSize = new double[3];
    private int[] _cellOf = [];
    private int[] _cellStart = [];
    private int[] _cellFill = [];
    private int[] _order = [];
    private int[] _newIndex = [];

    // per-thread pair lists of a rebuild, joined in particle order
    private int _buildParts;
    private int _oldCount;
    private readonly int[][] _partJ;
    private readonly byte[][] _partImage;
    private readonly int[] _partCount;
    private readonly (int Start, int End)[] _partRange;

    // double buffers: the previous list survives the build until its history is carried over
    private int[] _oldStart = [0];
    private int[] _oldJ = [];
    private double[] _oldShearX = [];
    private double[] _oldShearY = [];
    private double[] _oldShearZ = [];
    private int[] _histCount = [];
    private int[] _histPartner = [];
    private double[] _histShear = [];
    private int[] _revFill = [];
    private double[] _work = [];

    // scratch for re-ordering particle arrays in place (swapped with the live arrays)
    private double[] _swap3 = [];
    private double[] _swap1 = [];
    private int[] _swapInt = [];
    private double[] _swapWall3 = [];
    private byte[] _swapWallByte = [];

    /// <summary>The whole rebuild on the calling thread.</summary>
    internal void RebuildNeighbors()
    {
        PrepareRebuild();
        _buildParts = 1;
        BuildPairs(0, 0, N);
        FinishRebuild();
    }

    /// <summary>The rebuild inside the time loop: thread 0 bins and re-orders, every thread lists the pairs of its
    /// particles (ranges of the last partition), thread 0 joins the lists in order: the same list on any team.</summary>
    private void RebuildNeighbors(int tid)
    {
        if (tid == 0)
        {
            PrepareRebuild();
            _buildParts = _team.Count;
        }

        _team.Barrier();
        BuildPairs(tid, ThreadBlocks[tid] << BlockShift, Math.Min(ThreadBlocks[tid + 1] << BlockShift, N));
        _team.Barrier();
        if (tid == 0)
        {
            FinishRebuild();
        }
    }

    /// <summary>Divergence check, periodic wrap, binning and re-ordering by cell; the current list becomes the old one.</summary>
    private void PrepareRebuild()
    {
        Builds++;
        _forceRebuild = false;
        for (var k = 0; k < 3 * N; k++)
        {
            // a diverged run (forces without bound) must say so, not fail on a cell index: non-finite, or a
            // thousand box lengths away from the box
            var a = k % 3;
            var len = BoxHi[a] - BoxLo[a];
            if (!double.IsFinite(Pos[k]) || Math.Abs(Pos[k] - 0.5 * (BoxLo[a] + BoxHi[a])) > 1e3 * len)
            {
                throw new DemConvergenceException($"particle id {Id[k / 3]}: position {"xyz"[a]} is {Pos[k]} m in the chunk from step {Step}: the run diverged (time step too large for the contact stiffness, or cohesion without bound)");
            }
        }

        WrapPeriodic();
        var rmax = 0.0;
        for (var i = 0; i < N; i++)
        {
            rmax = Math.Max(rmax, Radius[i]);
        }

        var cutoff = 2 * rmax + Skin;
        var nc = _nc;
        for (var a = 0; a < 3; a++)
        {
            if (Periodic[a])
            {
                _cellLo[a] = BoxLo[a];
                var len = BoxHi[a] - BoxLo[a];
                nc[a] = Math.Max(1, (int)(len / cutoff));
                _cellSize[a] = len / nc[a];
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
                _cellLo[a] = mn;
                _cellSize[a] = span > 0 ? span / nc[a] : cutoff;
            }
        }

        var ncell = nc[0] * nc[1] * nc[2];
        Grow(ref _cellStart, ncell + 1);
        Grow(ref _cellFill, ncell + 1);
        Grow(ref _cellOf, N);
        Grow(ref _order, N);
        Array.Clear(_cellStart, 0, ncell + 1);
        for (var i = 0; i < N; i++)
        {
            var c = CellOf(i);
            _cellOf[i] = c;
            _cellStart[c + 1]++;
        }

        for (var c = 0; c < ncell; c++)
        {
            _cellStart[c + 1] += _cellStart[c];
        }

        Array.Copy(_cellStart, _cellFill, ncell + 1);
        for (var i = 0; i < N; i++)
        {
            _order[_cellFill[_cellOf[i]]++] = i;
        }

        PermuteInPlace(_order);

        // the new list is written into the old buffers; the current one becomes "old" for the history transfer
        (_oldStart, NeighStart) = (NeighStart, _oldStart);
        (_oldJ, NeighJ) = (NeighJ, _oldJ);
        (_oldShearX, ShearX) = (ShearX, _oldShearX);
        (_oldShearY, ShearY) = (ShearY, _oldShearY);
        (_oldShearZ, ShearZ) = (ShearZ, _oldShearZ);
        _oldCount = PairCount;
        Grow(ref NeighStart, N + 1);
    }

    /// <summary>Joins the per-thread pair lists in particle order, carries the history over, and derives the rest.</summary>
    private void FinishRebuild()
    {
        var count = 0;
        NeighStart[0] = 0;
        for (var t = 0; t < _buildParts; t++)
        {
            count += _partCount[t];
        }

        GrowPairs(count);
        count = 0;
        for (var t = 0; t < _buildParts; t++)
        {
            var (i0, i1) = _partRange[t];
            Array.Copy(_partJ[t], 0, NeighJ, count, _partCount[t]);
            Array.Copy(_partImage[t], 0, NeighImage, count, _partCount[t]);
            for (var i = i0; i < i1; i++)
            {
                NeighStart[i + 1] += count;
            }

            count += _partCount[t];
        }

        PairCount = count;
        Array.Clear(ShearX, 0, count);
        Array.Clear(ShearY, 0, count);
        Array.Clear(ShearZ, 0, count);
        TransferHistory(_oldCount);
        BuildReverse();
        Partition();
        Array.Copy(Pos, PosBuild, 3 * N);
        Array.Copy(Radius, RadiusBuild, N);
        Array.Copy(WallPos, WallPosBuild, WallCount);
        BuildWallCandidates();
    }

    private int CellOf(int i)
    {
        var nc = _nc;
        var cx = Math.Clamp((int)((Pos[3 * i] - _cellLo[0]) / _cellSize[0]), 0, nc[0] - 1);
        var cy = Math.Clamp((int)((Pos[3 * i + 1] - _cellLo[1]) / _cellSize[1]), 0, nc[1] - 1);
        var cz = Math.Clamp((int)((Pos[3 * i + 2] - _cellLo[2]) / _cellSize[2]), 0, nc[2] - 1);
        return (cz * nc[1] + cy) * nc[0] + cx;
    }

    /// <summary>Half list over the 27 neighbour cells of each particle's cell; j &gt; i, so each pair appears once per image.
    /// Particles [i0, i1) into part <paramref name="part"/>'s own buffers, NeighStart counted from the part's start.</summary>
    private void BuildPairs(int part, int i0, int i1)
    {
        var count = 0;
        var nc = _nc;
        _partRange[part] = (i0, i1);
        var js = _partJ[part];
        var imgs = _partImage[part];
        var pos = Pos;
        var rad = Radius;
        var cellStart = _cellStart;
        for (var i = i0; i < i1; i++)
        {
            // particles are sorted by cell: the cell of i is the one whose range holds i
            var c = _cellOf[_order[i]];
            var cx = c % nc[0];
            var cy = c / nc[0] % nc[1];
            var cz = c / (nc[0] * nc[1]);
            double xi = pos[3 * i], yi = pos[3 * i + 1], zi = pos[3 * i + 2];
            var ri = rad[i] + Skin;
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
                        var jEnd = cellStart[cc + 1];
                        for (var j = Math.Max(cellStart[cc], i + 1); j < jEnd; j++)
                        {
                            var dx = xi - (pos[3 * j] + shx);
                            var dy = yi - (pos[3 * j + 1] + shy);
                            var dz = zi - (pos[3 * j + 2] + shz);
                            var cut = ri + rad[j];
                            if (dx * dx + dy * dy + dz * dz < cut * cut)
                            {
                                if (count == js.Length)
                                {
                                    Array.Resize(ref js, Math.Max(1024, 2 * js.Length));
                                    Array.Resize(ref imgs, js.Length);
                                }

                                js[count] = j;
                                imgs[count] = (byte)code;
                                count++;
                            }
                        }
                    }
                }
            }

            NeighStart[i + 1] = count;
        }

        _partJ[part] = js;
        _partImage[part] = imgs;
        _partCount[part] = count;
    }

    /// <summary>Makes every per-pair buffer hold at least <paramref name="pairs"/> pairs (grown by half again, contents kept).</summary>
    internal void GrowPairs(int pairs)
    {
        if (NeighJ.Length >= pairs && NeighImage.Length >= pairs && ShearX.Length >= pairs && ShearY.Length >= pairs && ShearZ.Length >= pairs && RevPair.Length >= pairs && Partner.Length >= 6 * pairs)
        {
            return;
        }

        var cap = Math.Max(pairs, NeighJ.Length + NeighJ.Length / 2 + 64);
        Array.Resize(ref NeighJ, cap);
        Array.Resize(ref NeighImage, cap);
        Array.Resize(ref ShearX, cap);
        Array.Resize(ref ShearY, cap);
        Array.Resize(ref ShearZ, cap);
        Array.Resize(ref RevPair, cap);
        Array.Resize(ref Partner, 6 * cap);
    }

    private static void Grow<T>(ref T[] a, int n)
    {
        if (a.Length < n)
        {
            a = new T[Math.Max(n, a.Length + a.Length / 2)];
        }
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

    /// <summary>Re-orders particles (new i takes old order[i]) through swap buffers; fills _newIndex (old -> new).</summary>
    private void PermuteInPlace(int[] order)
    {
        Grow(ref _newIndex, N);
        for (var i = 0; i < N; i++)
        {
            _newIndex[order[i]] = i;
        }

        Grow(ref _swap3, 3 * N);
        Grow(ref _swap1, N);
        Grow(ref _swapInt, N);
        Swap3(ref Pos, order);
        Swap3(ref Vel, order);
        Swap3(ref Omega, order);
        Swap3(ref Force, order);
        Swap3(ref Torque, order);
        Swap1(ref Radius, order);
        Swap1(ref Radius0, order);
        Swap1(ref Mass, order);
        Swap1(ref InvMass, order);
        Swap1(ref InvInertia, order);
        Swap1(ref Density, order);
        SwapInt(ref Type, order);
        SwapInt(ref Id, order);
        if (WallCount > 0)
        {
            var k = WallCount;
            Grow(ref _swapWall3, 3 * k * N);
            Grow(ref _swapWallByte, k * N);
            SwapK(ref WallShear, ref _swapWall3, order, 3 * k);
            SwapK(ref WallForce, ref _swapWall3, order, 3 * k);
            SwapK(ref WallTouch, ref _swapWallByte, order, k);
        }
    }

    private void Swap3(ref double[] a, int[] order)
    {
        var dst = _swap3;
        for (var i = 0; i < N; i++)
        {
            var o = 3 * order[i];
            dst[3 * i] = a[o];
            dst[3 * i + 1] = a[o + 1];
            dst[3 * i + 2] = a[o + 2];
        }

        (a, _swap3) = (dst, a);
    }

    private void Swap1(ref double[] a, int[] order)
    {
        var dst = _swap1;
        for (var i = 0; i < N; i++)
        {
            dst[i] = a[order[i]];
        }

        (a, _swap1) = (dst, a);
    }

    private void SwapInt(ref int[] a, int[] order)
    {
        var dst = _swapInt;
        for (var i = 0; i < N; i++)
        {
            dst[i] = a[order[i]];
        }

        (a, _swapInt) = (dst, a);
    }

    private void SwapK<T>(ref T[] a, ref T[] scratch, int[] order, int k)
    {
        var dst = scratch;
        for (var i = 0; i < N; i++)
        {
            Array.Copy(a, order[i] * k, dst, i * k, k);
        }

        (a, scratch) = (dst, a);
    }

    /// <summary>Re-orders (and drops) particles with fresh arrays: new i takes old order[i] (rare: removing particles).</summary>
    private void PermuteAndResize(int[] order, int newN)
    {
        Pos = GatherK(Pos, order, newN, 3);
        Vel = GatherK(Vel, order, newN, 3);
        Omega = GatherK(Omega, order, newN, 3);
        Force = GatherK(Force, order, newN, 3);
        Torque = GatherK(Torque, order, newN, 3);
        Radius = GatherK(Radius, order, newN, 1);
        Radius0 = GatherK(Radius0, order, newN, 1);
        Mass = GatherK(Mass, order, newN, 1);
        InvMass = GatherK(InvMass, order, newN, 1);
        InvInertia = GatherK(InvInertia, order, newN, 1);
        Density = GatherK(Density, order, newN, 1);
        Type = GatherK(Type, order, newN, 1);
        Id = GatherK(Id, order, newN, 1);
        WallShear = GatherK(WallShear, order, newN, 3 * WallCount);
        WallForce = GatherK(WallForce, order, newN, 3 * WallCount);
        WallTouch = GatherK(WallTouch, order, newN, WallCount);
        N = newN;
        PosBuild = new double[3 * N];
        RadiusBuild = new double[N];
        BlockCount = (N + BlockSize - 1) >> BlockShift;
        NeighStart = new int[N + 1];
        _oldStart = [0];
        PairCount = 0;
    }

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
    private void TransferHistory(int oldCount)
    {
        if (oldCount == 0)
        {
            return;
        }

        var oldStart = _oldStart;
        var oldJ = _oldJ;
        var (ox, oy, oz) = (_oldShearX, _oldShearY, _oldShearZ);
        var newIndex = _newIndex;
        Grow(ref _histCount, N + 1);
        var count = _histCount;
        Array.Clear(count, 0, N + 1);
        var total = 0;
        for (var a = 0; a < N; a++)
        {
            for (var p = oldStart[a]; p < oldStart[a + 1]; p++)
            {
                if (ox[p] == 0 && oy[p] == 0 && oz[p] == 0)
                {
                    continue;
                }

                count[Math.Min(newIndex[a], newIndex[oldJ[p]]) + 1]++;
                total++;
            }
        }

        for (var i = 0; i < N; i++)
        {
            count[i + 1] += count[i];
        }

        Grow(ref _histPartner, total);
        Grow(ref _histShear, 3 * total);
        Grow(ref _revFill, N + 1);
        var fill = _revFill;
        Array.Copy(count, fill, N + 1);
        var partner = _histPartner;
        var sh = _histShear;
        for (var a = 0; a < N; a++)
        {
            for (var p = oldStart[a]; p < oldStart[a + 1]; p++)
            {
                if (ox[p] == 0 && oy[p] == 0 && oz[p] == 0)
                {
                    continue;
                }

                int na = newIndex[a], nb = newIndex[oldJ[p]];
                var sign = na < nb ? 1.0 : -1.0;
                var k = fill[Math.Min(na, nb)]++;
                partner[k] = Math.Max(na, nb);
                sh[3 * k] = sign * ox[p];
                sh[3 * k + 1] = sign * oy[p];
                sh[3 * k + 2] = sign * oz[p];
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
                        ShearX[p] = sh[3 * k];
                        ShearY[p] = sh[3 * k + 1];
                        ShearZ[p] = sh[3 * k + 2];
                        break;
                    }
                }
            }
        }
    }

    /// <summary>Reverse CSR by partner: RevPair[RevStart[j]..RevStart[j+1]] are the pairs with partner j (in owner order).</summary>
    internal void BuildReverse()
    {
        Grow(ref RevStart, N + 1);
        Grow(ref _revFill, N + 1);
        GrowPairs(PairCount);
        var rs = RevStart;
        Array.Clear(rs, 0, N + 1);
        for (var p = 0; p < PairCount; p++)
        {
            rs[NeighJ[p] + 1]++;
        }

        for (var i = 0; i < N; i++)
        {
            rs[i + 1] += rs[i];
        }

        var fill = _revFill;
        Array.Copy(rs, fill, N + 1);
        for (var p = 0; p < PairCount; p++)
        {
            RevPair[fill[NeighJ[p]]++] = p;
        }

        Array.Clear(Partner, 0, 6 * PairCount);
    }

    /// <summary>Contiguous block ranges per thread with about equal pair work (affects speed only, never results).</summary>
    private void Partition()
    {
        var t = _team.Count;
        Grow(ref _work, BlockCount + 1);
        var work = _work;
        work[0] = 0;
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

    /// <summary>Particles within a skin of each wall at the last build, in index order (from the build-time state, so a restart rebuilds the same lists).</summary>
    private void BuildWallCandidates()
    {
        for (var w = 0; w < WallCount; w++)
        {
            Grow(ref WallCandidates[w], N);
            var list = WallCandidates[w];
            var axis = WallAxis[w];
            var side = WallSide[w];
            var count = 0;
            for (var i = 0; i < N; i++)
            {
                var gap = side * (PosBuild[3 * i + axis] - WallPosBuild[w]) - RadiusBuild[i];
                if (gap < Skin)
                {
                    list[count++] = i;
                }
            }

            WallCandidateCount[w] = count;
        }
    }
}
