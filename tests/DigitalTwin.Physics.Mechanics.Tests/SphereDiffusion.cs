// Test-side sphere diffusion solver (finite volume on the stress grid's nodes, backward Euler, Thomas solve):
// produces radial concentration profiles so the mechanics can be verified without the electrochemistry.
namespace DigitalTwin.Physics.Mechanics.Tests;

internal sealed class SphereDiffusion
{
    private readonly double[] _r;
    private readonly double[] _volume;
    private readonly double[] _face;
    private readonly double[] _a;
    private readonly double[] _b;
    private readonly double[] _c;
    private readonly double[] _d;

    public SphereDiffusion(ReadOnlySpan<double> nodes, double initial)
    {
        var n = nodes.Length;
        _r = nodes.ToArray();
        _volume = new double[n];
        _face = new double[n];
        for (var i = 0; i < n; i++)
        {
            var lo = i == 0 ? 0 : 0.5 * (_r[i - 1] + _r[i]);
            var hi = i == n - 1 ? _r[i] : 0.5 * (_r[i] + _r[i + 1]);
            _volume[i] = (hi * hi * hi - lo * lo * lo) / 3;
            _face[i] = hi * hi;
        }

        Concentration = Enumerable.Repeat(initial, n).ToArray();
        _a = new double[n];
        _b = new double[n];
        _c = new double[n];
        _d = new double[n];
    }

    public double[] Concentration { get; }

    /// <summary>Moles per steradian, Σ V_i c_i (conserved up to the boundary flux).</summary>
    public double Inventory => _volume.Zip(Concentration, (v, c) => v * c).Sum();

    /// <summary>One implicit step with influx J [mol.m-2.s-1] (positive = lithiation) and D(c) lagged.</summary>
    public void Step(double dt, double influx, Func<double, double> diffusivity)
    {
        var n = _r.Length;
        var c = Concentration;
        for (var i = 0; i < n; i++)
        {
            _a[i] = 0;
            _c[i] = 0;
            _b[i] = _volume[i] / dt;
            _d[i] = _volume[i] / dt * c[i];
        }

        for (var i = 0; i < n - 1; i++)
        {
            var dFace = diffusivity(0.5 * (c[i] + c[i + 1]));
            var g = dFace * _face[i] / (_r[i + 1] - _r[i]);
            _b[i] += g;
            _c[i] -= g;
            _b[i + 1] += g;
            _a[i + 1] -= g;
        }

        _d[n - 1] += _face[n - 1] * influx;
        for (var i = 1; i < n; i++)
        {
            var m = _a[i] / _b[i - 1];
            _b[i] -= m * _c[i - 1];
            _d[i] -= m * _d[i - 1];
        }

        c[n - 1] = _d[n - 1] / _b[n - 1];
        for (var i = n - 2; i >= 0; i--)
        {
            c[i] = (_d[i] - _c[i] * c[i + 1]) / _b[i];
        }
    }
}
