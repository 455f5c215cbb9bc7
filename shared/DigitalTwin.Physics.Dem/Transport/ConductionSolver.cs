// Steady conduction/diffusion through one phase of a voxel image (finite volumes, 7-point stencil,
// unit conductance inside the phase, zero elsewhere), potential 0 at z = 0 and 1 at z = L, periodic
// or sealed laterally. Only voxels connected to both electrodes are solved; Jacobi-preconditioned CG.
namespace DigitalTwin.Physics.Dem.Transport;

/// <summary>Effective transport of one phase: sigma_eff/sigma (= D_eff/D), volume fraction, tortuosity.</summary>
/// <param name="PhaseFraction">Volume fraction eta of the phase.</param>
/// <param name="EffectiveRatio">sigma_eff/sigma_phase (or D_eff/D_phase).</param>
/// <param name="TortuosityFactor">eta / (sigma_eff/sigma): the common tortuosity factor.</param>
/// <param name="Tortuosity">sqrt(eta / (D_eff/D)): the paper's tau (seed 004 §2.7).</param>
/// <param name="PercolatingFraction">Fraction of the phase connected to both electrodes.</param>
/// <param name="Iterations">PCG iterations.</param>
/// <param name="RelativeResidual">Final ||r||/||b||.</param>
public sealed record TransportResult(double PhaseFraction, double EffectiveRatio, double TortuosityFactor, double Tortuosity, double PercolatingFraction, int Iterations, double RelativeResidual);

public static class ConductionSolver
{
    private const int Chunk = 8192;

    /// <summary>Multi-phase conduction: conductivity per phase value (0 = insulating), harmonic-mean face conductances
    /// 2 s_a s_b/(s_a + s_b); returns sigma_eff/sigma_ref with the phase fraction of every conducting voxel.</summary>
    public static TransportResult SolveComposite(VoxelGrid g, double[] conductivityByPhase, double reference, double tolerance = 1e-10, int maxIterations = 20000)
    {
        int nx = g.Nx, ny = g.Ny, nz = g.Nz;
        var total = g.Phase.Length;
        var sigma = new double[total];
        var conducting = 0L;
        for (var v = 0; v < total; v++)
        {
            sigma[v] = conductivityByPhase[g.Phase[v]];
            conducting += sigma[v] > 0 ? 1 : 0;
        }

        var map = new int[total];
        var count = 0;
        for (var v = 0; v < total; v++)
        {
            map[v] = sigma[v] > 0 ? count++ : -1;
        }

        var cells = new int[count];
        for (var v = 0; v < total; v++)
        {
            if (map[v] >= 0)
            {
                cells[map[v]] = v;
            }
        }

        var nbr = new int[6 * count];
        var w = new double[6 * count];
        var diag = new double[count];
        var b = new double[count];
        for (var k = 0; k < count; k++)
        {
            var v = cells[k];
            int x = v % nx, y = v / nx % ny, z = v / (nx * ny);
            var sv = sigma[v];
            int[][] offsets = [[-1, 0, 0], [1, 0, 0], [0, -1, 0], [0, 1, 0], [0, 0, -1], [0, 0, 1]];
            for (var s = 0; s < 6; s++)
            {
                int xx = x + offsets[s][0], yy = y + offsets[s][1], zz = z + offsets[s][2];
                if (g.PeriodicX)
                {
                    xx = (xx + nx) % nx;
                }

                if (g.PeriodicY)
                {
                    yy = (yy + ny) % ny;
                }

                var m = xx >= 0 && xx < nx && yy >= 0 && yy < ny && zz >= 0 && zz < nz ? map[(zz * ny + yy) * nx + xx] : -1;
                nbr[6 * k + s] = m >= 0 ? m : k;
                if (m >= 0)
                {
                    var so = sigma[cells[m]];
                    w[6 * k + s] = 2 * sv * so / (sv + so);
                    diag[k] += w[6 * k + s];
                }
            }

            if (z == 0)
            {
                diag[k] += 2 * sv;
            }

            if (z == nz - 1)
            {
                diag[k] += 2 * sv;
                b[k] = 2 * sv;
            }
        }

        var xs = new double[count];
        var op = new WeightedOperator(nbr, w, diag);
        var (iters, rel) = Pcg(op, diag, b, xs, tolerance, maxIterations, null, default);
        var current = 0.0;
        for (var k = 0; k < count; k++)
        {
            if (cells[k] < nx * ny)
            {
                current += 2 * sigma[cells[k]] * xs[k];
            }
        }

        var ratio = current * nz / ((double)nx * ny) / reference;
        var eta = conducting / (double)total;
        return new TransportResult(eta, ratio, eta / ratio, Math.Sqrt(eta / ratio), 1, iters, rel);
    }

