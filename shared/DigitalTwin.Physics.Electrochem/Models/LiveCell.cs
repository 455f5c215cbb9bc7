// A twin's electrochemical core for one live cell: Advance(state, measured current segment) returns the new state
// and the predicted voltage at every sample. TELEMETRY SIGN: current > 0 means CHARGING here (the cyclers'
// convention); the models inside use PyBaMM's discharge-positive sign, so the current is negated at this edge.
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Models;

public sealed record AdvanceResult(CellState State, double[] Voltage);

public sealed class LiveCell
{
    private readonly CellModel _model;
    private readonly object _gate = new();

    public LiveCell(ParameterSet set, ModelOptions options)
    {
        _model = ModelFactory.Create(set, options with { MaxStep = Math.Min(options.MaxStep, 120) });
        Signature = $"{options.Model}|{set.Name}|n{options.PointsNegative}s{options.PointsSeparator}p{options.PointsPositive}r{options.PointsParticle}"
            + $"|k{options.NegativeSizeClasses}.{options.PositiveSizeClasses}|{options.ParticleTransport}|{options.Thermal}|sid {options.StressInducedDiffusion}";
    }

    /// <summary>Identifies model, set and mesh; a state from another signature is refused.</summary>
    public string Signature { get; }

    public CellModel Model => _model;

    /// <summary>State at rest at a state of charge in [0, 1] (SOC 1 = the set's initial concentrations scaled to the window).</summary>
    public CellState Initial(double? negativeStoichiometry = null, double? positiveStoichiometry = null)
    {
        lock (_gate)
        {
            var cell = _model.Cell;
            var sn = negativeStoichiometry ?? (cell.Negative is null ? null : cell.Negative.Classes[0].InitialConcentration / cell.Negative.Classes[0].MaxConcentration);
            var sp = positiveStoichiometry ?? cell.Positive.Classes[0].InitialConcentration / cell.Positive.Classes[0].MaxConcentration;
            _model.SetInitialStoichiometry(sn, sp);
            _model.SetTime(0);
            if (_model.Initialise(Control.Amps(0)) != StepStatus.Converged)
            {
                throw new SolverException($"Could not initialise the cell at rest: {_model.LastProblem}", 0, _model.LastProblemVariable);
            }

            return new CellState(Signature, 0, _model.ExportState());
        }
    }

    /// <summary>
    /// Steps the cell through the samples (times [s], strictly increasing after state.Time; current [A], charge &gt; 0).
    /// Each interval holds the current of its end sample (implicit step, BDF1, split if longer than the max step).
    /// </summary>
    public AdvanceResult Advance(CellState state, ReadOnlySpan<double> times, ReadOnlySpan<double> telemetryCurrent)
    {
        var voltage = new double[times.Length];
        var next = Advance(state, times, telemetryCurrent, voltage);
        return new AdvanceResult(next, voltage);
    }

    /// <summary>Allocation-light form for the hot path: writes the predicted voltages into <paramref name="voltage"/>.</summary>
    public CellState Advance(CellState state, ReadOnlySpan<double> times, ReadOnlySpan<double> telemetryCurrent, Span<double> voltage)
    {
        if (state.Signature != Signature)
        {
            throw new ArgumentException($"State belongs to '{state.Signature}', this cell is '{Signature}'.", nameof(state));
        }

        if (times.Length != telemetryCurrent.Length || voltage.Length < times.Length)
        {
            throw new ArgumentException($"Segment has {times.Length} times and {telemetryCurrent.Length} currents; they must match.");
        }

        lock (_gate)
        {
            _model.ImportState(state.Values);
            _model.SetTime(state.Time);
            var t = state.Time;
            for (var k = 0; k < times.Length; k++)
            {
                var dt = times[k] - t;
                if (!(dt >= 0) || double.IsNaN(telemetryCurrent[k]))
                {
                    throw new ArgumentException($"Sample {k}: time {times[k]} s is not after {t} s, or the current is not a number.");
                }

                var control = Control.Amps(-telemetryCurrent[k]);
                if (dt == 0)
                {
                    if (_model.Initialise(control) != StepStatus.Converged)
                    {
                        throw new SolverException($"Sample {k} at t = {t} s: {_model.LastProblem}", t, _model.LastProblemVariable);
                    }

                    voltage[k] = Checked(_model.Voltage, t);
                    continue;
                }

                StepTo(dt, control, t);
                t = times[k];
                voltage[k] = _model.Voltage;
            }

            return new CellState(Signature, t, _model.ExportState());
        }
    }

    /// <summary>
    /// A voltage outside the set's cut-offs is outside the range its OCP fits and kinetics were made for (a BPX OCP is
    /// a fit on its stoichiometry window, e.g. the A:E LFP positive's 3.5e14 exp(-396 x) term): the model's cell would
    /// have stopped there, so it cannot follow the measured one. Reported as a failure, never returned as a prediction.
    /// </summary>
    private double Checked(double v, double t)
    {
        var cell = _model.Cell;
        if (!(v >= cell.LowerVoltage && v <= cell.UpperVoltage))
        {
            var (_, ps) = _model.Stoichiometry(positive: true);
            var (_, ns) = _model.Stoichiometry(positive: false);
            throw new SolverException(
                $"At t = {t:G8} s: predicted voltage {v:G6} V is outside the set's window [{cell.LowerVoltage}, {cell.UpperVoltage}] V "
                + $"(surface stoichiometry positive {ps:F4}, negative {ns:F4}); the model cannot follow the cell here",
                t, "Voltage [V]");
        }

        return v;
    }

    private void StepTo(double dt, Control control, double t0)
    {
        var remaining = dt;
        var h = Math.Min(dt, _model.Options.MaxStep);
        while (remaining > 1e-12)
        {
            h = Math.Min(h, remaining);
            var status = _model.TryStep(h, control, 1);
            if (status == StepStatus.Converged)
            {
                _model.Accept(h);
                remaining -= h;
                Checked(_model.Voltage, t0 + dt - remaining);
                continue;
            }

            if (status == StepStatus.LimitReached || h < 1e-6)
            {
                throw new SolverException($"At t = {t0 + dt - remaining:G8} s: {_model.LastProblem}", t0 + dt - remaining, _model.LastProblemVariable);
            }

            h /= 4;
        }
    }
}
