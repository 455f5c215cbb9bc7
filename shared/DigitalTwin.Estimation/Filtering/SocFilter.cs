// Extended Kalman filter for state of charge (and DC resistance) on the reduced single-particle model.
namespace DigitalTwin.Estimation.Filtering;

/// <summary>Noise and start settings of the SOC filter.</summary>
/// <param name="VoltageNoiseStd">Standard deviation of the voltage measurement [V].</param>
/// <param name="SocProcessStd">SOC random walk (coulomb-counting error) per √s [1/√s].</param>
/// <param name="ResistanceProcessStd">Resistance random walk per √s (lets R0 track fade) [Ω/√s].</param>
/// <param name="InitialSocStd">Start uncertainty of SOC [dimensionless].</param>
/// <param name="InitialResistanceStd">Start uncertainty of R0 [Ω].</param>
public sealed record SocFilterOptions(
    double VoltageNoiseStd = 0.01,
    double SocProcessStd = 1e-5,
    double ResistanceProcessStd = 2e-6,
    double InitialSocStd = 0.3,
    double InitialResistanceStd = 0.02);

/// <summary>
/// The filter's state: mean of x = [SOC, R0] with its 2×2 covariance (row-major), and the particle surface leads,
/// which the model determines from the current history (they are propagated, not estimated: one voltage cannot
/// tell them apart from SOC). Persisted with the cell; never mutated in place.
/// </summary>
public sealed record SocFilterState(double Soc, double LeadPositive, double LeadNegative, double Resistance, double[] Covariance)
{
    public const int Size = 2;

    public double SocStd => Math.Sqrt(Math.Max(0, Covariance[0]));

    public double ResistanceStd => Math.Sqrt(Math.Max(0, Covariance[3]));

    /// <summary>A start state: SOC and R0 guesses with the option's uncertainties, leads at rest.</summary>
    public static SocFilterState Start(double soc, double resistance, SocFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var p = new double[Size * Size];
        p[0] = options.InitialSocStd * options.InitialSocStd;
        p[3] = options.InitialResistanceStd * options.InitialResistanceStd;
        return new SocFilterState(soc, 0, 0, resistance, p);
    }
}

/// <summary>One filter step's outputs.</summary>
/// <param name="State">The state after the step.</param>
/// <param name="PredictedVoltage">Model voltage before the measurement was used [V].</param>
/// <param name="Innovation">Measured minus predicted voltage [V].</param>
/// <param name="InnovationVariance">Predicted variance of the innovation [V²].</param>
public readonly record struct SocFilterStep(SocFilterState State, double PredictedVoltage, double Innovation, double InnovationVariance);

/// <summary>
/// Predict with the trapezoid-integrated current over Δt (the same rule as coulomb counting), then update with the
/// measured voltage. The covariance update is the Joseph form, which stays symmetric and positive.
/// </summary>
public static class SocFilter
{
    /// <summary>SOC is kept inside the range the stoichiometry windows describe, with a small margin for calibration error.</summary>
    public const double MinSoc = -0.02;

    public const double MaxSoc = 1.02;

    /// <summary>
    /// A start state from one voltage: the SOC whose model voltage at this current (with resistance
    /// <paramref name="resistance"/> and steady leads) equals <paramref name="voltage"/>, found by bisection (the
    /// OCV rises with SOC); the SOC uncertainty stays the option's.
    /// </summary>
    public static SocFilterState StartFromVoltage(ReducedSpmParameters model, SocFilterOptions options, double voltage, double current, double resistance)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (leadP, leadN) = ReducedSpm.SteadyLead(model, current);
        double lo = 0, hi = 1;
        for (var i = 0; i < 50; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (ReducedSpm.Voltage(model, mid, leadP, leadN, resistance, current) < voltage)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return SocFilterState.Start(0.5 * (lo + hi), resistance, options) with { LeadPositive = leadP, LeadNegative = leadN };
    }

    public static SocFilterStep Step(SocFilterState state, ReducedSpmParameters model, SocFilterOptions options, double dt, double previousCurrent, double current, double voltage)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        const int N = SocFilterState.Size;
        dt = Math.Max(0, dt);

