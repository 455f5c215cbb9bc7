// Steady conduction/diffusion through the conducting voxels of an image (finite volumes, 7-point stencil,
// harmonic-mean face conductances), potential 0 at z = 0 and 1 at z = L, periodic or sealed laterally. Only
// voxels connected to both electrodes are solved (and stored); CG preconditioned by an aggregation-multigrid W-cycle.
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
    /// 2 s_a s_b/(s_a + s_b); returns sigma_eff/sigma_ref with the volume fraction of every conducting voxel.</summary>
    public static TransportResult SolveComposite(VoxelGrid g, double[] conductivityByPhase, double reference, double tolerance = 1e-10, int maxIterations = 2000)
    {
        var sigma = new double[g.Phase.Length];
        for (var v = 0; v < sigma.Length; v++)
        {
            sigma[v] = conductivityByPhase[g.Phase[v]];
        }

        return SolveField(g, sigma, reference, tolerance, maxIterations, null, default);
    }

    /// <summary>Unit conductivity in <paramref name="phase"/>, zero elsewhere: sigma_eff/sigma of that phase.</summary>
    public static TransportResult Solve(VoxelGrid g, byte phase, double tolerance = 1e-8, int maxIterations = 2000, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        var sigma = new double[g.Phase.Length];
        var planeSize = g.Nx * g.Ny;
        Parallel.For(0, g.Nz, z =>
        {
            for (var v = z * planeSize; v < (z + 1) * planeSize; v++)
            {
                sigma[v] = g.Phase[v] == phase ? 1 : 0;
            }
        });
        return SolveField(g, sigma, 1, tolerance, maxIterations, progress, ct);
    }

    private static TransportResult SolveField(VoxelGrid g, double[] sigma, double reference, double tolerance, int maxIterations, IProgress<double>? progress, CancellationToken ct)
    {
        int nx = g.Nx, ny = g.Ny, nz = g.Nz;
        var total = sigma.Length;
        var conducting = 0L;
        foreach (var s in sigma)
        {
            conducting += s > 0 ? 1 : 0;
        }

        var eta = conducting / (double)total;
        bool[] fromBottom = [], fromTop = [];
        Parallel.Invoke(() => fromBottom = Flood(g, sigma, 0), () => fromTop = Flood(g, sigma, nz - 1));
        var active = new bool[total];
        var count = 0L;
        for (var v = 0; v < total; v++)
        {
            active[v] = fromBottom[v] && fromTop[v];
            count += active[v] ? 1 : 0;
        }

        if (count == 0)
        {
            return new TransportResult(eta, 0, double.PositiveInfinity, double.PositiveInfinity, 0, 0, 0);
        }

        // face conductances to the +x, +y, +z neighbour between active voxels; electrodes at half a voxel
        var wx = new double[total];
        var wy = new double[total];
        var wz = new double[total];
        var ext = new double[total];
        Parallel.For(0, nz, z =>
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    var v = (z * ny + y) * nx + x;
                    if (!active[v])
                    {
                        continue;
                    }

                    var sv = sigma[v];
                    if (x < nx - 1 || (g.PeriodicX && nx > 1))
                    {
                        wx[v] = Face(sv, v - x + (x + 1) % nx);
                    }

                    if (y < ny - 1 || (g.PeriodicY && ny > 1))
                    {
                        wy[v] = Face(sv, ((z * ny) + ((y + 1) % ny)) * nx + x);
                    }

                    if (z < nz - 1)
                    {
                        wz[v] = Face(sv, v + nx * ny);
                    }

                    if (z == 0)
                    {
                        ext[v] += 2 * sv;
                    }

                    if (z == nz - 1)
                    {
                        ext[v] += 2 * sv;
                    }
                }
            }
        });

        var mg = new VoxelMultigrid(nx, ny, nz, g.PeriodicX, g.PeriodicY, wx, wy, wz, ext);
        var voxel = mg.Voxel;
        var n = mg.Count;
        var bc = new double[n + 1];
        var xc = new double[n + 1];
        for (var z = 0; z < nz; z++)
        {
            // right-hand side from the top electrode; the start is the linear profile
            for (var c = mg.PlaneStart(z); c < mg.PlaneStart(z + 1); c++)
            {
                bc[c] = z == nz - 1 ? 2 * sigma[voxel[c]] : 0;
                xc[c] = (z + 0.5) / nz;
            }
        }

        var (iters, rel) = Pcg(mg, bc, xc, tolerance, maxIterations, progress, ct);
        // current through the bottom electrode: conductance 2 sigma to potential 0 over the active voxels of layer 0
        var current = 0.0;
        for (var c = mg.PlaneStart(0); c < mg.PlaneStart(1); c++)
        {
            current += 2 * sigma[voxel[c]] * xc[c];
        }

        // sigma_eff = I L / (A dV) with voxel-size conductances: I * nz / (nx * ny)
        var ratio = current * nz / ((double)nx * ny) / reference;
        return new TransportResult(eta, ratio, ratio > 0 ? eta / ratio : double.PositiveInfinity, ratio > 0 ? Math.Sqrt(eta / ratio) : double.PositiveInfinity,
            count / (double)conducting, iters, rel);

        double Face(double sv, int m) => active[m] ? 2 * sv * sigma[m] / (sv + sigma[m]) : 0;
    }

    /// <summary>Voxels of the phase connected to layer <paramref name="layer"/> (breadth-first, face neighbours, lateral wrap if periodic).</summary>
    private static bool[] Flood(VoxelGrid g, double[] sigma, int layer)
    {
        int nx = g.Nx, ny = g.Ny, nz = g.Nz;
        var plane = nx * ny;
        var seen = new bool[g.Phase.Length];
        var queue = new int[g.Phase.Length];
        int head = 0, tail = 0;
        for (var v = layer * plane; v < (layer + 1) * plane; v++)
        {
            if (sigma[v] > 0)
            {
                seen[v] = true;
                queue[tail++] = v;
            }
        }

        while (head < tail)
        {
            var v = queue[head++];
            var z = v / plane;
            var rem = v - z * plane;
            var y = rem / nx;
            var x = rem - y * nx;
            var row = v - x;
            if (x > 0)
            {
                Visit(v - 1);
            }
            else if (g.PeriodicX)
            {
                Visit(row + nx - 1);
            }

            if (x < nx - 1)
            {
                Visit(v + 1);
            }
            else if (g.PeriodicX)
            {
                Visit(row);
            }

            if (y > 0)
            {
                Visit(v - nx);
            }
            else if (g.PeriodicY)
            {
                Visit(v + (ny - 1) * nx);
            }

            if (y < ny - 1)
            {
                Visit(v + nx);
            }
            else if (g.PeriodicY)
            {
                Visit(v - (ny - 1) * nx);
            }

            if (z > 0)
            {
                Visit(v - plane);
            }

            if (z < nz - 1)
            {
                Visit(v + plane);
            }
        }

        return seen;

        void Visit(int m)
        {
            if (!seen[m] && sigma[m] > 0)
            {
                seen[m] = true;
                queue[tail++] = m;
            }
        }
    }

    /// <summary>Multigrid-preconditioned CG on the active voxels (vectors of mg.Count + 1, the last entry 0); reductions
    /// over fixed chunks so results do not depend on threads; p·Ap comes with the product, r·r with the update.</summary>
    private static (int Iterations, double Relative) Pcg(VoxelMultigrid mg, double[] b, double[] x, double tol, int maxIt,
        IProgress<double>? progress, CancellationToken ct)
    {
        var n = mg.Count;
        var chunks = (n + Chunk - 1) / Chunk;
        var r = new double[n + 1];
        var z = new double[n + 1];
        var p = new double[n + 1];
        var q = new double[n + 1];
        var partial = new double[chunks];
        mg.Apply(x, q);
        Parallel.For(0, chunks, c =>
        {
            for (var k = c * Chunk; k < Math.Min(n, (c + 1) * Chunk); k++)
            {
                r[k] = b[k] - q[k];
            }
        });
        var bnorm = Math.Sqrt(Dot(b, b, n, partial, chunks));
        var rel = Math.Sqrt(Dot(r, r, n, partial, chunks)) / bnorm;
        mg.Precondition(r, z);
        Array.Copy(z, p, n + 1);
        var rz = Dot(r, z, n, partial, chunks);
        var it = 0;
        while (rel > tol && it < maxIt)
        {
            ct.ThrowIfCancellationRequested();
            var alpha = rz / mg.Apply(p, q);
            Parallel.For(0, chunks, c =>
            {
                var e = Math.Min(n, (c + 1) * Chunk);
                var rr = 0.0;
                for (var k = c * Chunk; k < e; k++)
                {
                    x[k] += alpha * p[k];
                    var rk = r[k] - alpha * q[k];
                    r[k] = rk;
                    rr += rk * rk;
                }

                partial[c] = rr;
            });
            rel = Math.Sqrt(Sum(partial)) / bnorm;
            it++;
            if (rel <= tol)
            {
                break;
            }

            mg.Precondition(r, z);
            var rzNew = Dot(r, z, n, partial, chunks);
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
            progress?.Report(Math.Clamp(Math.Log(rel) / Math.Log(tol), 0, 1));
        }

        return (it, rel);
    }

    private static double Dot(double[] a, double[] b, int n, double[] partial, int chunks)
    {
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
