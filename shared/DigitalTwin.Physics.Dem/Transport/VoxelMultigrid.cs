// Aggregation multigrid for the voxel conduction operator, the preconditioner of the CG solve: 2x2x2 voxel
// blocks form a coarse cell, coarse face conductances are the sums of the fine faces crossing (Galerkin with
// piecewise-constant transfer), symmetric zebra-plane Gauss-Seidel W-cycle. Plane-parallel, thread-count independent.
// The fine level (and the CG vectors) hold only the active voxels, in grid order with neighbour indices: a phase
// is about a third of a packing's voxels, and the solve is bound by memory traffic.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DigitalTwin.Physics.Dem.Transport;

/// <summary>Operator y = D x - sum of w_f x_neighbour on a box of voxels (face weights to +x, +y, +z; periodic x/y
/// wrap, z never does), with its multigrid cycle. Voxels with a zero diagonal are inactive and stay 0.</summary>
internal sealed class VoxelMultigrid
{
    // Piecewise-constant transfer makes the Galerkin coarse operator about twice too stiff (Braess 1995):
    // the coarse correction is scaled up to compensate, short of 2 so the cycle stays positive definite.
    private const double Overcorrection = 1.8;

    // W-cycle (two coarse cycles per level): aggregation V-cycles lose accuracy level by level; in 3-D the
    // second visit costs a quarter of a fine sweep. One zebra sweep before and after the coarse correction.
    private const int Gamma = 2;
    private const int Nu = 1;
    private const int CoarsestCells = 64;
    private const int CoarsestSweeps = 30;
    private const int ParallelCells = 1 << 15;

    // the coarse levels 1.. (full boxes); the fine level is the compact one below
    private readonly Level[] _levels;
    private readonly int _nz;
    private readonly double[] _partial;

    // compact fine level: active voxel c (grid order) at grid index Voxel[c]; slot Count is a zero dummy that
    // stands for every inactive or missing neighbour (weight 0, value 0)
    private readonly int[] _planeStart;
    private readonly int[] _nb;
    private readonly int[] _coarseCell;

    // the fine operator in double precision for the CG products; the cycle uses float copies (half the memory traffic)
    private readonly double[] _wx, _wy, _wz, _diag;
    private readonly float[] _fwx, _fwy, _fwz, _fdiag, _finv;