        // Predict: SOC by charge throughput, the leads relax towards their steady value for the present current.
        var soc = state.Soc + 0.5 * (previousCurrent + current) * dt / (3600 * model.CapacityAh);
        var (steadyP, steadyN) = ReducedSpm.SteadyLead(model, current);
        var decayP = Math.Exp(-dt * ReducedSpm.SlowestModeEigenvalue / model.PositiveDiffusionTime);
        var decayN = model.NegativeOcp is null ? 0 : Math.Exp(-dt * ReducedSpm.SlowestModeEigenvalue / model.NegativeDiffusionTime);
        var leadP = steadyP + (state.LeadPositive - steadyP) * decayP;
        var leadN = steadyN + (state.LeadNegative - steadyN) * decayN;
        var r0 = state.Resistance;

        // Both estimated states are random walks: F = I, Q = diag(q_soc, q_R)·Δt.
        var p = (double[])state.Covariance.Clone();
        p[0] += options.SocProcessStd * options.SocProcessStd * dt;
        p[3] += options.ResistanceProcessStd * options.ResistanceProcessStd * dt;

        // Measurement Jacobian by central differences of the OCPs (they may be tables or fitted expressions).
        var thetaP = ReducedSpm.PositiveStoichiometry(model, soc) + leadP;
        var thetaN = ReducedSpm.NegativeStoichiometry(model, soc) + leadN;
        var dUp = Derivative(model.PositiveOcp, thetaP);
        var dUn = model.NegativeOcp is null ? 0 : Derivative(model.NegativeOcp, thetaN);
        Span<double> h =
        [
            (dUp * (model.PositiveStoichiometryAt100 - model.PositiveStoichiometryAt0)) - (dUn * (model.NegativeStoichiometryAt100 - model.NegativeStoichiometryAt0)),
            current,
        ];
        var predicted = ReducedSpm.Voltage(model, soc, leadP, leadN, r0, current);
        var innovation = voltage - predicted;
        var r = options.VoltageNoiseStd * options.VoltageNoiseStd;
        var hph = (h[0] * ((p[0] * h[0]) + (p[1] * h[1]))) + (h[1] * ((p[2] * h[0]) + (p[3] * h[1])));

        // Far from the estimate the linearization is poor: inflate the measurement variance so one sample moves the
        // state by at most GateSigmas standard deviations of its innovation (a robust, gated update).
        const double GateSigmas = 3;
        if (innovation * innovation > GateSigmas * GateSigmas * (hph + r))
        {
            r = Math.Max(r, (innovation * innovation / (GateSigmas * GateSigmas)) - hph);
        }

        Span<double> ph = stackalloc double[N];
        for (var i = 0; i < N; i++)
        {
            var sum = 0.0;
            for (var j = 0; j < N; j++)
            {
                sum += p[(i * N) + j] * h[j];
            }

            ph[i] = sum;
        }

        var s = r;
        for (var i = 0; i < N; i++)
        {
            s += h[i] * ph[i];
        }

        if (!double.IsFinite(innovation) || !(s > 0))
        {
            return new SocFilterStep(new SocFilterState(soc, leadP, leadN, r0, p), predicted, innovation, s);
        }

        Span<double> k = stackalloc double[N];
        for (var i = 0; i < N; i++)
        {
            k[i] = ph[i] / s;
        }

        // Joseph form: P = (I − K H) P (I − K H)ᵀ + K R Kᵀ.
        var a = new double[N * N];
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < N; j++)
            {
                a[(i * N) + j] = (i == j ? 1 : 0) - (k[i] * h[j]);
            }
        }

        var ap = new double[N * N];
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < N; j++)
            {
                var sum = 0.0;
                for (var m = 0; m < N; m++)
                {
                    sum += a[(i * N) + m] * p[(m * N) + j];
                }

                ap[(i * N) + j] = sum;
            }
        }

        var updated = new double[N * N];
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < N; j++)
            {
                var sum = k[i] * r * k[j];
                for (var m = 0; m < N; m++)
                {
                    sum += ap[(i * N) + m] * a[(j * N) + m];
                }

                updated[(i * N) + j] = sum;
            }
        }

        var next = new SocFilterState(Math.Clamp(soc + (k[0] * innovation), MinSoc, MaxSoc), leadP, leadN, Math.Max(0, r0 + (k[1] * innovation)), updated);
        return new SocFilterStep(next, predicted, innovation, s);
    }

    private static double Derivative(Func<double, double> f, double x)
    {
        const double H = 1e-5;
        var lo = ReducedSpm.Clamp(x - H);
        var hi = ReducedSpm.Clamp(x + H);
        return (f(hi) - f(lo)) / (hi - lo);
    }
}
