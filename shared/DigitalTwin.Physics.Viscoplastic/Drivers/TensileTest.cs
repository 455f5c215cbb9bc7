// Constant-strain-rate uniaxial tension of a binder film (the PVdF calibration test of seed 002, Fig. 6).
using DigitalTwin.Physics.Viscoplastic.Laws;

namespace DigitalTwin.Physics.Viscoplastic.Drivers;

/// <summary>One stress–strain curve: axial strain [-], axial stress [Pa], ε̄p [-] and time [s] per sample.</summary>
public sealed record TensileCurve(double StrainRate, double[] Time, double[] Strain, double[] Stress, double[] PlasticStrain)
{
    /// <summary>Axial strain [-] at which the stress first reaches <paramref name="stress"/> [Pa] (interpolated), or NaN.</summary>
    public double StrainAtStress(double stress)
    {
        for (var i = 1; i < Stress.Length; i++)
        {
            if (Stress[i] >= stress)
            {
                var w = (stress - Stress[i - 1]) / (Stress[i] - Stress[i - 1]);
                return Strain[i - 1] + w * (Strain[i] - Strain[i - 1]);
            }
        }

        return double.NaN;
    }

    /// <summary>Axial stress [Pa] at axial strain ε [-] (interpolated).</summary>
    public double StressAtStrain(double strain) => Interpolate(Strain, Stress, strain);

    /// <summary>Axial stress [Pa] when ε̄p first reaches <paramref name="plasticStrain"/> (interpolated).</summary>
    public double StressAtPlasticStrain(double plasticStrain) => Interpolate(PlasticStrain, Stress, plasticStrain);

    /// <summary>Work density ∫σ dε [J.m-3] up to the strain where σ first reaches <paramref name="stress"/> [Pa].</summary>
    public double WorkToStress(double stress)
    {
        var w = 0.0;
        for (var i = 1; i < Stress.Length; i++)
        {
            if (Stress[i] >= stress)
            {
                var f = (stress - Stress[i - 1]) / (Stress[i] - Stress[i - 1]);
                return w + 0.5 * (Stress[i - 1] + stress) * f * (Strain[i] - Strain[i - 1]);
            }

            w += 0.5 * (Stress[i] + Stress[i - 1]) * (Strain[i] - Strain[i - 1]);
        }

        return double.NaN;
    }

    private static double Interpolate(double[] x, double[] y, double at)
    {
        for (var i = 1; i < x.Length; i++)
        {
            if (x[i] >= at)
            {
                var w = x[i] == x[i - 1] ? 1 : (at - x[i - 1]) / (x[i] - x[i - 1]);
                return y[i - 1] + w * (y[i] - y[i - 1]);
            }
        }

        return double.NaN;
    }
}

public static class TensileTest
{
    /// <summary>Pulls at ε̇ [s-1] to a final strain with a number of equal steps.</summary>
    public static TensileCurve Run(PerzynaLudwik law, double strainRate, double finalStrain, int steps)
    {
        var p = new Problems("tensile test");
        p.Positive("strain rate", strainRate, "s-1");
        p.Positive("final strain", finalStrain, "-");
        if (steps < 1)
        {
            p.Add($"steps = {steps} must be at least 1");
        }

        p.ThrowIfAny();
        var driver = MaterialPointDriver.Uniaxial(law);
        var dt = finalStrain / strainRate / steps;
        var time = new double[steps + 1];
        var strain = new double[steps + 1];
        var stress = new double[steps + 1];
        var plastic = new double[steps + 1];
        Span<double> target = stackalloc double[6];
        for (var k = 1; k <= steps; k++)
        {
            target[0] = finalStrain * k / steps;
            driver.Advance(target, 0, dt);
            time[k] = k * dt;
            strain[k] = target[0];
            stress[k] = driver.Stress[0];
            plastic[k] = driver.AccumulatedPlasticStrain;
        }

        return new TensileCurve(strainRate, time, strain, stress, plastic);
    }
}