    /// <summary>wx[v]: conductance of the face between voxel v and its +x neighbour (0 where none), likewise wy, wz;
    /// ext[v]: conductance to a fixed potential (electrodes), added to the diagonal. Voxels with a zero diagonal are
    /// inactive and left out.</summary>
    public VoxelMultigrid(int nx, int ny, int nz, bool periodicX, bool periodicY, double[] wx, double[] wy, double[] wz, double[] ext)
    {
        _nz = nz;
        _partial = new double[nz];
        var fine = new Level(nx, ny, nz, periodicX, periodicY, coarse: false);
        var diag = new double[fine.Count];
        ForPlanes(fine, z =>
        {
            for (var y = 0; y < ny; y++)
            {
                var row = new Row(fine, y, z);
                for (var i = 0; i < nx; i++)
                {
                    var v = row.R0 + i;
                    var xm = i == 0 ? nx - 1 : i - 1;
                    diag[v] = wx[v] + wx[row.R0 + xm] + wy[v] + wy[row.Rym + i] + wz[v] + row.Czm * wz[row.Rzm + i] + ext[v];
                    (fine.Wx[v], fine.Wy[v], fine.Wz[v], fine.Ext[v]) = ((float)wx[v], (float)wy[v], (float)wz[v], (float)ext[v]);
                }
            }
        });
        fine.ComputeDiagonal();
        var levels = new List<Level>();
        var last = fine;
        while (last.Count > CoarsestCells && (last.Nx > 1 || last.Ny > 1 || last.Nz > 1))
        {
            last = Coarsen(last);
            levels.Add(last);
        }

        _levels = [.. levels];

        // compact numbering in grid order: count per plane, then number each plane from its start
        var index = new int[fine.Count];
        _planeStart = new int[nz + 1];
        var plane = nx * ny;
        ForPlanes(fine, z =>
        {
            var k = 0;
            for (var v = z * plane; v < (z + 1) * plane; v++)
            {
                k += diag[v] > 0 ? 1 : 0;
            }

            _planeStart[z + 1] = k;
        });
        for (var z = 0; z < nz; z++)
        {
            _planeStart[z + 1] += _planeStart[z];
        }

        ForPlanes(fine, z =>
        {
            var k = _planeStart[z];
            for (var v = z * plane; v < (z + 1) * plane; v++)
            {
                index[v] = diag[v] > 0 ? k++ : -1;
            }
        });
        var n = _planeStart[nz];
        Count = n;
        Voxel = new int[n];
        _nb = new int[6 * n];
        _coarseCell = new int[n];
        (_wx, _wy, _wz, _diag) = (new double[n + 1], new double[n + 1], new double[n + 1], new double[n + 1]);
        (_fwx, _fwy, _fwz, _fdiag, _finv) = (new float[n + 1], new float[n + 1], new float[n + 1], new float[n + 1], new float[n + 1]);
        var c1 = _levels.Length > 0 ? _levels[0] : null;
        ForPlanes(fine, z =>
        {
            for (var y = 0; y < ny; y++)
            {
                var row = new Row(fine, y, z);
                for (var i = 0; i < nx; i++)
                {
                    var v = row.R0 + i;
                    var c = index[v];
                    if (c < 0)
                    {
                        continue;
                    }

                    Voxel[c] = v;
                    var nb = _nb.AsSpan(6 * c, 6);
                    nb[0] = Compact(index, row.R0 + (i == 0 ? nx - 1 : i - 1), n);
                    nb[1] = Compact(index, row.R0 + (i == nx - 1 ? 0 : i + 1), n);
                    nb[2] = Compact(index, row.Rym + i, n);
                    nb[3] = Compact(index, row.Ryp + i, n);
                    nb[4] = z > 0 ? Compact(index, row.Rzm + i, n) : n;
                    nb[5] = z < nz - 1 ? Compact(index, row.Rzp + i, n) : n;
                    (_wx[c], _wy[c], _wz[c], _diag[c]) = (wx[v], wy[v], wz[v], diag[v]);
                    (_fwx[c], _fwy[c], _fwz[c], _fdiag[c], _finv[c]) = (fine.Wx[v], fine.Wy[v], fine.Wz[v], fine.Diag[v], fine.InvDiag[v]);
                    _coarseCell[c] = c1 is null ? 0 : ((z >> 1) * c1.Ny + (y >> 1)) * c1.Nx + (i >> 1);
                }
            }
        });
    }

    /// <summary>Active voxels: the length of the CG vectors is Count + 1 (the last entry stays 0).</summary>
    public int Count { get; }

    /// <summary>Grid index of each active voxel.</summary>
    public int[] Voxel { get; }

    public int LevelCount => _levels.Length + 1;

    /// <summary>Active voxels of grid plane z: [PlaneStart(z), PlaneStart(z + 1)).</summary>
    public int PlaneStart(int z) => _planeStart[z];

    private static int Compact(int[] index, int v, int dummy) => index[v] >= 0 ? index[v] : dummy;

    /// <summary>y = A x on the active voxels (double precision); returns p·y with x = p (fixed per-plane partial sums).</summary>
    public double Apply(double[] x, double[] y)
    {
        var partial = _partial;
        FinePlanes(z =>
        {
            // indices come from the neighbour table (in range by construction): the loop skips bounds checks
            ref var wx = ref MemoryMarshal.GetArrayDataReference(_wx);
            ref var wy = ref MemoryMarshal.GetArrayDataReference(_wy);
            ref var wz = ref MemoryMarshal.GetArrayDataReference(_wz);
            ref var d = ref MemoryMarshal.GetArrayDataReference(_diag);
            ref var nb = ref MemoryMarshal.GetArrayDataReference(_nb);
            ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
            ref var yr = ref MemoryMarshal.GetArrayDataReference(y);
            var dot = 0.0;
            for (var c = _planeStart[z]; c < _planeStart[z + 1]; c++)
            {
                var xc = Unsafe.Add(ref xr, c);
                var yc = Unsafe.Add(ref d, c) * xc - NeighbourSum(ref wx, ref wy, ref wz, ref nb, ref xr, c);
                Unsafe.Add(ref yr, c) = yc;
                dot += xc * yc;
            }

            partial[z] = dot;
        });
        var sum = 0.0;
        foreach (var v in partial)
        {
            sum += v;
        }

        return sum;
    }