    public static TransportResult Solve(VoxelGrid g, byte phase, double tolerance = 1e-8, int maxIterations = 20000, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        int nx = g.Nx, ny = g.Ny, nz = g.Nz;
        var total = g.Phase.Length;
        var inPhase = 0L;
        foreach (var p in g.Phase)
        {
            inPhase += p == phase ? 1 : 0;
        }

        var eta = inPhase / (double)total;
        var fromBottom = Flood(g, phase, 0);
        var fromTop = Flood(g, phase, nz - 1);
        var map = new int[total];
        var count = 0;
        for (var v = 0; v < total; v++)
        {
            map[v] = fromBottom[v] && fromTop[v] ? count++ : -1;
        }

        if (count == 0)
        {
            return new TransportResult(eta, 0, double.PositiveInfinity, double.PositiveInfinity, 0, 0, 0);
        }

        // compact operator: 6 neighbour indices (self where no conducting face) and the diagonal
        var nbr = new int[6 * count];
        var diag = new double[count];
        var b = new double[count];
        var cells = new int[count];
        for (var v = 0; v < total; v++)
        {
            if (map[v] >= 0)
            {
                cells[map[v]] = v;
            }
        }

        Parallel.For(0, (count + Chunk - 1) / Chunk, c =>
        {
            for (var k = c * Chunk; k < Math.Min(count, (c + 1) * Chunk); k++)
            {
                var v = cells[k];
                var x = v % nx;
                var y = v / nx % ny;
                var z = v / (nx * ny);
                var d = 0.0;
                var slot = 6 * k;
                Link(x - 1, y, z, g.PeriodicX, true);
                Link(x + 1, y, z, g.PeriodicX, true);
                Link(x, y - 1, z, g.PeriodicY, false);
                Link(x, y + 1, z, g.PeriodicY, false);
                Link(x, y, z - 1, false, false);
                Link(x, y, z + 1, false, false);
                if (z == 0)
                {
                    d += 2;
                }

                if (z == nz - 1)
                {
                    d += 2;
                    b[k] = 2;
                }

                diag[k] = d;

                void Link(int xx, int yy, int zz, bool periodic, bool isX)
                {
                    if (isX && periodic)
                    {
                        xx = (xx + nx) % nx;
                    }
                    else if (!isX && periodic)
                    {
                        yy = (yy + ny) % ny;
                    }

                    int m = -1;
                    if (xx >= 0 && xx < nx && yy >= 0 && yy < ny && zz >= 0 && zz < nz)
                    {
                        m = map[(zz * ny + yy) * nx + xx];
                    }

                    if (m >= 0)
                    {
                        nbr[slot++] = m;
                        d += 1;
                    }
                    else
                    {
                        nbr[slot++] = k;
                    }
                }
            }
        });

        // y = (diag + missing) x - sum x[nbr]: self-links cancel, no branch in the kernel
        var diagPlus = new double[count];
        for (var k = 0; k < count; k++)
        {
            var self = 0;
            for (var s = 0; s < 6; s++)
            {
                self += nbr[6 * k + s] == k ? 1 : 0;
            }

            diagPlus[k] = diag[k] + self;
        }

        var xs = new double[count];
        for (var k = 0; k < count; k++)
        {
            xs[k] = (cells[k] / (nx * ny) + 0.5) / nz;
        }

        var (iters, rel) = Pcg(new UnitOperator(nbr, diagPlus), diag, b, xs, tolerance, maxIterations, progress, ct);
        // current through the bottom electrode: sum of 2 (phi - 0) over conducting voxels of layer 0
        var current = 0.0;
        for (var k = 0; k < count; k++)
        {
            if (cells[k] < nx * ny)
            {
                current += 2 * xs[k];
            }
        }

        // sigma_eff = I L / (A dV) with unit voxel conductance: I * nz / (nx * ny)
        var ratio = current * nz / ((double)nx * ny);
        return new TransportResult(eta, ratio, ratio > 0 ? eta / ratio : double.PositiveInfinity, ratio > 0 ? Math.Sqrt(eta / ratio) : double.PositiveInfinity,
            inPhase > 0 ? count / (double)inPhase : 0, iters, rel);
    }

