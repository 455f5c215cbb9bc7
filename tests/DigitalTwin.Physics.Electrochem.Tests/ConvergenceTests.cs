// Observed orders of convergence of the DFN from refinement studies in time (fixed-step BDF2) and in x and r
// (issue 3 verification 3). The quantity is the terminal voltage after 30 minutes of a 1C discharge (Marquis2019).
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;
using Xunit.Abstractions;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class ConvergenceTests(ITestOutputHelper output)
{
    private static double VoltageAfter(ModelOptions options, double h, double duration = 1800)
    {
        var model = ModelFactory.Create(ParameterSets.Get("Marquis2019"), options);
        var control = Control.Amps(model.Cell.OneC);
        Assert.Equal(StepStatus.Converged, model.Initialise(control));
        var steps = (int)Math.Round(duration / h);
        for (var k = 0; k < steps; k++)
        {
            Assert.Equal(StepStatus.Converged, model.TryStep(h, control, k == 0 ? 1 : 2));
            model.Accept(h);
        }

        return model.Voltage;
    }

    private static double[] Orders(double[] values, double reference)
    {
        var e = values.Select(v => Math.Abs(v - reference)).ToArray();
        return Enumerable.Range(0, e.Length - 1).Select(k => Math.Log2(e[k] / e[k + 1])).ToArray();
    }

    [Fact]
    public void TimeStepping_IsSecondOrder()
    {
        var options = new ModelOptions { PointsNegative = 10, PointsSeparator = 5, PointsPositive = 10, PointsParticle = 10 };
        double[] steps = [120, 60, 30, 15];
        var v = steps.Select(h => VoltageAfter(options, h)).ToArray();
        var reference = VoltageAfter(options, 1.875);
        var orders = Orders(v, reference);
        output.WriteLine($"time: errors {string.Join(", ", v.Select(x => $"{Math.Abs(x - reference):E2}"))}; orders {string.Join(", ", orders.Select(o => o.ToString("F2")))}");
        // Variable-step BDF2 is second order; the first BDF1 step adds an O(h^2) term, so 2 is expected. Allowance 0.3.
        Assert.All(orders, o => Assert.InRange(o, 1.7, 2.6));
    }

    [Fact]
    public void SpaceInX_ConvergesAtSecondOrder()
    {
        double[] n = [5, 10, 20];
        ModelOptions Opt(double k) => new() { PointsNegative = (int)k, PointsSeparator = (int)k, PointsPositive = (int)k, PointsParticle = 10 };
        var v = n.Select(k => VoltageAfter(Opt(k), 30)).ToArray();
        var reference = VoltageAfter(Opt(80), 30);
        var orders = Orders(v, reference);
        output.WriteLine($"x: errors {string.Join(", ", v.Select(x => $"{Math.Abs(x - reference):E2}"))}; orders {string.Join(", ", orders.Select(o => o.ToString("F2")))}");
        // Cell-centred finite volumes with harmonic face coefficients (flux-continuous at the domain interfaces):
        // second order. Allowance 0.3.
        Assert.All(orders, o => Assert.True(o >= 1.7, $"order {o:F2}"));
    }

    [Fact]
    public void SpaceInR_ConvergesAtSecondOrder()
    {
        double[] n = [5, 10, 20];
        ModelOptions Opt(double k) => new() { PointsNegative = 10, PointsSeparator = 5, PointsPositive = 10, PointsParticle = (int)k };
        var v = n.Select(k => VoltageAfter(Opt(k), 30)).ToArray();
        var reference = VoltageAfter(Opt(80), 30);
        var orders = Orders(v, reference);
        output.WriteLine($"r: errors {string.Join(", ", v.Select(x => $"{Math.Abs(x - reference):E2}"))}; orders {string.Join(", ", orders.Select(o => o.ToString("F2")))}");
        // Spherical finite volumes with the quadratic surface reconstruction: second order (see the analytic test). Allowance 0.3.
        Assert.All(orders, o => Assert.True(o >= 1.7, $"order {o:F2}"));
    }
}
