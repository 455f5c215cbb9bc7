// What every cell model (SPM, SPMe, DFN) offers the experiment runner and the live twin: trial steps that are
// accepted or rejected, a local error estimate, and outputs. Current sign inside the models: I > 0 is DISCHARGE
// (PyBaMM's convention); the telemetry convention (I > 0 charging) is converted only at the API edge (LiveCell).
using System.Runtime.CompilerServices;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Models;

public enum ControlMode
{
    Current,
    Voltage,
    Power,
}

/// <summary>What is imposed during a step: current [A] or power [W] (discharge &gt; 0), or voltage [V].</summary>
public readonly record struct Control(ControlMode Mode, double Value)
{
    public static Control Amps(double a) => new(ControlMode.Current, a);
}

public enum StepStatus
{
    Converged,
    NotConverged,
    LimitReached,
}

/// <summary>Why a solve failed: where (time, variable) and why, so nothing silent is returned.</summary>
public sealed class SolverException(string message, double time, string variable) : Exception(message)
{
    public double Time { get; } = time;

    public string Variable { get; } = variable;
}

public abstract class CellModel
{
    private double _hPrev = double.NaN;
    private double _hPrev2 = double.NaN;

    protected CellModel(CellParameters cell, ModelOptions options)
    {
        Cell = cell;
        Options = options;
    }

    public CellParameters Cell { get; }

    public ModelOptions Options { get; }

    public abstract ModelKind Kind { get; }

    /// <summary>Accepted time [s].</summary>
    public double Time { get; private set; }

    /// <summary>Accepted current [A], discharge &gt; 0.</summary>
    public double Current { get; protected set; }

    /// <summary>Accepted terminal voltage [V].</summary>
    public double Voltage { get; protected set; }

    /// <summary>Accepted cell temperature [K]: the ambient (or set) temperature unless a thermal submodel moves it.</summary>
    public virtual double CellTemperature => Cell.Temperature;

    public double TrialCurrent { get; protected set; }

    public double TrialVoltage { get; protected set; }

    /// <summary>Why the last trial failed or hit a limit (variable and reason).</summary>
    public string LastProblem { get; protected set; } = "";

    public string LastProblemVariable { get; protected set; } = "";

    /// <summary>True when the last failure is a physical limit (electrolyte depletion) rather than a numerical one.</summary>
    public bool LastProblemIsLimit { get; protected set; }

    /// <summary>Newton iterations since construction (diagnostics and benchmarks).</summary>
    public long NewtonIterations { get; protected set; }

    /// <summary>Accepted steps since the last restart (1 means the next step may use BDF2).</summary>
    protected int HistoryCount { get; private set; }

    public bool CanUseSecondOrder => HistoryCount >= 1;

    /// <summary>Weight w of the linear predictor y + w (y - y_prev) for a step h (0 without history).</summary>
    protected double ExtrapolationWeight(double h) => HistoryCount >= 1 && _hPrev > 0 ? Math.Min(h / _hPrev, 3) : 0;

    /// <summary>Solves the algebraic equations at the current state for the given control (t = 0 or after a jump).</summary>
    public abstract StepStatus Initialise(Control control);

    /// <summary>Attempts a step of length h from the accepted state; order 1 (BDF1) or 2 (variable-step BDF2).</summary>
    public abstract StepStatus TryStep(double h, Control control, int order);

    /// <summary>Weighted local error of the last trial (&lt;= 1 is acceptable).</summary>
    public abstract double ErrorNorm(double h);

    /// <summary>Commits the last trial.</summary>
    public void Accept(double h)
    {
        AcceptState();
        Time += h;
        Current = TrialCurrent;
        Voltage = TrialVoltage;
        _hPrev2 = _hPrev;
        _hPrev = h;
        HistoryCount++;
    }

    /// <summary>Forget the step history (after a discontinuity in the control) so the next step is BDF1.</summary>
    public void Restart()
    {
        HistoryCount = 0;
        _hPrev = _hPrev2 = double.NaN;
        ResetHistory();
    }

    public void SetTime(double t) => Time = t;

    protected abstract void AcceptState();

    protected abstract void ResetHistory();

    /// <summary>BDF weights (a0, a1, a2) of dy/dt = (a0 y_n+1 + a1 y_n + a2 y_n-1)/h.</summary>
    protected (double A0, double A1, double A2) BdfWeights(double h, int order)
    {
        if (order < 2 || HistoryCount < 1 || double.IsNaN(_hPrev))
        {
            return (1, -1, 0);
        }

        var w = h / _hPrev;
        return ((1 + 2 * w) / (1 + w), -(1 + w), w * w / (1 + w));
    }

    /// <summary>
    /// Milne-type estimate: |y - predictor| times the ratio of error constants, the predictor extrapolating the
    /// last accepted values (quadratic when two earlier steps exist, else linear).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected double EstimateError(ReadOnlySpan<double> trial, ReadOnlySpan<double> y0, ReadOnlySpan<double> y1, ReadOnlySpan<double> y2,
        double h, double scale, double rtol, double atol, int order)
    {
        var worst = 0.0;
        var quadratic = HistoryCount >= 2 && order >= 2;
        var linear = HistoryCount >= 1;
        double l0 = 1, l1 = 0, l2 = 0, c = 0.5;
        if (quadratic)
        {
            // Lagrange basis at t_n + h through t_n, t_n - hp, t_n - hp - hp2.
            double t0 = 0, t1 = -_hPrev, t2 = -_hPrev - _hPrev2, t = h;
            l0 = (t - t1) * (t - t2) / ((t0 - t1) * (t0 - t2));
            l1 = (t - t0) * (t - t2) / ((t1 - t0) * (t1 - t2));
            l2 = (t - t0) * (t - t1) / ((t2 - t0) * (t2 - t1));
            c = 2.0 / 11.0;
        }
        else if (linear)
        {
            l0 = 1 + h / _hPrev;
            l1 = -h / _hPrev;
            c = order >= 2 ? 1.0 / 3.0 : 0.5;
        }
        else
        {
            c = 0.5;
        }

        for (var i = 0; i < trial.Length; i++)
        {
            var pred = l0 * y0[i] + l1 * y1[i] + l2 * y2[i];
            var err = c * Math.Abs(trial[i] - pred) / scale;
            var tol = atol + rtol * Math.Abs(trial[i] / scale);
            worst = Math.Max(worst, err / tol);
        }

        return worst;
    }

    // ---- outputs ----

    /// <summary>Thickness- and volume-averaged (average, surface) stoichiometry of an electrode.</summary>
    public abstract (double Average, double Surface) Stoichiometry(bool positive);

    /// <summary>Total cyclable lithium per unit electrode area in solid and electrolyte [mol.m-2].</summary>
    public abstract double LithiumInventory();

    /// <summary>Electrolyte concentration at cell centres [mol.m-3] and their positions [m] (empty for SPM).</summary>
    public abstract (double[] X, double[] Ce) ElectrolyteProfile();

    /// <summary>Open-circuit voltage at the current average stoichiometries [V].</summary>
    public abstract double OpenCircuitVoltage();

    /// <summary>The differential state (particle and electrolyte concentrations) for a compact snapshot.</summary>
    public abstract double[] ExportState();

    public abstract void ImportState(ReadOnlySpan<double> state);

    /// <summary>Sets uniform initial concentrations from a state of charge in [0, 1] (BPX stoichiometry windows) or stoichiometries.</summary>
    public abstract void SetInitialStoichiometry(double? negative, double positive);
}
