// Aggregation multigrid for the voxel conduction operator, the preconditioner of the CG solve: 2x2x2 voxel
// blocks form a coarse cell, coarse face conductances are the sums of the fine faces crossing (Galerkin with
// piecewise-constant transfer), symmetric zebra-plane Gauss-Seidel W-cycle. Plane-parallel, thread-count independent.
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

    private readonly Level[] _levels;

    // the fine operator in double precision for the CG products; the cycle uses float copies (half the memory traffic)
    private readonly double[] _wx, _wy, _wz, _diag;

    /// <summary>wx[v]: conductance of the face between voxel v and its +x neighbour (0 where none), likewise wy, wz;
    /// ext[v]: conductance to a fixed potential (electrodes), added to the diagonal.</summary>
    public VoxelMultigrid(int nx, int ny, int nz, bool periodicX, bool periodicY, double[] wx, double[] wy, double[] wz, double[] ext)
    {
        (_wx, _wy, _wz) = (wx, wy, wz);
        var fine = new Level(nx, ny, nz, periodicX, periodicY, coarse: false);
        _diag = new double[fine.Count];
        ForPlanes(fine, z =>
        {
            for (var y = 0; y < ny; y++)
            {
                var row = new Row(fine, y, z);
                for (var i = 0; i < nx; i++)
                {
                    var v = row.R0 + i;
                    var xm = i == 0 ? nx - 1 : i - 1;
                    _diag[v] = wx[v] + wx[row.R0 + xm] + wy[v] + wy[row.Rym + i] + wz[v] + row.Czm * wz[row.Rzm + i] + ext[v];
                    (fine.Wx[v], fine.Wy[v], fine.Wz[v], fine.Ext[v]) = ((float)wx[v], (float)wy[v], (float)wz[v], (float)ext[v]);
                }
            }
        });
        fine.ComputeDiagonal();
        var levels = new List<Level> { fine };
        while (levels[^1].Count > CoarsestCells && (levels[^1].Nx > 1 || levels[^1].Ny > 1 || levels[^1].Nz > 1))
        {
            levels.Add(Coarsen(levels[^1]));
        }

        _levels = [.. levels];
    }

    public int LevelCount => _levels.Length;

    /// <summary>y = A x on the fine grid (double precision).</summary>
    public void Apply(double[] x, double[] y)
    {
        var l = _levels[0];
        ForPlanes(l, z =>
        {
            // indices come from Row (in range by construction): the loop skips bounds checks
            ref var wx = ref MemoryMarshal.GetArrayDataReference(_wx);
            ref var wy = ref MemoryMarshal.GetArrayDataReference(_wy);
            ref var wz = ref MemoryMarshal.GetArrayDataReference(_wz);
            ref var d = ref MemoryMarshal.GetArrayDataReference(_diag);
            ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
            ref var yr = ref MemoryMarshal.GetArrayDataReference(y);
            for (var y0 = 0; y0 < l.Ny; y0++)
            {
                var row = new Row(l, y0, z);
                for (var i = 0; i < l.Nx; i++)
                {
                    var v = row.R0 + i;
                    Unsafe.Add(ref yr, v) = Unsafe.Add(ref d, v) * Unsafe.Add(ref xr, v) - row.NeighbourSum(ref wx, ref wy, ref wz, ref xr, i, l.Nx);
                }
            }
        });
    }

    /// <summary>z = M r: one cycle from a zero guess.</summary>
    public void Precondition(double[] r, double[] z)
    {
        var l = _levels[0];
        l.B = r;
        l.X = z;
        Cycle(0, zeroGuess: true);
    }

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
            for (var yy = 0; yy < l.Ny; yy++)
            {
                var y = forward ? yy : l.Ny - 1 - yy;
                var row = new Row(l, y, z);
                for (var ii = 0; ii < nx; ii++)
                {
                    var i = forward ? ii : nx - 1 - ii;
                    var v = row.R0 + i;
                    Unsafe.Add(ref x, v) = (Unsafe.Add(ref b, v) + row.NeighbourSum(ref wx, ref wy, ref wz, ref x, i, nx)) * Unsafe.Add(ref inv, v);
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
                        f.X[r0 + i] += Overcorrection * cx[cr + (i >> 1)];
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
        public double NeighbourSum(ref float wx, ref float wy, ref float wz, ref double x, int i, int nx)
        {
            var xm = R0 + (i == 0 ? nx - 1 : i - 1);
            var xp = R0 + (i == nx - 1 ? 0 : i + 1);
            var v = R0 + i;
            return Unsafe.Add(ref wx, v) * Unsafe.Add(ref x, xp) + Unsafe.Add(ref wx, xm) * Unsafe.Add(ref x, xm)
                + Unsafe.Add(ref wy, v) * Unsafe.Add(ref x, Ryp + i) + Unsafe.Add(ref wy, Rym + i) * Unsafe.Add(ref x, Rym + i)
                + Unsafe.Add(ref wz, v) * Unsafe.Add(ref x, Rzp + i) + Czm * Unsafe.Add(ref wz, Rzm + i) * Unsafe.Add(ref x, Rzm + i);
        }

        /// <summary>The same sum with the double-precision weights of the CG operator.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double NeighbourSum(ref double wx, ref double wy, ref double wz, ref double x, int i, int nx)
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
            X = coarse ? new double[Count] : [];
            B = coarse ? new double[Count] : [];
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

        /// <summary>Solution and right-hand side of this level's cycle (the caller's vectors on the fine level).</summary>
        public double[] X { get; set; }

        public double[] B { get; set; }

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
