// Butler-Volmer kinetics (symmetric and asymmetric), the exchange-current forms, and the Li-metal counter electrode.
using System.Runtime.CompilerServices;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Numerics;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Submodels;

/// <summary>j = 2 j0 sinh(eta / 2Vt), Vt = RT/F (PyBaMM's default).</summary>
public sealed class SymmetricButlerVolmer : IKinetics
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Current(double eta, double j0, double thermalVoltage, out double dCurrentDEta, out double dCurrentDJ0)
    {
        var x = eta / (2 * thermalVoltage);
        var e = Math.Exp(x);
        var ei = 1 / e;
        var sinh = 0.5 * (e - ei);
        dCurrentDEta = j0 * 0.5 * (e + ei) / thermalVoltage;
        dCurrentDJ0 = 2 * sinh;
        return 2 * j0 * sinh;
    }

    public double Overpotential(double j, double j0, double thermalVoltage) => 2 * thermalVoltage * Math.Asinh(j / (2 * j0));
}

/// <summary>j = j0 [exp(alpha eta/Vt) - exp(-(1-alpha) eta/Vt)] with the set's charge-transfer coefficient.</summary>
public sealed class AsymmetricButlerVolmer(double alpha) : IKinetics
{
    public double Current(double eta, double j0, double thermalVoltage, out double dCurrentDEta, out double dCurrentDJ0)
    {
        var ea = Math.Exp(alpha * eta / thermalVoltage);
        var ec = Math.Exp(-(1 - alpha) * eta / thermalVoltage);
        dCurrentDEta = j0 * (alpha * ea + (1 - alpha) * ec) / thermalVoltage;
        dCurrentDJ0 = ea - ec;
        return j0 * (ea - ec);
    }

    public double Overpotential(double j, double j0, double thermalVoltage)
    {
        var eta = 2 * thermalVoltage * Math.Asinh(j / (2 * j0));
        for (var k = 0; k < 50; k++)
        {
            var f = Current(eta, j0, thermalVoltage, out var d, out _) - j;
            var step = f / d;
            eta -= step;
            if (Math.Abs(step) < 1e-13)
            {
                break;
            }
        }

        return eta;
    }
}

public static class KineticsFactory
{
    public static IKinetics Create(ModelOptions options, ElectrodeParameters electrode) =>
        OptionTable.Is(options.Kinetics, "asymmetric Butler-Volmer") ? new AsymmetricButlerVolmer(electrode.AnodicTransfer) : new SymmetricButlerVolmer();
}

/// <summary>
/// j0 of one particle class at the model's temperature. The standard form k(T) sqrt(c_e c_s (c_max - c_s)) is
/// detected and differentiated analytically (k re-read when T moves); other forms are tabulated (stoichiometry
/// form) or differenced.
/// </summary>
public sealed class ExchangeCurrent : IExchangeCurrent
{
    private readonly ParameterFunction _f;
    private readonly double _cmax;
    private readonly bool _stoichiometry;
    private readonly bool _separable;
    private readonly ThermalTable? _table;
    private double _temperature;
    private double _k;

    public ExchangeCurrent(ParticleClass cls, double temperature)
    {
        _f = cls.ExchangeCurrent;
        _cmax = cls.MaxConcentration;
        _temperature = temperature;
        _stoichiometry = cls.StoichiometryExchangeCurrent;
        if (_stoichiometry)
        {
            _table = new ThermalTable((s, t) => _f.Evaluate(s, t), 0, 1, temperature);
            return;
        }

        var cm = _cmax;
        _k = Prefactor(temperature);
        _separable = true;
        foreach (var (ce, s) in new[] { (300.0, 0.1), (1500.0, 0.37), (2500.0, 0.93), (50.0, 0.6) })
        {
            var expected = _k * Math.Sqrt(ce * s * cm * (1 - s) * cm);
            var actual = _f.Evaluate(ce, s * cm, cm, temperature);
            if (Math.Abs(actual - expected) > 1e-10 * Math.Abs(expected))
            {
                _separable = false;
            }
        }
    }

    /// <summary>Moves j0 to temperature T [K] (Arrhenius factors and any other T dependence of the set's function).</summary>
    public void SetTemperature(double temperature)
    {
        if (temperature == _temperature)
        {
            return;
        }

        _temperature = temperature;
        if (_table is not null)
        {
            _table.SetTemperature(temperature);
        }
        else
        {
            _k = Prefactor(temperature);
        }
    }

    private double Prefactor(double temperature)
    {
        var cm = _cmax;
        return _f.Evaluate(1000, 0.5 * cm, cm, temperature) / Math.Sqrt(1000 * 0.5 * cm * 0.5 * cm);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Evaluate(double ce, double cs, double temperature, out double dCe, out double dCs)
    {
        var cmax = _cmax;
        var csc = Math.Clamp(cs, 1e-9 * cmax, (1 - 1e-9) * cmax);
        var cec = Math.Max(ce, 1e-9);
        if (_stoichiometry)
        {
            dCe = 0;
            var v = _table!.Evaluate(csc / cmax, out var slope);
            dCs = slope / cmax;
            return v;
        }

        if (_separable)
        {
            var rest = cmax - csc;
            var j0 = _k * Math.Sqrt(cec * csc * rest);
            dCe = 0.5 * j0 / cec;
            dCs = 0.5 * j0 * (1 / csc - 1 / rest);
            return j0;
        }

        var t = _temperature;
        var f = _f.Evaluate(cec, csc, cmax, t);
        var he = 1e-6 * cec;
        var hs = 1e-7 * cmax;
        dCe = (_f.Evaluate(cec + he, csc, cmax, t) - _f.Evaluate(cec - he, csc, cmax, t)) / (2 * he);
        dCs = (_f.Evaluate(cec, csc + hs, cmax, t) - _f.Evaluate(cec, csc - hs, cmax, t)) / (2 * hs);
        return f;
    }
}

/// <summary>Li-metal counter electrode with Butler-Volmer kinetics and a constant j0 (eta = 2Vt asinh(i / 2 j0)).</summary>
public sealed class LithiumMetalButlerVolmer(double j0) : ICounterElectrode
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Overpotential(double currentDensity, double thermalVoltage, out double dEtaDi)
    {
        var x = currentDensity / (2 * j0);
        dEtaDi = 2 * thermalVoltage / (2 * j0 * Math.Sqrt(1 + x * x));
        return 2 * thermalVoltage * Math.Asinh(x);
    }
}

/// <summary>Constant Li-metal overpotential (seed 002's treatment): sign follows the current, zero at rest.</summary>
public sealed class LithiumMetalConstant(double eta) : ICounterElectrode
{
    public double Overpotential(double currentDensity, double thermalVoltage, out double dEtaDi)
    {
        dEtaDi = 0;
        return currentDensity == 0 ? 0 : Math.Sign(currentDensity) * eta;
    }
}

/// <summary>Full cell: no counter-electrode term.</summary>
public sealed class NoCounterElectrode : ICounterElectrode
{
    public double Overpotential(double currentDensity, double thermalVoltage, out double dEtaDi)
    {
        dEtaDi = 0;
        return 0;
    }
}

public static class CounterElectrodeFactory
{
    public static ICounterElectrode Create(ModelOptions options, CellParameters cell) =>
        !cell.HalfCell ? new NoCounterElectrode()
        : OptionTable.Is(options.LithiumMetalKinetics, "constant overpotential") ? new LithiumMetalConstant(cell.LithiumOverpotential)
        : new LithiumMetalButlerVolmer(cell.LithiumExchangeCurrent);
}
