// 1-D interpolation of tabulated data: linear (BPX tables) or cubic not-a-knot spline (PyBaMM's CSV tables,
// scipy CubicSpline). Outside the table the end polynomial is extended, as scipy does.
namespace DigitalTwin.Physics.Electrochem.Numerics;

public sealed class Interpolant
{
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly double[]? _m; // second derivatives at the knots (cubic only)

    public Interpolant(IReadOnlyList<double> x, IReadOnlyList<double> y, bool cubic)
    {
        if (x.Count != y.Count || x.Count < 2)
        {
            throw new ArgumentException($"A table needs at least two (x, y) pairs of equal length; got {x.Count} x and {y.Count} y values.");
        }

        var order = Enumerable.Range(0, x.Count).OrderBy(i => x[i]).ToArray();
        _x = order.Select(i => x[i]).ToArray();
        _y = order.Select(i => y[i]).ToArray();
        for (var i = 1; i < _x.Length; i++)
        {
            if (!(_x[i] > _x[i - 1]))
            {
                throw new ArgumentException($"Table x values must be distinct; {_x[i]} appears twice.");
            }
        }

        Cubic = cubic && _x.Length >= 4;
        if (Cubic)
        {
            _m = NotAKnotSecondDerivatives(_x, _y);
        }
    }

    public bool Cubic { get; }

    public IReadOnlyList<double> X => _x;

    public IReadOnlyList<double> Y => _y;

    public double Evaluate(double x)
    {
        var n = _x.Length;
        int i;
        if (x <= _x[0])
        {
            i = 0;
        }
        else if (x >= _x[n - 1])
        {
            i = n - 2;
        }
        else
        {
            var lo = 0;
            var hi = n - 1;
            while (hi - lo > 1)
            {
                var mid = (lo + hi) >> 1;
                if (_x[mid] <= x)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid;
                }
            }

            i = lo;
        }

        var h = _x[i + 1] - _x[i];
        var t = x - _x[i];
        if (_m is null)
        {
            return _y[i] + (_y[i + 1] - _y[i]) * t / h;
        }

        // Cubic on [x_i, x_i+1] from knot values and second derivatives.
        var a = _y[i];
        var b = (_y[i + 1] - _y[i]) / h - h * (2 * _m[i] + _m[i + 1]) / 6;
        var c = _m[i] / 2;
        var d = (_m[i + 1] - _m[i]) / (6 * h);
        return a + t * (b + t * (c + t * d));
    }

    // Not-a-knot: third derivative continuous at x_1 and x_{n-2}. M_0 and M_{n-1} are written through their
    // neighbours and substituted into rows 1 and n-2, leaving a tridiagonal system for M_1..M_{n-2}.
    private static double[] NotAKnotSecondDerivatives(double[] x, double[] y)
    {
        var n = x.Length;
        var h = new double[n - 1];
        for (var i = 0; i < n - 1; i++)
        {
            h[i] = x[i + 1] - x[i];
        }

        var k = n - 2;
        var sub = new double[k];
        var diag = new double[k];
        var sup = new double[k];
        var rhs = new double[k];
        for (var r = 0; r < k; r++)
        {
            var i = r + 1;
            sub[r] = h[i - 1];
            diag[r] = 2 * (h[i - 1] + h[i]);
            sup[r] = h[i];
            rhs[r] = 6 * ((y[i + 1] - y[i]) / h[i] - (y[i] - y[i - 1]) / h[i - 1]);
        }

        // M_0 = ((h0 + h1) M_1 - h0 M_2) / h1 ; M_{n-1} = ((h_{n-3} + h_{n-2}) M_{n-2} - h_{n-2} M_{n-3}) / h_{n-3}.
        diag[0] += sub[0] * (h[0] + h[1]) / h[1];
        sup[0] -= sub[0] * h[0] / h[1];
        sub[0] = 0;
        var a = h[n - 3];
        var b = h[n - 2];
        diag[k - 1] += sup[k - 1] * (a + b) / a;
        if (k > 1)
        {
            sub[k - 1] -= sup[k - 1] * b / a;
        }

        sup[k - 1] = 0;
        var inner = new double[k];
        Tridiagonal.Solve(sub, diag, sup, rhs, inner, new double[k]);
        var m = new double[n];
        Array.Copy(inner, 0, m, 1, k);
        m[0] = ((h[0] + h[1]) * m[1] - h[0] * m[2]) / h[1];
        m[n - 1] = ((a + b) * m[n - 2] - b * m[n - 3]) / a;
        return m;
    }
}
