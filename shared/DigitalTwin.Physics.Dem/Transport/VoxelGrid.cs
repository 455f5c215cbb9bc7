// A voxel image of a packing: phase per voxel (0 pore, 1 AM, 2 SE), AM winning where spheres overlap
// (the paper's rule: AM is stiffer). Periodic axes wrap spheres across the box.
namespace DigitalTwin.Physics.Dem.Transport;

public sealed class VoxelGrid
{
    public const byte Pore = 0;
    public const byte Am = 1;
    public const byte Se = 2;

    public VoxelGrid(int nx, int ny, int nz, double voxelSize, bool periodicX, bool periodicY)
    {
        if (nx < 1 || ny < 1 || nz < 2 || (long)nx * ny * nz > 1L << 31 || !(voxelSize > 0))
        {
            throw new DemInputException([$"voxel grid {nx} x {ny} x {nz} at {voxelSize} m: each size must be >= 1 (nz >= 2), at most 2^31 voxels, voxel size > 0"]);
        }

        Nx = nx;
        Ny = ny;
        Nz = nz;
        VoxelSize = voxelSize;
        PeriodicX = periodicX;
        PeriodicY = periodicY;
        Phase = new byte[(long)nx * ny * nz];
    }

    public int Nx { get; }

    public int Ny { get; }

    public int Nz { get; }

    public double VoxelSize { get; }

    public bool PeriodicX { get; }

    public bool PeriodicY { get; }

    /// <summary>Phase per voxel, index (z * Ny + y) * Nx + x.</summary>
    public byte[] Phase { get; }

    public int Index(int x, int y, int z) => (z * Ny + y) * Nx + x;

    public double Fraction(byte phase) => Phase.Count(p => p == phase) / (double)Phase.Length;

    /// <summary>Voxelises spheres in the box [lo, hi] (z from lo[2] to hi[2]); voxel centres inside a sphere take its phase.</summary>
    /// <remarks>With <paramref name="counts"/> the grid has exactly those voxel counts (voxels may then be slightly anisotropic).</remarks>
    public static VoxelGrid FromSpheres(double[] x, double[] y, double[] z, double[] radius, byte[] phase, double[] lo, double[] hi, bool[] periodic, double voxelSize, int[]? counts = null)
    {
        var nx = counts?[0] ?? Math.Max(1, (int)Math.Round((hi[0] - lo[0]) / voxelSize));
        var ny = counts?[1] ?? Math.Max(1, (int)Math.Round((hi[1] - lo[1]) / voxelSize));
        var nz = counts?[2] ?? Math.Max(2, (int)Math.Round((hi[2] - lo[2]) / voxelSize));
        double hx = (hi[0] - lo[0]) / nx, hy = (hi[1] - lo[1]) / ny, hz = (hi[2] - lo[2]) / nz;
        var g = new VoxelGrid(nx, ny, nz, (hx + hy + hz) / 3, periodic[0], periodic[1]);
        // SE first, then AM over it: AM wins overlaps whatever the order of the spheres.
        foreach (var pass in new[] { Se, Am })
        {
            var idx = Enumerable.Range(0, x.Length).Where(i => phase[i] == pass).ToArray();
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, idx.Length, 64), range =>
            {
                for (var k = range.Item1; k < range.Item2; k++)
                {
                    var i = idx[k];
                    Paint(g, x[i] - lo[0], y[i] - lo[1], z[i] - lo[2], radius[i], hx, hy, hz, pass);
                }
            });
        }

        return g;
    }

    private static void Paint(VoxelGrid g, double cx, double cy, double cz, double r, double hx, double hy, double hz, byte value)
    {
        var x0 = (int)Math.Ceiling((cx - r) / hx - 0.5);
        var x1 = (int)Math.Floor((cx + r) / hx - 0.5);
        var y0 = (int)Math.Ceiling((cy - r) / hy - 0.5);
        var y1 = (int)Math.Floor((cy + r) / hy - 0.5);
        var z0 = Math.Max(0, (int)Math.Ceiling((cz - r) / hz - 0.5));
        var z1 = Math.Min(g.Nz - 1, (int)Math.Floor((cz + r) / hz - 0.5));
        if (!g.PeriodicX)
        {
            x0 = Math.Max(0, x0);
            x1 = Math.Min(g.Nx - 1, x1);
        }

        if (!g.PeriodicY)
        {
            y0 = Math.Max(0, y0);
            y1 = Math.Min(g.Ny - 1, y1);
        }

        var r2 = r * r;
        for (var k = z0; k <= z1; k++)
        {
            var dz = (k + 0.5) * hz - cz;
            for (var j = y0; j <= y1; j++)
            {
                var dy = (j + 0.5) * hy - cy;
                var jj = ((j % g.Ny) + g.Ny) % g.Ny;
                for (var i = x0; i <= x1; i++)
                {
                    var dx = (i + 0.5) * hx - cx;
                    if (dx * dx + dy * dy + dz * dz <= r2)
                    {
                        var ii = ((i % g.Nx) + g.Nx) % g.Nx;
                        var v = g.Index(ii, jj, k);
                        // Benign race within one pass: every writer stores the same value.
                        if (value == Am || g.Phase[v] == Pore)
                        {
                            g.Phase[v] = value;
                        }
                    }
                }
            }
        }
    }
}
