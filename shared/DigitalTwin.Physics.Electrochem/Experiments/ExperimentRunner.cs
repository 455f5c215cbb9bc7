// Runs an experiment on a cell model with adaptive BDF steps; voltage cut-offs and CV current cut-offs are located
// inside the step by re-solving with a shorter step (secant/Illinois), not reported at the next step.
using System.Runtime.CompilerServices;
using DigitalTwin.Physics.Electrochem.Models;

namespace DigitalTwin.Physics.Electrochem.Experiments;

/// <summary>One output row. Current is in the model convention (discharge &gt; 0) [A]; temperature is the cell's [K].</summary>
public readonly record struct Sample(double Time, double Current, double Voltage, int Step,
    double NegativeAverage, double NegativeSurface, double PositiveAverage, double PositiveSurface, double Temperature);

public sealed record StepSummary(int Index, string Text, double Start, double End, string Reason);

public sealed record SimulationResult(IReadOnlyList<Sample> Samples, IReadOnlyList<StepSummary> Steps, int AcceptedSteps, int RejectedSteps)
{
    /// <summary>Charge delivered (discharge positive) over the run [A.h].</summary>
    public double DischargeCapacity()
    {
        var q = 0.0;
        for (var i = 1; i < Samples.Count; i++)
        {
            q += 0.5 * (Samples[i].Current + Samples[i - 1].Current) * (Samples[i].Time - Samples[i - 1].Time);
        }

        return q / 3600;
    }
}

public readonly record struct RunProgress(int Step, int Steps, double Time, double Voltage);

public sealed class ExperimentRunner
{
    private const double MinStep = 1e-7;

    /// <summary>Record every accepted step (0), or land steps on multiples of this period [s] and record those
    /// (like PyBaMM's t_eval), plus every step end and event.</summary>
    public double OutputPeriod { get; init; }

    /// <summary>Receives the time and voltage after each accepted step.</summary>
    public IProgress<RunProgress>? Progress { get; init; }

    /// <summary>Called with every output row as soon as it is computed (for streaming services).</summary>
    public Action<Sample>? SampleRecorded { get; init; }

