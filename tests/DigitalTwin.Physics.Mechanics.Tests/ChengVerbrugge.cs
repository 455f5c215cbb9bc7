// Closed-form galvanostatic sphere (Cheng & Verbrugge, J. Power Sources 190 (2009) 453, eqs. 10-14):
// concentration for a constant influx J from a uniform c0, and its running volume average c̄(r),
// which gives the stresses through σ_r = 2EΩ/(9(1−ν)) (c̄_R − c̄_r), σ_θ = EΩ/(9(1−ν)) (2c̄_R + c̄_r − 3c).
namespace DigitalTwin.Physics.Mechanics.Tests;

internal static class ChengVerbrugge
{
    // Positive roots of tan λ = λ.
    private static readonly double[] Roots = ComputeRoots(400);

    /// <summary>(c − c0) / (J R / D) at ρ = r/R, τ = D t / R².</summary>
    public static double Concentration(double rho, double tau)
    {
        var sum = 0.0;
        foreach (var l in Roots)
        {
            var decay = Math.Exp(-l * l * tau);
            if (decay < 1e-300)
            {
                break;
            }

            var term = rho < 1e-8 ? l : Math.Sin(l * rho) / rho;
            sum += term / (l * l * Math.Sin(l)) * decay;
        }

        return 3 * tau + 0.5 * rho * rho - 0.3 - 2 * sum;
    }

    /// <summary>(c̄(ρ) − c0) / (J R / D), c̄(ρ) = 3/ρ³ ∫_0^ρ c ρ'² dρ'.</summary>
    public static double RunningAverage(double rho, double tau)
    {
        if (rho < 1e-6)
        {
            return Concentration(0, tau);
        }

        var sum = 0.0;
        foreach (var l in Roots)
        {
            var decay = Math.Exp(-l * l * tau);
            if (decay < 1e-300)
            {
                break;
            }

            sum += (Math.Sin(l * rho) - l * rho * Math.Cos(l * rho)) / (Math.Pow(l, 4) * rho * rho * rho * Math.Sin(l)) * decay;
        }

        return 3 * tau + 0.3 * rho * rho - 0.3 - 6 * sum;
    }

    private static double[] ComputeRoots(int count)
    {
        var roots = new double[count];
        for (var k = 1; k <= count; k++)
        {
            // Root in (kπ, kπ + π/2): Newton on f = sin λ − λ cos λ from just below the asymptote.
            var x = (k + 0.5) * Math.PI - 1e-3;
            for (var it = 0; it < 100; it++)
            {
                var f = Math.Sin(x) - x * Math.Cos(x);
                var df = x * Math.Sin(x);
                var step = f / df;
                x -= step;
                if (Math.Abs(step) < 1e-15 * x)
                {
                    break;
                }
            }

            roots[k - 1] = x;
        }

        return roots;
    }
}