    private static bool[] Flood(VoxelGrid g, byte phase, int layer)
    {
        int nx = g.Nx, ny = g.Ny, nz = g.Nz;
        var seen = new bool[g.Phase.Length];
        var queue = new Queue<int>();
        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                var v = g.Index(x, y, layer);
                if (g.Phase[v] == phase)
                {
                    seen[v] = true;
                    queue.Enqueue(v);
                }
            }
        }

        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            var x = v % nx;
            var y = v / nx % ny;
            var z = v / (nx * ny);
            Visit(x - 1, y, z);
            Visit(x + 1, y, z);
            Visit(x, y - 1, z);
            Visit(x, y + 1, z);
            Visit(x, y, z - 1);
            Visit(x, y, z + 1);
        }

        return seen;

        void Visit(int x, int y, int z)
        {
            if (g.PeriodicX)
            {
                x = (x + nx) % nx;
            }

            if (g.PeriodicY)
            {
                y = (y + ny) % ny;
            }

            if (x < 0 || x >= nx || y < 0 || y >= ny || z < 0 || z >= nz)
            {
                return;
            }

            var v = (z * ny + y) * nx + x;
            if (!seen[v] && g.Phase[v] == phase)
            {
                seen[v] = true;
                queue.Enqueue(v);
            }
        }
    }

    /// <summary>Jacobi-preconditioned CG; reductions over fixed chunks so results do not depend on threads.</summary>
    internal static (int Iterations, double Relative) Pcg<TOp>(TOp op, double[] diag, double[] b, double[] x, double tol, int maxIt,
        IProgress<double>? progress, CancellationToken ct)
        where TOp : struct, IVoxelOperator
    {
        var n = b.Length;
        var chunks = (n + Chunk - 1) / Chunk;
        var r = new double[n];
        var z = new double[n];
        var p = new double[n];
        var q = new double[n];
        var partial = new double[chunks];
        var inv = new double[n];
        for (var k = 0; k < n; k++)
        {
            inv[k] = 1.0 / diag[k];
        }

        op.Apply(x, q, chunks);
        for (var k = 0; k < n; k++)
        {
            r[k] = b[k] - q[k];
            z[k] = inv[k] * r[k];
            p[k] = z[k];
        }

        var bnorm = Math.Sqrt(Dot(b, b, partial, chunks));
        var rz = Dot(r, z, partial, chunks);
        var rel = Math.Sqrt(Dot(r, r, partial, chunks)) / bnorm;
        var it = 0;
        while (rel > tol && it < maxIt)
        {
            ct.ThrowIfCancellationRequested();
            op.Apply(p, q, chunks);
            var alpha = rz / Dot(p, q, partial, chunks);
            Parallel.For(0, chunks, c =>
            {
                var e = Math.Min(n, (c + 1) * Chunk);
                var rr = 0.0;
                for (var k = c * Chunk; k < e; k++)
                {
                    x[k] += alpha * p[k];
                    r[k] -= alpha * q[k];
                    z[k] = inv[k] * r[k];
                    rr += r[k] * r[k];
                }

                partial[c] = rr;
            });
            rel = Math.Sqrt(Sum(partial)) / bnorm;
            var rzNew = Dot(r, z, partial, chunks);
            var beta = rzNew / rz;
            rz = rzNew;
            Parallel.For(0, chunks, c =>
            {
                var e = Math.Min(n, (c + 1) * Chunk);
                for (var k = c * Chunk; k < e; k++)
                {
                    p[k] = z[k] + beta * p[k];
                }
            });
            it++;
            if (it % 50 == 0)
            {
                progress?.Report(Math.Clamp(Math.Log(rel) / Math.Log(tol), 0, 1));
            }
        }

        return (it, rel);
    }

    internal interface IVoxelOperator
    {
        void Apply(double[] x, double[] y, int chunks);
    }

    /// <summary>Unit face conductances: y = (diag + self links) x - sum of the 6 neighbours (self links cancel).</summary>
    internal readonly struct UnitOperator(int[] nbr, double[] diagPlus) : IVoxelOperator
    {
        public void Apply(double[] x, double[] y, int chunks)
        {
            var n = x.Length;
            var nb = nbr;
            var dp = diagPlus;
            Parallel.For(0, chunks, c =>
            {
                var e = Math.Min(n, (c + 1) * Chunk);
                for (var k = c * Chunk; k < e; k++)
                {
                    var s = 6 * k;
                    y[k] = dp[k] * x[k] - (x[nb[s]] + x[nb[s + 1]] + x[nb[s + 2]] + x[nb[s + 3]] + x[nb[s + 4]] + x[nb[s + 5]]);
                }
            });
        }
    }

    /// <summary>Weighted faces (multi-phase): y = diag x - sum w x[nbr] (missing faces have weight 0).</summary>
    internal readonly struct WeightedOperator(int[] nbr, double[] w, double[] diag) : IVoxelOperator
    {
        public void Apply(double[] x, double[] y, int chunks)
        {
            var n = x.Length;
            var nb = nbr;
            var ww = w;
            var d = diag;
            Parallel.For(0, chunks, c =>
            {
                var e = Math.Min(n, (c + 1) * Chunk);
                for (var k = c * Chunk; k < e; k++)
                {
                    var s = 6 * k;
                    y[k] = d[k] * x[k] - (ww[s] * x[nb[s]] + ww[s + 1] * x[nb[s + 1]] + ww[s + 2] * x[nb[s + 2]] + ww[s + 3] * x[nb[s + 3]] + ww[s + 4] * x[nb[s + 4]] + ww[s + 5] * x[nb[s + 5]]);
                }
            });
        }
    }

    private static double Dot(double[] a, double[] b, double[] partial, int chunks)
    {
        var n = a.Length;
        Parallel.For(0, chunks, c =>
        {
            var e = Math.Min(n, (c + 1) * Chunk);
            var s = 0.0;
            for (var k = c * Chunk; k < e; k++)
            {
                s += a[k] * b[k];
            }

            partial[c] = s;
        });
        return Sum(partial);
    }

    private static double Sum(double[] partial)
    {
        var s = 0.0;
        foreach (var v in partial)
        {
            s += v;
        }

        return s;
    }
}