    /// <summary>Called when an experiment step ends, with why.</summary>
    public Action<StepSummary>? StepCompleted { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SimulationResult Run(CellModel model, Experiment experiment, CancellationToken cancellationToken = default)
    {
        var samples = new List<Sample>();
        var summaries = new List<StepSummary>();
        var accepted = 0;
        var rejected = 0;
        var lastOut = double.NegativeInfinity;
        var first = true;
        var stop = false;
        for (var s = 0; s < experiment.Steps.Count && !stop; s++)
        {
            var step = experiment.Steps[s];
            var t0 = model.Time;
            var (control, duration, eventKind, threshold) = Plan(model, step);
            model.Restart();
            var init = Initialise(model, control(t0));
            if (init != StepStatus.Converged)
            {
                throw new SolverException($"Step {s + 1} \"{step.Text}\": could not find a consistent initial state at t = {t0:G6} s: {model.LastProblem}", t0, model.LastProblemVariable);
            }

            if (first || OutputPeriod <= 0 || model.Time > lastOut + 1e-9)
            {
                Record(samples, Make(model, s));
                lastOut = model.Time;
                first = false;
            }

            var nextOut = OutputPeriod > 0 ? (Math.Floor(model.Time / OutputPeriod + 1e-9) + 1) * OutputPeriod : double.PositiveInfinity;

            var reason = "duration reached";
            if (eventKind != EventKind.None && EventValue(model, eventKind, threshold, trial: false) <= 0)
            {
                Finish(summaries, new StepSummary(s + 1, step.Text, t0, model.Time, "condition already met at the start"));
                continue;
            }

            var h = Math.Min(1.0, duration / 10);
            var end = t0 + duration;
            var breakpoints = step.Cycle?.Time;
            var bp = 0;
            while (model.Time < end - 1e-9)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var hMax = Math.Min(model.Options.MaxStep, end - model.Time);
                if (breakpoints is not null)
                {
                    while (bp < breakpoints.Length && breakpoints[bp] - breakpoints[0] + t0 <= model.Time + 1e-9)
                    {
                        bp++;
                    }

                    if (bp < breakpoints.Length)
                    {
                        hMax = Math.Min(hMax, breakpoints[bp] - breakpoints[0] + t0 - model.Time);
                    }
                }

                if (nextOut - model.Time > 1e-9)
                {
                    hMax = Math.Min(hMax, nextOut - model.Time);
                }

                h = Math.Min(h, hMax);
                var order = model.CanUseSecondOrder ? 2 : 1;
                var status = model.TryStep(h, control(model.Time + h), order);
                if (status == StepStatus.NotConverged && model.LastProblemIsLimit && h < 1e-3)
                {
                    reason = model.LastProblem;
                    stop = true;
                    break;
                }

                if (status == StepStatus.NotConverged)
                {
                    rejected++;
                    h /= 4;
                    if (h < MinStep)
                    {
                        throw new SolverException($"Step {s + 1} \"{step.Text}\": the solve failed at t = {model.Time:G8} s ({model.LastProblemVariable}): {model.LastProblem}", model.Time, model.LastProblemVariable);
                    }

                    continue;
                }

                if (status == StepStatus.LimitReached)
                {
                    // A physical limit (stoichiometry 0 or 1, electrolyte depletion): land just before it and stop.
                    var limit = model.LastProblem;
                    var (hOk, found) = LastGood(model, control, h, order);
                    if (found)
                    {
                        model.TryStep(hOk, control(model.Time + hOk), order);
                        model.Accept(hOk);
                        accepted++;
                        Record(samples, Make(model, s));
                    }

                    reason = limit;
                    stop = true;
                    break;
                }

                var err = model.ErrorNorm(h);
                if (err > 1 && h > 1e-4)
                {
                    rejected++;
                    h *= Math.Max(0.2, 0.9 * Math.Pow(err, -1.0 / 3));
                    continue;
                }

                var crossed = eventKind != EventKind.None && EventValue(model, eventKind, threshold, trial: true) <= 0;
                if (crossed)
                {
                    var hEvent = LocateEvent(model, control, eventKind, threshold, h, order);
                    model.TryStep(hEvent, control(model.Time + hEvent), order);
                    model.Accept(hEvent);
                    accepted++;
                    Record(samples, Make(model, s));
                    lastOut = model.Time;
                    reason = eventKind == EventKind.CurrentBelow ? $"current fell to {threshold:G4} A" : $"voltage reached {threshold:G6} V";
                    break;
                }

                model.Accept(h);
                accepted++;
                var onGrid = Math.Abs(model.Time - nextOut) <= 1e-9 * Math.Max(1, nextOut);
                if (onGrid)
                {
                    nextOut += OutputPeriod;
                }

                if (OutputPeriod <= 0 || onGrid || model.Time >= end - 1e-9)
                {
                    Record(samples, Make(model, s));
                    lastOut = model.Time;
                }

                Progress?.Report(new RunProgress(s + 1, experiment.Steps.Count, model.Time, model.Voltage));
                var factor = err > 0 ? Math.Min(2.5, Math.Max(0.2, 0.9 * Math.Pow(err, -1.0 / 3))) : 2.5;
                h *= factor;
            }

            Finish(summaries, new StepSummary(s + 1, step.Text, t0, model.Time, reason));
        }

        return new SimulationResult(samples, summaries, accepted, rejected);
    }

    // Newton from the previous step's potentials can miss a high-rate operating point: walk the imposed current or
    // power up to it in halving fractions, each solve starting from the last (concentrations do not change).
    private static StepStatus Initialise(CellModel model, Control control)
    {
        var status = model.Initialise(control);
        if (status == StepStatus.Converged || control.Mode == ControlMode.Voltage)
        {
            return status;
        }

        double done = 0, part = 0.125;
        while (done < 1 && part >= 1.0 / 1024)
        {
            var next = Math.Min(1, done + part);
            if (model.Initialise(control with { Value = control.Value * next }) == StepStatus.Converged)
            {
                done = next;
                part *= 2;
            }
            else
            {
                part /= 2;
            }
        }

        return done >= 1 ? StepStatus.Converged : model.Initialise(control);
    }

    private void Record(List<Sample> samples, Sample sample)
    {
        samples.Add(sample);
        SampleRecorded?.Invoke(sample);
    }

    private void Finish(List<StepSummary> summaries, StepSummary summary)
    {
        summaries.Add(summary);
        StepCompleted?.Invoke(summary);
    }

    private enum EventKind
    {
        None,
        VoltageBelow,
        VoltageAbove,
        CurrentBelow,
    }

    private static double EventValue(CellModel model, EventKind kind, double threshold, bool trial)
    {
        var v = trial ? model.TrialVoltage : model.Voltage;
        var i = trial ? model.TrialCurrent : model.Current;
        return kind switch
        {
            EventKind.VoltageBelow => v - threshold,
            EventKind.VoltageAbove => threshold - v,
            EventKind.CurrentBelow => Math.Abs(i) - threshold,
            _ => 1,
        };
    }