    /// <summary>z = M r: one cycle from a zero guess.</summary>
    public void Precondition(double[] r, double[] z)
    {
        Array.Clear(z);
        FineCycle(r, z);
    }

    private void FineCycle(double[] b, double[] x)
    {
        var sweeps = _levels.Length == 0 ? CoarsestSweeps : Nu;
        for (var s = 0; s < sweeps; s++)
        {
            FineSweep(b, x, 0, forward: true);
            FineSweep(b, x, 1, forward: true);
        }

        if (_levels.Length > 0)
        {
            var c = _levels[0];
            FineRestrict(b, x, c);
            Cycle(0, zeroGuess: true);
            for (var g = 1; g < Gamma; g++)
            {
                Cycle(0, zeroGuess: false);
            }

            FinePlanes(z =>
            {
                var cx = c.X;
                var cell = _coarseCell;
                for (var k = _planeStart[z]; k < _planeStart[z + 1]; k++)
                {
                    x[k] += Overcorrection * cx[cell[k]];
                }
            });
        }

        for (var s = 0; s < sweeps; s++)
        {
            FineSweep(b, x, 1, forward: false);
            FineSweep(b, x, 0, forward: false);
        }
    }

    /// <summary>Zebra Gauss-Seidel on the compact fine level: planes of one parity in parallel, grid order within a plane.</summary>
    private void FineSweep(double[] b, double[] x, int parity, bool forward)
    {
        var half = (_nz - parity + 1) / 2;
        FineRange(half, h =>
        {
            ref var wx = ref MemoryMarshal.GetArrayDataReference(_fwx);
            ref var wy = ref MemoryMarshal.GetArrayDataReference(_fwy);
            ref var wz = ref MemoryMarshal.GetArrayDataReference(_fwz);
            ref var inv = ref MemoryMarshal.GetArrayDataReference(_finv);
            ref var nb = ref MemoryMarshal.GetArrayDataReference(_nb);
            ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
            ref var br = ref MemoryMarshal.GetArrayDataReference(b);
            var z = 2 * h + parity;
            int c0 = _planeStart[z], c1 = _planeStart[z + 1];
            if (forward)
            {
                for (var c = c0; c < c1; c++)
                {
                    Unsafe.Add(ref xr, c) = (Unsafe.Add(ref br, c) + NeighbourSum(ref wx, ref wy, ref wz, ref nb, ref xr, c)) * Unsafe.Add(ref inv, c);
                }
            }
            else
            {
                for (var c = c1 - 1; c >= c0; c--)
                {
                    Unsafe.Add(ref xr, c) = (Unsafe.Add(ref br, c) + NeighbourSum(ref wx, ref wy, ref wz, ref nb, ref xr, c)) * Unsafe.Add(ref inv, c);
                }
            }
        });
    }

    /// <summary>Coarse right-hand side = sum of the fine residual b - A x over each 2x2x2 block.</summary>
    private void FineRestrict(double[] b, double[] x, Level c)
    {
        ForPlanes(c, cz =>
        {
            var cb = c.B;
            Array.Clear(cb, cz * c.Nx * c.Ny, c.Nx * c.Ny);
            ref var wx = ref MemoryMarshal.GetArrayDataReference(_fwx);
            ref var wy = ref MemoryMarshal.GetArrayDataReference(_fwy);
            ref var wz = ref MemoryMarshal.GetArrayDataReference(_fwz);
            ref var d = ref MemoryMarshal.GetArrayDataReference(_fdiag);
            ref var nb = ref MemoryMarshal.GetArrayDataReference(_nb);
            ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
            ref var br = ref MemoryMarshal.GetArrayDataReference(b);
            var cell = _coarseCell;
            for (var k = _planeStart[2 * cz]; k < _planeStart[Math.Min(_nz, 2 * cz + 2)]; k++)
            {
                cb[cell[k]] += (float)(Unsafe.Add(ref br, k) - Unsafe.Add(ref d, k) * Unsafe.Add(ref xr, k) + NeighbourSum(ref wx, ref wy, ref wz, ref nb, ref xr, k));
            }
        });
    }

