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

    // Not-a-knot: third derivative continuous at x_1 and x_{n-2}. Solved as a dense-free banded system.
    private static double[] NotAKnotSecondDerivatives(double[] x, double[] y)
    {
        var n = x.Length;
        var h = new double[n - 1];
        for (var i = 0; i < n - 1; i++)
        {
            h[i] = x[i + 1] - x[i];
        }

        // Unknowns M_0..M_{n-1}. Rows 1..n-2: h_{i-1} M_{i-1} + 2(h_{i-1}+h_i) M_i + h_i M_{i+1} = 6(s_i - s_{i-1}).
        // Row 0: h_1 M_0 - (h_0+h_1) M_1 + h_0 M_2 = 0; row n-1 likewise. Eliminate to make it tridiagonal.
        var sub = new double[n];
        var diag = new double[n];
        var sup = new double[n];
        var rhs = new double[n];
        for (var i = 1; i < n - 1; i++)
        {
            sub[i] = h[i - 1];
            diag[i] = 2 * (h[i - 1] + h[i]);
            sup[i] = h[i];
            rhs[i] = 6 * ((y[i + 1] - y[i]) / h[i] - (y[i] - y[i - 1]) / h[i - 1]);
        }

        // Row 0 has an extra entry at M_2: remove it with row 1.
        {
            double r0a = h[1], r0b = -(h[0] + h[1]), r0c = h[0];
            var f = r0c / sup[1];
            diag[0] = r0a - f * sub[1];
            sup[0] = r0b - f * diag[1];
            rhs[0] = -f * rhs[1];
        }

        {
            double ra = h[n - 2], rb = -(h[n - 3] + h[n - 2]), rc = h[n - 3]; // coefficients of M_{n-3}, M_{n-2}, M_{n-1}
            var f = ra / sub[n - 2];
            sub[n - 1] = rb - f * diag[n - 2];
            diag[n - 1] = rc - f * sup[n - 2];
            rhs[n - 1] = -f * rhs[n - 2];
        }

        var m = new double[n];
        Tridiagonal.Solve(sub, diag, sup, rhs, m, new double[n]);
        return m;
    }
}