    // Illinois-modified regula falsi on the step length: g(0) > 0 (accepted state), g(h) <= 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LocateEvent(CellModel model, Func<double, Control> control, EventKind kind, double threshold, double h, int order)
    {
        double a = 0, b = h;
        var ga = EventValue(model, kind, threshold, trial: false);
        var gb = EventValue(model, kind, threshold, trial: true);
        var side = 0;
        // 1 uV (or 1e-6 of the current threshold): well above the Newton tolerance, so the root is not chasing noise.
        var tol = kind == EventKind.CurrentBelow ? 1e-6 * Math.Max(threshold, 1e-12) : 1e-6;
        for (var k = 0; k < 60; k++)
        {
            var m = (a * gb - b * ga) / (gb - ga);
            if (!(m > a && m < b))
            {
                m = 0.5 * (a + b);
            }

            if (model.TryStep(m, control(model.Time + m), order) != StepStatus.Converged)
            {
                b = m;
                gb = -Math.Abs(gb);
                continue;
            }

            var gm = EventValue(model, kind, threshold, trial: true);
            if (Math.Abs(gm) < tol || b - a < 1e-9)
            {
                return m;
            }

            if (gm > 0)
            {
                a = m;
                ga = gm;
                if (side == 1)
                {
                    gb /= 2;
                }

                side = 1;
            }
            else
            {
                b = m;
                gb = gm;
                if (side == -1)
                {
                    ga /= 2;
                }

                side = -1;
            }
        }

        return b;
    }

    private static (double H, bool Found) LastGood(CellModel model, Func<double, Control> control, double h, int order)
    {
        double a = 0, b = h;
        for (var k = 0; k < 40 && b - a > 1e-9; k++)
        {
            var m = 0.5 * (a + b);
            if (model.TryStep(m, control(model.Time + m), order) == StepStatus.Converged)
            {
                a = m;
            }
            else
            {
                b = m;
            }
        }

        return (a, a > 0);
    }

    private static Sample Make(CellModel model, int step)
    {
        var (na, ns) = model.Stoichiometry(positive: false);
        var (pa, ps) = model.Stoichiometry(positive: true);
        return new Sample(model.Time, model.Current, model.Voltage, step + 1, na, ns, pa, ps, model.CellTemperature);
    }

    private static (Func<double, Control> Control, double Duration, EventKind Event, double Threshold) Plan(CellModel model, ExperimentStep step)
    {
        var cell = model.Cell;
        double Amps(Amount a) => a.Unit == Quantity.CRate ? a.Value * cell.OneC : a.Value;
        const double Forever = 1e9;
        switch (step.Kind)
        {
            case StepKind.Rest:
                return (_ => Control.Amps(0), step.Duration!.Value, EventKind.None, 0);
            case StepKind.Hold:
                {
                    var v = step.Setpoint!.Value.Value;
                    var until = step.UntilCurrent is { } c ? Amps(c) : 0;
                    return (_ => new Control(ControlMode.Voltage, v), step.Duration ?? Forever,
                        step.UntilCurrent is null ? EventKind.None : EventKind.CurrentBelow, until);
                }

            case StepKind.Drive:
                {
                    var cycle = step.Cycle!;
                    var t0 = model.Time;
                    var mode = cycle.IsPower ? ControlMode.Power : ControlMode.Current;
                    return (t => new Control(mode, cycle.At(t - t0 + cycle.Time[0])), cycle.Duration, EventKind.VoltageBelow, cell.LowerVoltage);
                }

            default:
                {
                    var sign = step.Kind == StepKind.Discharge ? 1.0 : -1.0;
                    var sp = step.Setpoint!.Value;
                    var mode = sp.Unit == Quantity.Watts ? ControlMode.Power : ControlMode.Current;
                    var value = sign * (sp.Unit == Quantity.Watts ? sp.Value : Amps(sp));
                    var duration = step.Duration ?? Forever;
                    var threshold = step.UntilVoltage?.Value ?? (step.Kind == StepKind.Discharge ? cell.LowerVoltage : cell.UpperVoltage);
                    return (_ => new Control(mode, value), duration, step.Kind == StepKind.Discharge ? EventKind.VoltageBelow : EventKind.VoltageAbove, threshold);
                }
        }
    }
}