    /// <summary>Sum of w_f x_neighbour over the six faces of active voxel c (missing neighbours are the zero dummy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double NeighbourSum(ref float wx, ref float wy, ref float wz, ref int nb, ref double x, int c)
    {
        ref var n = ref Unsafe.Add(ref nb, 6 * c);
        int xm = n, xp = Unsafe.Add(ref n, 1), ym = Unsafe.Add(ref n, 2), yp = Unsafe.Add(ref n, 3), zm = Unsafe.Add(ref n, 4), zp = Unsafe.Add(ref n, 5);
        return Unsafe.Add(ref wx, c) * Unsafe.Add(ref x, xp) + Unsafe.Add(ref wx, xm) * Unsafe.Add(ref x, xm)
            + Unsafe.Add(ref wy, c) * Unsafe.Add(ref x, yp) + Unsafe.Add(ref wy, ym) * Unsafe.Add(ref x, ym)
            + Unsafe.Add(ref wz, c) * Unsafe.Add(ref x, zp) + Unsafe.Add(ref wz, zm) * Unsafe.Add(ref x, zm);
    }

    /// <summary>The same sum with the double-precision weights of the CG operator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double NeighbourSum(ref double wx, ref double wy, ref double wz, ref int nb, ref double x, int c)
    {
        ref var n = ref Unsafe.Add(ref nb, 6 * c);
        int xm = n, xp = Unsafe.Add(ref n, 1), ym = Unsafe.Add(ref n, 2), yp = Unsafe.Add(ref n, 3), zm = Unsafe.Add(ref n, 4), zp = Unsafe.Add(ref n, 5);
        return Unsafe.Add(ref wx, c) * Unsafe.Add(ref x, xp) + Unsafe.Add(ref wx, xm) * Unsafe.Add(ref x, xm)
            + Unsafe.Add(ref wy, c) * Unsafe.Add(ref x, yp) + Unsafe.Add(ref wy, ym) * Unsafe.Add(ref x, ym)
            + Unsafe.Add(ref wz, c) * Unsafe.Add(ref x, zp) + Unsafe.Add(ref wz, zm) * Unsafe.Add(ref x, zm);
    }

    private void FinePlanes(Action<int> plane) => FineRange(_nz, plane);

    private void FineRange(int count, Action<int> body)
    {
        if (Count >= ParallelCells)
        {
            Parallel.For(0, count, body);
        }
        else
        {
            for (var k = 0; k < count; k++)
            {
                body(k);
            }
        }
    }

    /// <summary>One visit of coarse level k (index into the coarse levels).</summary>
    private void Cycle(int k, bool zeroGuess)
    {
        var l = _levels[k];
        if (zeroGuess)
        {
            Array.Clear(l.X);
        }

        var sweeps = k == _levels.Length - 1 ? CoarsestSweeps : Nu;
        for (var s = 0; s < sweeps; s++)
        {
            Sweep(l, 0, forward: true);
            Sweep(l, 1, forward: true);
        }

        if (k < _levels.Length - 1)
        {
            var c = _levels[k + 1];
            RestrictResidual(l, c);
            Cycle(k + 1, zeroGuess: true);
            for (var g = 1; g < Gamma; g++)
            {
                Cycle(k + 1, zeroGuess: false);
            }

            Prolongate(c, l);
        }

        // the exact reverse of the pre-smoothing: the cycle is a symmetric operator
        for (var s = 0; s < sweeps; s++)
        {
            Sweep(l, 1, forward: false);
            Sweep(l, 0, forward: false);
        }
    }

    /// <summary>Gauss-Seidel on the planes z of one parity (zebra), lexicographic within a plane, forward or backward.</summary>
    private static void Sweep(Level l, int parity, bool forward)
    {
        var half = (l.Nz - parity + 1) / 2;
        ForRange(l, half, h =>
        {
            ref var wx = ref MemoryMarshal.GetArrayDataReference(l.Wx);
            ref var wy = ref MemoryMarshal.GetArrayDataReference(l.Wy);
            ref var wz = ref MemoryMarshal.GetArrayDataReference(l.Wz);
            ref var inv = ref MemoryMarshal.GetArrayDataReference(l.InvDiag);
            ref var x = ref MemoryMarshal.GetArrayDataReference(l.X);
            ref var b = ref MemoryMarshal.GetArrayDataReference(l.B);
            var nx = l.Nx;
            var z = 2 * h + parity;
            if (forward)
            {
                for (var y = 0; y < l.Ny; y++)
                {
                    var row = new Row(l, y, z);
                    for (var i = 0; i < nx; i++)
                    {
                        var v = row.R0 + i;
                        Unsafe.Add(ref x, v) = (Unsafe.Add(ref b, v) + row.NeighbourSum(ref wx, ref wy, ref wz, ref x, i, nx)) * Unsafe.Add(ref inv, v);
                    }
                }
            }
            else
            {
                for (var y = l.Ny - 1; y >= 0; y--)
                {
                    var row = new Row(l, y, z);
                    for (var i = nx - 1; i >= 0; i--)
                    {
                        var v = row.R0 + i;
                        Unsafe.Add(ref x, v) = (Unsafe.Add(ref b, v) + row.NeighbourSum(ref wx, ref wy, ref wz, ref x, i, nx)) * Unsafe.Add(ref inv, v);
                    }
                }
            }
        });
    }

