// Block-tridiagonal solver with 3x3 blocks (block Thomas): one factorisation, any number of right-hand sides.
// Block (r, c) of row i is stored at i*9 + r*3 + c. No pivoting across blocks; each 3x3 pivot block is inverted
// by cofactors, which is exact for the diagonally dominant DFN blocks.
using System.Runtime.CompilerServices;
namespace DigitalTwin.Physics.Electrochem.Numerics;

public sealed class BlockTridiagonal3
{
    private readonly int _n;
    private readonly double[] _inv;
    private readonly double[] _mult;
    private readonly double[] _tmp = new double[9];

    public BlockTridiagonal3(int n)
    {
        _n = n;
        Lower = new double[n * 9];
        Diagonal = new double[n * 9];
        Upper = new double[n * 9];
        _inv = new double[n * 9];
        _mult = new double[n * 9];
    }

    public int Size => _n;

    /// <summary>After Factor returned false: the block row whose pivot was singular (or not finite).</summary>
    public int FailedBlock { get; private set; } = -1;

    public double[] Lower { get; }

    public double[] Diagonal { get; }

    public double[] Upper { get; }

    public void Clear()
    {
        Array.Clear(Lower);
        Array.Clear(Diagonal);
        Array.Clear(Upper);
    }

    /// <summary>Factorises; returns false if a pivot block is singular.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Factor()
    {
        FailedBlock = -1;
        var d = _tmp;
        Array.Copy(Diagonal, 0, d, 0, 9);
        if (!Invert(d, _inv, 0))
        {
            FailedBlock = 0;
            return false;
        }

        for (var i = 1; i < _n; i++)
        {
            var o = i * 9;
            var po = (i - 1) * 9;
            // M_i = L_i * inv_{i-1}
            for (var r = 0; r < 3; r++)
            {
                for (var c = 0; c < 3; c++)
                {
                    _mult[o + r * 3 + c] = Lower[o + r * 3] * _inv[po + c] + Lower[o + r * 3 + 1] * _inv[po + 3 + c] + Lower[o + r * 3 + 2] * _inv[po + 6 + c];
                }
            }

            // D'_i = D_i - M_i * U_{i-1}
            for (var r = 0; r < 3; r++)
            {
                for (var c = 0; c < 3; c++)
                {
                    d[r * 3 + c] = Diagonal[o + r * 3 + c]
                        - (_mult[o + r * 3] * Upper[po + c] + _mult[o + r * 3 + 1] * Upper[po + 3 + c] + _mult[o + r * 3 + 2] * Upper[po + 6 + c]);
                }
            }

            if (!Invert(d, _inv, o))
            {
                FailedBlock = i;
                return false;
            }
        }

        return true;
    }

    /// <summary>Solves in place: x holds the right-hand side on entry and the solution on return (length 3n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Solve(Span<double> x)
    {
        for (var i = 1; i < _n; i++)
        {
            var o = i * 9;
            var b = i * 3;
            double y0 = x[b - 3], y1 = x[b - 2], y2 = x[b - 1];
            x[b] -= _mult[o] * y0 + _mult[o + 1] * y1 + _mult[o + 2] * y2;
            x[b + 1] -= _mult[o + 3] * y0 + _mult[o + 4] * y1 + _mult[o + 5] * y2;
            x[b + 2] -= _mult[o + 6] * y0 + _mult[o + 7] * y1 + _mult[o + 8] * y2;
        }

        for (var i = _n - 1; i >= 0; i--)
        {
            var o = i * 9;
            var b = i * 3;
            double r0 = x[b], r1 = x[b + 1], r2 = x[b + 2];
            if (i < _n - 1)
            {
                double n0 = x[b + 3], n1 = x[b + 4], n2 = x[b + 5];
                r0 -= Upper[o] * n0 + Upper[o + 1] * n1 + Upper[o + 2] * n2;
                r1 -= Upper[o + 3] * n0 + Upper[o + 4] * n1 + Upper[o + 5] * n2;
                r2 -= Upper[o + 6] * n0 + Upper[o + 7] * n1 + Upper[o + 8] * n2;
            }

            x[b] = _inv[o] * r0 + _inv[o + 1] * r1 + _inv[o + 2] * r2;
            x[b + 1] = _inv[o + 3] * r0 + _inv[o + 4] * r1 + _inv[o + 5] * r2;
            x[b + 2] = _inv[o + 6] * r0 + _inv[o + 7] * r1 + _inv[o + 8] * r2;
        }
    }

    private static bool Invert(double[] a, double[] inv, int o)
    {
        var c00 = a[4] * a[8] - a[5] * a[7];
        var c01 = a[5] * a[6] - a[3] * a[8];
        var c02 = a[3] * a[7] - a[4] * a[6];
        var det = a[0] * c00 + a[1] * c01 + a[2] * c02;
        if (det == 0 || double.IsNaN(det))
        {
            return false;
        }

        var id = 1 / det;
        inv[o] = c00 * id;
        inv[o + 1] = (a[2] * a[7] - a[1] * a[8]) * id;
        inv[o + 2] = (a[1] * a[5] - a[2] * a[4]) * id;
        inv[o + 3] = c01 * id;
        inv[o + 4] = (a[0] * a[8] - a[2] * a[6]) * id;
        inv[o + 5] = (a[2] * a[3] - a[0] * a[5]) * id;
        inv[o + 6] = c02 * id;
        inv[o + 7] = (a[1] * a[6] - a[0] * a[7]) * id;
        inv[o + 8] = (a[0] * a[4] - a[1] * a[3]) * id;
        return true;
    }
}
