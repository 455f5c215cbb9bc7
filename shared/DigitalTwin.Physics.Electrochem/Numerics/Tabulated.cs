// A parameter function of one variable (others fixed, e.g. T in an isothermal run) sampled once onto a fine
// uniform grid and read back by cubic Hermite interpolation: value and slope in a few nanoseconds in the hot loop.
// Outside the grid it falls back to the original function, so nothing is clipped.
using System.Runtime.CompilerServices;
namespace DigitalTwin.Physics.Electrochem.Numerics;

public sealed class Tabulated
{
    private readonly Func<double, double> _f;
    private readonly double _a;
    private readonly double _b;
    private readonly double _h;
    private readonly double _invH;
    private readonly double[] _v;
    private readonly double[] _d;
    private readonly bool _constant;
    private readonly double _c;

    public Tabulated(Func<double, double> f, double a, double b, int intervals = 4000)
    {
        _f = f;
        _a = a;
        _b = b;
        _h = (b - a) / intervals;
        _invH = 1 / _h;
        _v = new double[intervals + 1];
        _d = new double[intervals + 1];
        var eps = 1e-4 * _h;
        for (var i = 0; i <= intervals; i++)
        {
            var x = a + i * _h;
            _v[i] = f(x);
            _d[i] = (f(x + eps) - f(x - eps)) / (2 * eps);
        }

        _c = _v[0];
        _constant = _v.All(v => v == _c) && f(a - 1) == _c && f(b + 1) == _c;
    }

    public bool IsConstant => _constant;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Value(double x)
    {
        if (_constant)
        {
            return _c;
        }

        return Evaluate(x, out _);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Evaluate(double x, out double slope)
    {
        if (_constant)
        {
            slope = 0;
            return _c;
        }

        if (!(x >= _a && x < _b))
        {
            var e = 1e-7 * Math.Max(1, Math.Abs(x));
            slope = (_f(x + e) - _f(x - e)) / (2 * e);
            return _f(x);
        }

        var s = (x - _a) * _invH;
        var i = (int)s;
        var t = s - i;
        double y0 = _v[i], y1 = _v[i + 1], d0 = _d[i] * _h, d1 = _d[i + 1] * _h;
        var t2 = t * t;
        var t3 = t2 * t;
        var h00 = 2 * t3 - 3 * t2 + 1;
        var h10 = t3 - 2 * t2 + t;
        var h01 = -2 * t3 + 3 * t2;
        var h11 = t3 - t2;
        slope = ((6 * t2 - 6 * t) * y0 + (3 * t2 - 4 * t + 1) * d0 + (-6 * t2 + 6 * t) * y1 + (3 * t2 - 2 * t) * d1) * _invH;
        return h00 * y0 + h10 * d0 + h01 * y1 + h11 * d1;
    }
}
