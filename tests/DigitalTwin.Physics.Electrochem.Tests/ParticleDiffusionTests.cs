// Fickian finite volumes in a sphere against the analytic series solution for a constant surface flux
// (Crank, The Mathematics of Diffusion, 2nd ed., eq. 6.60), and the observed order of the space discretisation.
using DigitalTwin.Physics.Electrochem.Parameters;
using DigitalTwin.Physics.Electrochem.Submodels;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class ParticleDiffusionTests
{
    private const double Radius = 1e-5;
    private const double D = 1e-14;
    private const double C0 = 10000;
    private const double J = -2.0; // A/m2, lithiation: inflow N = -J/F

    private static double InflowFlux => -J / Constants.F;

    /// <summary>Crank eq. 6.60 at r = R: c - c0 = (N R / D) [3 tau + 1/5 - 2 sum exp(-a_n^2 tau) / a_n^2], tan a_n = a_n.</summary>
    private static double AnalyticSurface(double t)
    {
        var tau = D * t / (Radius * Radius);
        var sum = 0.0;
        for (var n = 1; n <= 400; n++)
        {
            var a = (n + 0.5) * Math.PI - 1e-3;
            for (var k = 0; k < 60; k++)
            {
                a -= (Math.Tan(a) - a) / (1 / (Math.Cos(a) * Math.Cos(a)) - 1);
            }

            sum += Math.Exp(-a * a * tau) / (a * a);
        }

        return C0 + InflowFlux * Radius / D * (3 * tau + 0.2 - 2 * sum);
    }

    /// <summary>Mass balance: mean rises by 3 N t / R exactly.</summary>
    private static double AnalyticMean(double t) => C0 + 3 * InflowFlux * t / Radius;

    private static FickianParticles Particle(int points)
    {
        var cls = new ParticleClass
        {
            Radius = Radius,
            VolumeFraction = 0.5,
            SurfaceAreaPerVolume = 3 * 0.5 / Radius,
            MaxConcentration = 50000,
            InitialConcentration = C0,
            Diffusivity = ParameterFunction.Constant(D, ["sto", "T"]),
            Ocp = ParameterFunction.Constant(4, ["sto"]),
            ExchangeCurrent = ParameterFunction.Constant(1, ["sto", "T"]),
            StoichiometryExchangeCurrent = true,
        };
        return new FickianParticles([cls], points, 298.15);
    }

    /// <summary>Fixed-step BDF2 (BDF1 first) with the flux held; returns (surface, mean) at each requested time.</summary>
    private static (double Surface, double Mean)[] Integrate(int points, double h, double[] times)
    {
        var p = Particle(points);
        var c = p.Concentration;
        var prev = c.ToArray();
        var hist = new double[points];
        var results = new List<(double, double)>();
        var t = 0.0;
        var ti = 0;
        var first = true;
        while (ti < times.Length)
        {
            var now = c.ToArray();
            double a0, a1, a2;
            if (first)
            {
                (a0, a1, a2) = (1, -1, 0);
                first = false;
            }
            else
            {
                (a0, a1, a2) = (1.5, -2, 0.5);
            }

            for (var i = 0; i < points; i++)
            {
                hist[i] = (a1 * now[i] + a2 * prev[i]) / h;
            }

            p.Linearise(0, J, a0 / h, hist, false, out _, out _);
            p.Update(0, 0);
            prev = now;
            t += h;
            if (Math.Abs(t - times[ti]) < 1e-6 * h)
            {
                results.Add((p.Surface(0, J), p.Average(0)));
                ti++;
            }
        }

        return [.. results];
    }

    [Fact]
    public void SurfaceAndMeanMatchTheSeriesSolutionWithinPointOnePercent()
    {
        // tau = D t / R^2 = 0.05, 0.1, 0.3 (R^2/D = 1e4 s); 40 volumes, 0.5 s steps.
        double[] times = [500, 1000, 3000];
        var numeric = Integrate(40, 0.5, times);
        for (var k = 0; k < times.Length; k++)
        {
            var surf = AnalyticSurface(times[k]);
            var mean = AnalyticMean(times[k]);
            // Issue 3 verification 1: within 0.1 % of the change from c0 (a stricter measure than of c itself).
            Assert.True(Math.Abs(numeric[k].Surface - surf) <= 1e-3 * (surf - C0), $"surface at t={times[k]}: {numeric[k].Surface} vs {surf}");
            Assert.True(Math.Abs(numeric[k].Mean - mean) <= 1e-3 * (mean - C0), $"mean at t={times[k]}: {numeric[k].Mean} vs {mean}");
        }
    }

    [Fact]
    public void SpaceDiscretisationConvergesAtSecondOrder()
    {
        // Cell-centred finite volumes with a quadratic surface reconstruction are second order in dr:
        // observed order log2(e_N / e_2N) must be at least 1.7 (2 expected; 0.3 allowance for the time error floor).
        double[] times = [1000];
        var errors = new[] { 5, 10, 20, 40 }.Select(n => Math.Abs(Integrate(n, 0.25, times)[0].Surface - AnalyticSurface(1000))).ToArray();
        for (var k = 0; k + 1 < errors.Length; k++)
        {
            var order = Math.Log2(errors[k] / errors[k + 1]);
            Assert.True(order >= 1.7, $"observed order {order:F2} between {errors[k]:G3} and {errors[k + 1]:G3}");
        }
    }
}
