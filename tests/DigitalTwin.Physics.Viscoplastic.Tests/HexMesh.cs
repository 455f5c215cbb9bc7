// Minimal small-strain 8-node hexahedral FE model (2×2×2 Gauss points, dense stiffness) used only to check that
// the law's consistent tangent gives quadratic convergence of a global Newton solve.
using DigitalTwin.Physics.Viscoplastic.Drivers;
using DigitalTwin.Physics.Viscoplastic.Laws;

namespace DigitalTwin.Physics.Viscoplastic.Tests;

internal sealed class HexMesh
{
    private readonly int _nx, _ny, _nz;
    private readonly double _h;
    private readonly PerzynaLudwik _law;
    private readonly double[] _u;
    private readonly double[] _swelling;
    private readonly double[][] _plastic;
    private readonly double[] _p;
    private static readonly double[] Gauss = [-1 / Math.Sqrt(3), 1 / Math.Sqrt(3)];

    public HexMesh(int nx, int ny, int nz, double h, PerzynaLudwik law)
    {
        (_nx, _ny, _nz, _h, _law) = (nx, ny, nz, h, law);
        _u = new double[3 * (nx + 1) * (ny + 1) * (nz + 1)];
        _swelling = new double[nx * ny * nz];
        _plastic = Enumerable.Range(0, nx * ny * nz * 8).Select(_ => new double[6]).ToArray();
        _p = new double[nx * ny * nz * 8];
    }

    public int PlasticPoints { get; private set; }

    public void SetSwelling(int element, double strain) => _swelling[element] = strain;

    private int Node(int i, int j, int k) => i + (_nx + 1) * (j + (_ny + 1) * k);

    /// <summary>One Newton-solved load step: bottom face clamped, top face pulled by δ in z. Returns ‖r‖ per iteration.</summary>
    public double[] Solve(double topDisplacement, double timeStep)
    {
        var n = _u.Length;
        var fixedDof = new bool[n];
        for (var i = 0; i <= _nx; i++)
        {
            for (var j = 0; j <= _ny; j++)
            {
                for (var d = 0; d < 3; d++)
                {
                    fixedDof[3 * Node(i, j, 0) + d] = true;
                }

                fixedDof[3 * Node(i, j, _nz) + 2] = true;
                _u[3 * Node(i, j, _nz) + 2] = topDisplacement;
            }
        }

        var residuals = new List<double>();
        for (var it = 0; it < 15; it++)
        {
            var k = new double[n * n];
            var r = new double[n];
            Assemble(k, r, timeStep);
            var norm = 0.0;
            for (var a = 0; a < n; a++)
            {
                if (!fixedDof[a])
                {
                    norm += r[a] * r[a];
                }
            }

            residuals.Add(Math.Sqrt(norm));
            if (residuals[^1] < 1e-13 * residuals[0])
            {
                break;
            }

            for (var a = 0; a < n; a++)
            {
                if (fixedDof[a])
                {
                    for (var b = 0; b < n; b++)
                    {
                        k[a * n + b] = 0;
                        k[b * n + a] = 0;
                    }

                    k[a * n + a] = 1;
                    r[a] = 0;
                }
                else
                {
                    r[a] = -r[a];
                }
            }

            DenseSolve.Solve(k, r, n);
            for (var a = 0; a < n; a++)
            {
                _u[a] += r[a];
            }
        }

        return [.. residuals];
    }

    // The state at the Gauss points stays at the start of the step: one load step from the stored state.
    private void Assemble(double[] k, double[] r, double dt)
    {
        var n = _u.Length;
        var b = new double[6 * 24];
        var strain = new double[6];
        var stress = new double[6];
        var tangent = new double[36];
        var dofs = new int[24];
        var plastic = new double[6];
        PlasticPoints = 0;
        var detJ = Math.Pow(_h / 2, 3);
        for (var ez = 0; ez < _nz; ez++)
        {
            for (var ey = 0; ey < _ny; ey++)
            {
                for (var ex = 0; ex < _nx; ex++)
                {
                    var e = ex + _nx * (ey + _ny * ez);
                    for (var c = 0; c < 8; c++)
                    {
                        var node = Node(ex + (c & 1), ey + ((c >> 1) & 1), ez + ((c >> 2) & 1));
                        for (var d = 0; d < 3; d++)
                        {
                            dofs[3 * c + d] = 3 * node + d;
                        }
                    }

                    var gp = 0;
                    foreach (var gz in Gauss)
                    {
                        foreach (var gy in Gauss)
                        {
                            foreach (var gx in Gauss)
                            {
                                Array.Clear(b);
                                for (var c = 0; c < 8; c++)
                                {
                                    double sx = (c & 1) == 1 ? 1 : -1, sy = ((c >> 1) & 1) == 1 ? 1 : -1, sz = ((c >> 2) & 1) == 1 ? 1 : -1;
                                    var dx = sx * (1 + sy * gy) * (1 + sz * gz) / 8 * 2 / _h;
                                    var dy = sy * (1 + sx * gx) * (1 + sz * gz) / 8 * 2 / _h;
                                    var dz = sz * (1 + sx * gx) * (1 + sy * gy) / 8 * 2 / _h;
                                    var col = 3 * c;
                                    b[0 * 24 + col] = dx;
                                    b[1 * 24 + col + 1] = dy;
                                    b[2 * 24 + col + 2] = dz;
                                    b[3 * 24 + col + 1] = dz;
                                    b[3 * 24 + col + 2] = dy;
                                    b[4 * 24 + col] = dz;
                                    b[4 * 24 + col + 2] = dx;
                                    b[5 * 24 + col] = dy;
                                    b[5 * 24 + col + 1] = dx;
                                }

                                for (var i = 0; i < 6; i++)
                                {
                                    var s = 0.0;
                                    for (var a = 0; a < 24; a++)
                                    {
                                        s += b[i * 24 + a] * _u[dofs[a]];
                                    }

                                    strain[i] = s;
                                }

                                var q = e * 8 + gp++;
                                _plastic[q].CopyTo(plastic, 0);
                                var p = _p[q];
                                var sw = _swelling[e];
                                if (_law.Update(strain, [sw, sw, sw, 0, 0, 0], dt, plastic, ref p, stress, tangent) == UpdateStatus.Plastic)
                                {
                                    PlasticPoints++;
                                }

                                for (var a = 0; a < 24; a++)
                                {
                                    var f = 0.0;
                                    for (var i = 0; i < 6; i++)
                                    {
                                        f += b[i * 24 + a] * stress[i];
                                    }

                                    r[dofs[a]] += f * detJ;
                                    for (var c2 = 0; c2 < 24; c2++)
                                    {
                                        var kk = 0.0;
                                        for (var i = 0; i < 6; i++)
                                        {
                                            var cb = 0.0;
                                            for (var j = 0; j < 6; j++)
                                            {
                                                cb += tangent[i * 6 + j] * b[j * 24 + c2];
                                            }

                                            kk += b[i * 24 + a] * cb;
                                        }

                                        k[dofs[a] * n + dofs[c2]] += kk * detJ;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
