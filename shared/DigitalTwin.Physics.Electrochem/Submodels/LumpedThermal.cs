// Lumped thermal submodel (PyBaMM "thermal": "lumped", "cell geometry": "arbitrary"): one cell temperature,
// rho_c_eff V dT/dt = Q - h A (T - T_amb), integrated with the cell model's BDF weights. The isothermal model is
// the absence of this submodel (the cell then stays at the ambient temperature).
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Submodels;

/// <summary>What heats the cell at one instant, per unit electrode-pair area [W.m-2] (times the area gives watts).</summary>
public readonly record struct HeatSources(double Ohmic, double Irreversible, double Reversible, double Collectors, double OpenCircuitPower)
{
    /// <summary>Total heat generation per unit electrode-pair area [W.m-2].</summary>
    public double Total => Ohmic + Irreversible + Reversible + Collectors;
}

public sealed class LumpedThermal
{
    private readonly double _capacity;   // rho_c_eff V_cell [J.K-1]
    private readonly double _conductance; // h A_cool [W.K-1]

    // Temperature rise above the start (a 1-vector, so the cell model's error estimate reads it like any state).
    private readonly double[] _trial = new double[1];
    private readonly double[] _committed = new double[1];
    private readonly double[] _previous = new double[1];
    private readonly double[] _previous2 = new double[1];

    public LumpedThermal(LumpedThermalParameters parameters, double ambient, double initial)
    {
        Parameters = parameters;
        Ambient = ambient;
        Initial = initial;
        _capacity = parameters.HeatCapacity * parameters.CellVolume;
        _conductance = parameters.HeatTransferCoefficient * parameters.CoolingArea;
    }

    public LumpedThermalParameters Parameters { get; }

    /// <summary>Ambient temperature [K].</summary>
    public double Ambient { get; }

    /// <summary>Temperature at the start [K].</summary>
    public double Initial { get; }

    /// <summary>Accepted cell temperature [K].</summary>
    public double Temperature => Initial + _committed[0];

    /// <summary>Temperature of the trial step [K].</summary>
    public double TrialTemperature => Initial + _trial[0];

    public ReadOnlySpan<double> TrialRise => _trial;

    public ReadOnlySpan<double> CommittedRise => _committed;

    public ReadOnlySpan<double> PreviousRise => _previous;

    public ReadOnlySpan<double> Previous2Rise => _previous2;

    /// <summary>Heat lost to the surroundings at temperature T [W] (positive when the cell is warmer).</summary>
    public double Cooling(double temperature) => _conductance * (temperature - Ambient);

    /// <summary>Linear extrapolation of the accepted temperatures by weight w (0: the accepted value) [K].</summary>
    public double Predict(double w) => Initial + _committed[0] + w * (_committed[0] - _previous[0]);

    /// <summary>
    /// Implicit BDF update: a0h T + a1h T_n + a2h T_n-1 = (Q - h A (T - T_amb)) / (rho_c V), solved for T given the
    /// heat generation Q [W] of the trial state; stores and returns the trial temperature [K].
    /// </summary>
    public double Correct(double heat, double a0h, double a1h, double a2h)
    {
        var rise = ((heat - _conductance * (Initial - Ambient)) / _capacity - a1h * _committed[0] - a2h * _previous[0])
            / (a0h + _conductance / _capacity);
        _trial[0] = rise;
        return Initial + rise;
    }

    public void Accept()
    {
        _previous2[0] = _previous[0];
        _previous[0] = _committed[0];
        _committed[0] = _trial[0];
    }

    public void ResetHistory()
    {
        _trial[0] = _committed[0];
        _previous[0] = _previous2[0] = _committed[0];
    }

    /// <summary>Sets the accepted temperature [K] (a loaded state or a fresh start) and clears the history.</summary>
    public void Set(double temperature)
    {
        _committed[0] = temperature - Initial;
        ResetHistory();
    }
}
