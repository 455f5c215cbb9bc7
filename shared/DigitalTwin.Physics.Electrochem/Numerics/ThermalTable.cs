// A parameter function f(x, T) for a model whose temperature moves (lumped thermal): one Tabulated slice in x per
// temperature on a fixed grid, built when first needed, and linear interpolation between the two slices around T.
// At a grid temperature (always the case for an isothermal model) it reads one slice, exactly as Tabulated.
using System.Runtime.CompilerServices;

namespace DigitalTwin.Physics.Electrochem.Numerics;

public sealed class ThermalTable
{
    /// <summary>Slice spacing [K]: linear interpolation of an Arrhenius factor (E = 50 kJ/mol) over it errs by &lt; 4e-5.</summary>
    public const double Spacing = 0.25;

    private readonly Func<double, double, double> _f;
    private readonly double _a;
    private readonly double _b;
    private readonly double _origin;
    private readonly Dictionary<int, Tabulated> _slices = [];
    private Tabulated _lower;
    private Tabulated _upper;
    private double _weight;

    /// <summary>f(x, T) over x in [a, b]; the slice grid passes through <paramref name="origin"/> [K].</summary>
    public ThermalTable(Func<double, double, double> f, double a, double b, double origin)
    {
        _f = f;
        _a = a;
        _b = b;
        _origin = origin;
        _lower = _upper = Slice(0);
        Temperature = origin;
    }

    /// <summary>The temperature the table currently reads at [K].</summary>
    public double Temperature { get; private set; }

    /// <summary>True when f does not depend on x (at the origin temperature).</summary>
    public bool IsConstant => _lower.IsConstant && _weight == 0;

    /// <summary>Moves the table to temperature T [K] (builds the neighbouring slices if needed).</summary>
    public void SetTemperature(double temperature)
    {
        if (temperature == Temperature)
        {
            return;
        }

        var s = (temperature - _origin) / Spacing;
        var k = (int)Math.Floor(s);
        _weight = s - k;
        _lower = Slice(k);
        _upper = _weight == 0 ? _lower : Slice(k + 1);
        Temperature = temperature;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Evaluate(double x, out double slope)
    {
        var v = _lower.Evaluate(x, out slope);
        if (_weight == 0)
        {
            return v;
        }

        var w = _weight;
        var u = _upper.Evaluate(x, out var slopeUpper);
        slope += w * (slopeUpper - slope);
        return v + w * (u - v);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Value(double x) => Evaluate(x, out _);

    private Tabulated Slice(int k) => _slices.TryGetValue(k, out var slice) ? slice : Build(k);

    // Kept apart from Slice so the closure is only allocated when a slice is really built.
    private Tabulated Build(int k)
    {
        var t = _origin + k * Spacing;
        var slice = new Tabulated(x => _f(x, t), _a, _b);
        _slices[k] = slice;
        return slice;
    }
}