    /// <summary>Coarse right-hand side = sum of the fine residual b - A x over each 2x2x2 block.</summary>
    private static void RestrictResidual(Level f, Level c)
    {
        ForPlanes(c, cz =>
        {
            var cb = c.B;
            Array.Clear(cb, cz * c.Nx * c.Ny, c.Nx * c.Ny);
            ref var wx = ref MemoryMarshal.GetArrayDataReference(f.Wx);
            ref var wy = ref MemoryMarshal.GetArrayDataReference(f.Wy);
            ref var wz = ref MemoryMarshal.GetArrayDataReference(f.Wz);
            ref var d = ref MemoryMarshal.GetArrayDataReference(f.Diag);
            ref var x = ref MemoryMarshal.GetArrayDataReference(f.X);
            ref var b = ref MemoryMarshal.GetArrayDataReference(f.B);
            for (var z = 2 * cz; z < Math.Min(f.Nz, 2 * cz + 2); z++)
            {
                for (var y = 0; y < f.Ny; y++)
                {
                    var row = new Row(f, y, z);
                    var cr = (cz * c.Ny + (y >> 1)) * c.Nx;
                    for (var i = 0; i < f.Nx; i++)
                    {
                        var v = row.R0 + i;
                        cb[cr + (i >> 1)] += Unsafe.Add(ref b, v) - Unsafe.Add(ref d, v) * Unsafe.Add(ref x, v) + row.NeighbourSum(ref wx, ref wy, ref wz, ref x, i, f.Nx);
                    }
                }
            }
        });
    }

    private static void Prolongate(Level c, Level f)
    {
        ForPlanes(f, z =>
        {
            var cx = c.X;
            for (var y = 0; y < f.Ny; y++)
            {
                var r0 = (z * f.Ny + y) * f.Nx;
                var cr = ((z >> 1) * c.Ny + (y >> 1)) * c.Nx;
                for (var i = 0; i < f.Nx; i++)
                {
                    if (f.InvDiag[r0 + i] > 0)
                    {
                        f.X[r0 + i] += (float)Overcorrection * cx[cr + (i >> 1)];
                    }
                }
            }
        });
    }

    private static Level Coarsen(Level f)
    {
        int nx = (f.Nx + 1) / 2, ny = (f.Ny + 1) / 2, nz = (f.Nz + 1) / 2;
        var c = new Level(nx, ny, nz, f.PeriodicX, f.PeriodicY, coarse: true);
        ForPlanes(c, cz =>
        {
            for (var z = 2 * cz; z < Math.Min(f.Nz, 2 * cz + 2); z++)
            {
                for (var y = 0; y < f.Ny; y++)
                {
                    var yp = y == f.Ny - 1 ? 0 : y + 1;
                    var r0 = (z * f.Ny + y) * f.Nx;
                    var cr = (cz * ny + (y >> 1)) * nx;
                    for (var i = 0; i < f.Nx; i++)
                    {
                        var v = r0 + i;
                        var cv = cr + (i >> 1);
                        var ip = i == f.Nx - 1 ? 0 : i + 1;
                        c.Ext[cv] += f.Ext[v];
                        // faces inside a block cancel in P^T A P; faces between blocks add up
                        if ((i >> 1) != (ip >> 1))
                        {
                            c.Wx[cv] += f.Wx[v];
                        }

                        if ((y >> 1) != (yp >> 1))
                        {
                            c.Wy[cv] += f.Wy[v];
                        }

                        if ((z & 1) == 1)
                        {
                            c.Wz[cv] += f.Wz[v];
                        }
                    }
                }
            }
        });
        c.ComputeDiagonal();
        return c;
    }

