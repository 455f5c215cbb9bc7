// DC resistance from current pulses against a value derived by hand: a synthetic Arbin CSV of a cell modelled as
// OCV + R0·I + an R1‖C1 branch (time constant τ), pulsed from rest; the resistance seen at the end of a pulse of
// length Δt is R0 + R1·(1 − e^(−Δt/τ)), whatever the pulse current.
using System.Globalization;
using System.Text;

namespace DigitalTwin.Telemetry.Tests;

public sealed class PulseResistanceTests
{
    private const double Ocv = 3.7;
    private const double R0 = 0.030;
    private const double R1 = 0.020;
    private const double Tau = 5.0;
    private const double PulseSeconds = 10.0;
    private const double RestSeconds = 120.0;

    [Fact]
    public void PulseResistanceEqualsTheOhmicPlusPolarizationStep()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pulses-{Guid.NewGuid():N}.csv");
        try
        {
            // Three pulses from rest: 2 A discharge, 1 A charge, 4 A discharge (current > 0 = charging).
            File.WriteAllText(path, Synthesize([-2.0, 1.0, -4.0]));
            var result = TelemetryParser.Parse(path, new CountingSink());
            var cycle = Assert.Single(result.Cycles);

            // Analytic: R(Δt) = R0 + R1·(1 − exp(−Δt/τ)) = 0.030 + 0.020·(1 − e^−2) = 0.0472933 Ω. The branch left over
            // from the previous pulse after a 120 s rest is below R1·e^−24 ≈ 8e-13 Ω: the tolerance 1e-9 Ω covers rounding.
            var expected = R0 + (R1 * (1 - Math.Exp(-PulseSeconds / Tau)));
            Assert.Equal(3, cycle.Pulses);
            Assert.Equal(expected, cycle.DcResistance, 1e-9);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StepsThatAreTooLongAreNotPulses()
    {
        // A 60 s step is beyond PulseMaxDuration (30 s): no pulse, no resistance.
        var path = Path.Combine(Path.GetTempPath(), $"steps-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, Synthesize([-2.0], pulseSeconds: 60));
            var cycle = Assert.Single(TelemetryParser.Parse(path, new CountingSink()).Cycles);
            Assert.Equal(0, cycle.Pulses);
            Assert.True(double.IsNaN(cycle.DcResistance));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Rest, then each pulse followed by a rest, sampled every second; Arbin classic columns with cumulative counters.</summary>
    private static string Synthesize(double[] pulses, double pulseSeconds = PulseSeconds)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder("Data_Point,Test_Time,DateTime,Step_Time,Step_Index,Cycle_Index,Current,Voltage,Charge_Capacity,Discharge_Capacity,Charge_Energy,Discharge_Energy,dV/dt,Internal_Resistance,Temperature\n");
        var point = 0;
        var time = 0.0;
        var step = 1;
        double qc = 0, qd = 0, ec = 0, ed = 0;
        var branch = 0.0;
        void Row(double stepTime, double current, double voltage)
        {
            point++;
            text.Append(string.Join(',', point.ToString(c), time.ToString("R", c), (1_600_000_000 + time).ToString("R", c), stepTime.ToString("R", c), step.ToString(c), "1",
                current.ToString("R", c), voltage.ToString("R", c), qc.ToString("R", c), qd.ToString("R", c), ec.ToString("R", c), ed.ToString("R", c), "0", "0", "25")).Append('\n');
        }

        void Rest(double seconds)
        {
            var start = branch;
            for (var t = 0.0; t <= seconds; t += 1)
            {
                branch = start * Math.Exp(-t / Tau);
                Row(t, 0, Ocv + branch);
                time += t < seconds ? 1 : 0;
            }
        }

        Rest(RestSeconds);
        foreach (var current in pulses)
        {
            step++;
            time += 1;
            for (var t = 0.0; t <= pulseSeconds; t += 1)
            {
                if (t > 0)
                {
                    // Constant current over the second that ended now: counters grow by |I|·1 s.
                    var dq = Math.Abs(current) / 3600;
                    var de = Math.Abs(current * (Ocv + (R0 * current) + branch)) / 3600;
                    (qc, qd, ec, ed) = current > 0 ? (qc + dq, qd, ec + de, ed) : (qc, qd + dq, ec, ed + de);
                    time += 1;
                }

                branch = R1 * current * (1 - Math.Exp(-t / Tau));
                Row(t, current, Ocv + (R0 * current) + branch);
            }

            step++;
            time += 1;
            Rest(RestSeconds);
        }

        return text.ToString();
    }
}
