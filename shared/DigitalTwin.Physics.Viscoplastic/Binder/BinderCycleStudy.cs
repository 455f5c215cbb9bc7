// Turns a cell's particle swelling history into a binder strain history, integrates the Perzyna–Ludwik law along
// it (sub-stepped) and reports per cycle: peak/mean stress, ε̄p, current yield stress and fracture margins.
using DigitalTwin.Physics.Viscoplastic.Drivers;
using DigitalTwin.Physics.Viscoplastic.Laws;

namespace DigitalTwin.Physics.Viscoplastic.Binder;

/// <summary>Particle swelling history: time [s], linear swelling strains of the two particles [-], cycle index.</summary>
public sealed record SwellingHistory(double[] Time, double[] Swelling1, double[] Swelling2, int[] Cycle)
{
    /// <summary>From particle-average stoichiometries: ε = β_L M_m c_max (x − x_ref) (seed 002 eq. 23).</summary>
    public static SwellingHistory FromStoichiometry(double[] time, double[] x1, double[] x2, int[] cycle,
        double strainPerStoichiometry, double referenceStoichiometry)
    {
        var p = new Problems("swelling history");
        if (time.Length < 2 || x1.Length != time.Length || x2.Length != time.Length || cycle.Length != time.Length)
        {
            p.Add($"history needs ≥ 2 samples of equal length (time {time.Length}, x1 {x1.Length}, x2 {x2.Length}, cycle {cycle.Length})");
        }
        else
        {
            for (var i = 0; i < time.Length; i++)
            {
                if (i > 0 && !(time[i] > time[i - 1]))
                {
                    p.Add($"sample {i}: time {time[i]} s does not increase");
                }

                if (!(x1[i] >= 0 && x1[i] <= 1) || !(x2[i] >= 0 && x2[i] <= 1))
                {
                    p.Add($"sample {i}: stoichiometry ({x1[i]}, {x2[i]}) outside [0, 1]");
                }
            }
        }

        p.ThrowIfAny();
        return new SwellingHistory(time, x1.Select(x => strainPerStoichiometry * (x - referenceStoichiometry)).ToArray(),
            x2.Select(x => strainPerStoichiometry * (x - referenceStoichiometry)).ToArray(), cycle);
    }

    /// <summary>
    /// Seed 002's five 1C cycles of NMC711: particle-average x from 0.91 down by Δx = 0.604 (90.5 % of the 0.668
    /// window, the 1C charge capacity) and back, each half cycle 0.905 h, linear in time, n samples per half cycle.
    /// </summary>
    public static SwellingHistory Seed002FiveCycles1C(double strainPerStoichiometry, int samplesPerHalfCycle = 200)
    {
        var n = 10 * samplesPerHalfCycle + 1;
        var time = new double[n];
        var x = new double[n];
        var cycle = new int[n];
        const double halfCycle = 0.905 * 3600;
        for (var i = 0; i < n; i++)
        {
            var h = i / samplesPerHalfCycle;
            var f = (double)(i % samplesPerHalfCycle) / samplesPerHalfCycle;
            if (i == n - 1)
            {
                h = 9;
                f = 1;
            }

            time[i] = (h + f) * halfCycle;
            x[i] = h % 2 == 0 ? 0.91 - 0.604 * f : 0.306 + 0.604 * f;
            cycle[i] = Math.Min(h / 2 + 1, 5);
        }

        return FromStoichiometry(time, x, x, cycle, strainPerStoichiometry, 0.91);
    }
}

/// <summary>One cycle of the binder report (SI).</summary>
public sealed record BinderCycleReport(
    int Cycle, double PeakVonMises, double MeanVonMises, double PeakMaxPrincipal, double AccumulatedPlasticStrain,
    double YieldStress, double StressMargin, double EnergyMargin, double WorkDensity, double PeakBinderStrain, double MinBinderStrain);

public static class BinderCycleStudy
{
    /// <summary>
    /// Integrates the binder along the history. <paramref name="fractureStress"/> [Pa] is the stress criterion;
    /// <paramref name="fractureWork"/> [J.m-3] the strain-energy criterion (work density to fracture in the
    /// calibration tensile test); margins are 1 − demand/capacity, so negative means fractured.
    /// </summary>
    public static IReadOnlyList<BinderCycleReport> Run(PerzynaLudwik law, BinderBridge bridge, SwellingHistory history,
        double fractureStress, double fractureWork)
    {
        var driver = bridge.Kind == BinderGeometryKind.Film ? MaterialPointDriver.PlaneStressBiaxial(law) : MaterialPointDriver.Uniaxial(law);
        var reports = new List<BinderCycleReport>();
        Span<double> target = stackalloc double[6];
        double work = 0, peakVm = 0, vmTime = 0, peakPrincipal = 0, cycleTime = 0, peakStrain = double.MinValue, minStrain = double.MaxValue;
        var previousStress = 0.0;
        var previousStrain = 0.0;
        var current = history.Cycle[0];
        for (var i = 1; i < history.Time.Length; i++)
        {
            var dt = history.Time[i] - history.Time[i - 1];
            var strain = bridge.BinderStrain(history.Swelling1[i], history.Swelling2[i]);
            target[0] = strain;
            target[1] = bridge.Kind == BinderGeometryKind.Film ? strain : 0;
            driver.Advance(target, 0, dt);
            var s = driver.Stress;
            var mean = (s[0] + s[1] + s[2]) / 3;
            var vm = Math.Sqrt(1.5 * ((s[0] - mean) * (s[0] - mean) + (s[1] - mean) * (s[1] - mean) + (s[2] - mean) * (s[2] - mean)
                + 2 * (s[3] * s[3] + s[4] * s[4] + s[5] * s[5])));
            // Work density ∫σ:dε along the prescribed (in-plane) components; the stress-free ones do no work.
            var factor = bridge.Kind == BinderGeometryKind.Film ? 2 : 1;
            work += factor * 0.5 * (s[0] + previousStress) * (strain - previousStrain);
            previousStress = s[0];
            previousStrain = strain;
            peakVm = Math.Max(peakVm, vm);
            peakPrincipal = Math.Max(peakPrincipal, s[0]);
            vmTime += vm * dt;
            cycleTime += dt;
            peakStrain = Math.Max(peakStrain, strain);
            minStrain = Math.Min(minStrain, strain);
            var last = i == history.Time.Length - 1;
            if (last || history.Cycle[i + 1] != current)
            {
                var p = driver.AccumulatedPlasticStrain;
                reports.Add(new BinderCycleReport(current, peakVm, vmTime / cycleTime, peakPrincipal, p, law.YieldStress(p),
                    1 - peakPrincipal / fractureStress, 1 - work / fractureWork, work, peakStrain, minStrain));
                if (!last)
                {
                    current = history.Cycle[i + 1];
                }

                peakVm = vmTime = peakPrincipal = cycleTime = 0;
                peakStrain = double.MinValue;
                minStrain = double.MaxValue;
            }
        }

        return reports;
    }
}