    private static void ForPlanes(Level l, Action<int> plane) => ForRange(l, l.Nz, plane);

    private static void ForRange(Level l, int count, Action<int> body)
    {
        if (l.Count >= ParallelCells)
        {
            Parallel.For(0, count, body);
        }
        else
        {
            for (var k = 0; k < count; k++)
            {
                body(k);
            }
        }
    }

    /// <summary>Offsets of one x-row and of its four neighbouring rows (lateral wrap; z-neighbours masked at the ends).</summary>
    private readonly struct Row
    {
        public readonly int R0, Rym, Ryp, Rzm, Rzp;
        public readonly float Czm;

        public Row(Level l, int y, int z)
        {
            var plane = l.Nx * l.Ny;
            R0 = (z * l.Ny + y) * l.Nx;
            Rym = (z * l.Ny + (y == 0 ? l.Ny - 1 : y - 1)) * l.Nx;
            Ryp = (z * l.Ny + (y == l.Ny - 1 ? 0 : y + 1)) * l.Nx;
            Rzm = z > 0 ? R0 - plane : R0;
            Rzp = z < l.Nz - 1 ? R0 + plane : R0;
            Czm = z > 0 ? 1 : 0;
        }

        /// <summary>Sum of w_f x_neighbour over the six faces of voxel i of the row (non-periodic ends have w = 0).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float NeighbourSum(ref float wx, ref float wy, ref float wz, ref float x, int i, int nx)
        {
            var xm = R0 + (i == 0 ? nx - 1 : i - 1);
            var xp = R0 + (i == nx - 1 ? 0 : i + 1);
            var v = R0 + i;
            return Unsafe.Add(ref wx, v) * Unsafe.Add(ref x, xp) + Unsafe.Add(ref wx, xm) * Unsafe.Add(ref x, xm)
                + Unsafe.Add(ref wy, v) * Unsafe.Add(ref x, Ryp + i) + Unsafe.Add(ref wy, Rym + i) * Unsafe.Add(ref x, Rym + i)
                + Unsafe.Add(ref wz, v) * Unsafe.Add(ref x, Rzp + i) + Czm * Unsafe.Add(ref wz, Rzm + i) * Unsafe.Add(ref x, Rzm + i);
        }
    }

    /// <summary>One grid of the hierarchy: float face weights, diagonal and its inverse (0 = inactive voxel).</summary>
    private sealed class Level
    {
        public Level(int nx, int ny, int nz, bool periodicX, bool periodicY, bool coarse)
        {
            (Nx, Ny, Nz, PeriodicX, PeriodicY) = (nx, ny, nz, periodicX, periodicY);
            (Wx, Wy, Wz, Ext) = (new float[Count], new float[Count], new float[Count], new float[Count]);
            Diag = new float[Count];
            InvDiag = new float[Count];
            X = coarse ? new float[Count] : [];
            B = coarse ? new float[Count] : [];
        }

        public int Nx { get; }

        public int Ny { get; }

        public int Nz { get; }

        public bool PeriodicX { get; }

        public bool PeriodicY { get; }

        public int Count => Nx * Ny * Nz;

        public float[] Wx { get; }

        public float[] Wy { get; }

        public float[] Wz { get; }

        public float[] Ext { get; }

        public float[] Diag { get; }

        public float[] InvDiag { get; }

        /// <summary>Solution and right-hand side of this level's cycle, in single precision (a preconditioner's correction).</summary>
        public float[] X { get; }

        public float[] B { get; }

        public void ComputeDiagonal()
        {
            ForPlanes(this, z =>
            {
                for (var y = 0; y < Ny; y++)
                {
                    var row = new Row(this, y, z);
                    for (var i = 0; i < Nx; i++)
                    {
                        var v = row.R0 + i;
                        var xm = i == 0 ? Nx - 1 : i - 1;
                        var d = Wx[v] + Wx[row.R0 + xm] + Wy[v] + Wy[row.Rym + i] + Wz[v] + row.Czm * Wz[row.Rzm + i] + Ext[v];
                        Diag[v] = d;
                        InvDiag[v] = d > 0 ? 1 / d : 0;
                    }
                }
            });
        }
    }
}
