// Ai2020 at 2C: the surface tangential stress over E of the particles at the separator, from the electrochemistry
// library's DFN (lumped thermal, stress-induced diffusion) through the mechanics library's sphere-stress model,
// against Ai et al.'s model output stn_2C.txt / stp_2C.txt.
using System.Globalization;
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Submodels;
using DigitalTwin.Physics.Mechanics.ChemicalStrain;
using DigitalTwin.Physics.Mechanics.Elasticity;
using DigitalTwin.Physics.Mechanics.ParameterSets;
using DigitalTwin.Physics.Mechanics.Particles;
using DigitalTwin.Physics.Mechanics.Sphere;
using DigitalTwin.Testing;
using Xunit.Abstractions;

namespace DigitalTwin.Physics.Coupled.Tests;

public sealed class Ai2020SurfaceStressTests(ITestOutputHelper output)
{
    /// <summary>
    /// σ_t(R)/E over time for the particle at the separator, at the centre of the adjacent control volume, and the
    /// closed form Ω (c̄ − c_s)/(3(1 − ν)) with the electrochemistry's own volume average (a check of the hand-over).
    /// </summary>
    private sealed record StressSeries(List<double> Time, List<double> Interface, List<double> LastVolume, List<double> ClosedForm);

    private static readonly Lazy<(StressSeries Negative, StressSeries Positive, double EndTime)> Run2C = new(Simulate);

    // The recipe of PyBaMM's notebook Validating_mechanical_models_Enertech_DFN (@7c9f5bd8): DFN, "thermal": "lumped"
    // with "cell geometry": "arbitrary", "particle mechanics": "swelling only" (which turns "stress-induced diffusion"
    // on), Ai2020 at 2C. Ai2020Paper restores the electrolyte diffusivity Ai et al. used (see its JSON).
    private static (StressSeries Negative, StressSeries Positive, double EndTime) Simulate()
    {
        var set = Electrochem.Parameters.ParameterSets.Get("Ai2020Paper");
        var options = new ModelOptions
        {
            Model = ModelKind.Dfn,
            Thermal = "lumped",
            StressInducedDiffusion = "true",
            PointsNegative = 30,
            PointsSeparator = 20,
            PointsPositive = 30,
            PointsParticle = 21,
            MaxStep = 20,
        };
        var model = (DfnModel)ModelFactory.Create(set, options);
        var mechanics = MechanicsParameterSet.Load("Ai2020");
        var negative = new Coupling(model.NegativeBank!, mechanics, "negative", model.NegativeBank!.Nodes - 1, model.NegativeBank.Nodes - 2);
        var positive = new Coupling(model.PositiveBank, mechanics, "positive", 0, 1);
        var runner = new ExperimentRunner
        {
            OutputPeriod = 2,
            SampleRecorded = s =>
            {
                negative.Record(s.Time);
                positive.Record(s.Time);
            },
        };
        var result = runner.Run(model, Experiment.Parse("Discharge at 2C until 3.0 V"));
        return (negative.Series, positive.Series, result.Samples[^1].Time);
    }

    /// <summary>
    /// Feeds one electrode's particle profiles to the mechanics: the particle at the separator (x = L_n, or the start of
    /// the positive electrode) by linear extrapolation of the two control volumes next to it, and the adjacent volume itself.
    /// </summary>
    private sealed class Coupling
    {
        private readonly ElectrodeBank _bank;
        private readonly int _adjacent;
        private readonly int _next;
        private readonly ParticleBatch _batch;
        private readonly double _youngsModulus;
        private readonly double _closedFormFactor;
        private readonly double[] _radius;
        private readonly double[] _c0;
        private readonly double[] _c1;
        private double _lastTime;

        public Coupling(ElectrodeBank bank, MechanicsParameterSet set, string electrode, int adjacent, int next)
        {
            _bank = bank;
            _adjacent = adjacent;
            _next = next;
            var points = bank.Particles.ProfilePoints;
            _radius = new double[points];
            _c0 = new double[points];
            _c1 = new double[points];
            bank.Profile(adjacent, 0, _radius, _c0);
            var e = set.Electrode(electrode);
            // The mechanics grid is the electrochemistry's own profile nodes (centre, volume centres, surface).
            var grid = SphereGrid.FromNodes(_radius);
            var separator = ParticleClass.Create($"{electrode}/separator", grid, IsotropicElasticity.Create(e.YoungsModulus, e.PoissonsRatio), e.Strain);
            var volume = ParticleClass.Create($"{electrode}/adjacent-volume", grid, IsotropicElasticity.Create(e.YoungsModulus, e.PoissonsRatio), e.Strain);
            _batch = new ParticleBatch([separator, volume]);
            _youngsModulus = e.YoungsModulus;
            var strain = (PartialMolarVolumeStrain)e.Strain;
            _closedFormFactor = strain.PartialMolarVolume / (3 * (1 - e.PoissonsRatio));
        }

        public StressSeries Series { get; } = new([], [], [], []);

        public void Record(double time)
        {
            _bank.Profile(_adjacent, 0, _radius, _c0);
            _bank.Profile(_next, 0, _radius, _c1);
            var n = _radius.Length;
            for (var i = 0; i < n; i++)
            {
                _batch.Concentration[i] = 1.5 * _c0[i] - 0.5 * _c1[i];
                _batch.Concentration[n + i] = _c0[i];
            }

            _batch.Step(Math.Max(time - _lastTime, 1e-9), 0);
            _lastTime = time;
            Series.Time.Add(time);
            Series.Interface.Add(_batch.SurfaceHoopStress[0] / _youngsModulus);
            Series.LastVolume.Add(_batch.SurfaceHoopStress[1] / _youngsModulus);
            var mean = 1.5 * _bank.Particles.Average(_adjacent * _bank.Classes) - 0.5 * _bank.Particles.Average(_next * _bank.Classes);
            Series.ClosedForm.Add(_closedFormFactor * (mean - _batch.Concentration[n - 1]));
        }
    }

    private static (double[] Time, double[] Value) Reference(string file)
    {
        var rows = File.ReadAllLines(SharedData.DataFile("reference", "discharge_data_enertech_ai2020", file))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(','))
            .Select(f => (T: double.Parse(f[0], CultureInfo.InvariantCulture), V: double.Parse(f[1], CultureInfo.InvariantCulture)))
            .ToArray();
        return ([.. rows.Select(r => r.T)], [.. rows.Select(r => r.V)]);
    }

    private static double Interpolate(List<double> t, List<double> v, double at)
    {
        var i = t.BinarySearch(at);
        if (i >= 0)
        {
            return v[i];
        }

        i = Math.Clamp(~i, 1, t.Count - 1);
        return v[i - 1] + (v[i] - v[i - 1]) * (at - t[i - 1]) / (t[i] - t[i - 1]);
    }

    private (double PeakError, double PeakTime, double Rms, double HandOver) Compare(string name, StressSeries ours, string file)
    {
        var (rt, rv) = Reference(file);
        var refPeak = rv.Max();
        var refPeakTime = rt[Array.IndexOf(rv, refPeak)];
        var peak = ours.Interface.Max();
        var peakTime = ours.Time[ours.Interface.IndexOf(peak)];
        double sum = 0, sumVolume = 0;
        var count = 0;
        for (var i = 0; i < rt.Length && rt[i] <= ours.Time[^1]; i++)
        {
            var d = Interpolate(ours.Time, ours.Interface, rt[i]) - rv[i];
            var dv = Interpolate(ours.Time, ours.LastVolume, rt[i]) - rv[i];
            sum += d * d;
            sumVolume += dv * dv;
            count++;
        }

        var rms = Math.Sqrt(sum / count) / refPeak;
        var volumePeak = ours.LastVolume.Max();
        output.WriteLine($"{name}: peak sigma_t/E {peak:E4} at {peakTime:F0} s vs Ai2020 {refPeak:E4} at {refPeakTime:F0} s " +
            $"({peak / refPeak - 1:+0.0%;-0.0%}), RMS {rms:P1} of the peak over {count} reference points");
        output.WriteLine($"  adjacent control volume (PyBaMM's notebook reads this one): peak {volumePeak:E4} ({volumePeak / refPeak - 1:+0.0%;-0.0%}), " +
            $"RMS {Math.Sqrt(sumVolume / count) / refPeak:P1}");
        foreach (var t in new[] { 100.0, 300, 600, 1000, 1400, 1700 })
        {
            output.WriteLine($"  t = {t,5} s: {Interpolate(ours.Time, ours.Interface, t):E3} vs {rv[Array.FindIndex(rt, x => x >= t)]:E3}");
        }

        var handOver = ours.Interface.Zip(ours.ClosedForm, (a, b) => Math.Abs(a - b)).Max() / peak;
        output.WriteLine($"  mechanics on the exported nodes vs the closed form with the finite-volume average: {handOver:E2} of the peak");
        return (peak / refPeak - 1, peakTime - refPeakTime, rms, handOver);
    }

    // Tolerances. The reference is another model's output (Ai et al.'s COMSOL electrochemical-thermal-mechanical
    // model), not a measurement, and PyBaMM's own reproduction with this recipe sits ≈ 11 % (negative) and ≈ 6 %
    // (positive) below its peaks (notebook figure @c3d63554). Our DFN follows that recipe; the remaining gap is the
    // 3D thermal field and mesh of Ai's model. So: peak within 10 %, peak time within 20 s (the positive peak is a
    // flat top, 142 s in the reference), RMS over the whole discharge within 8 % of the peak.
    [Fact]
    public void NegativeSurfaceStressAtTheSeparatorMatchesAi2020()
    {
        var (negative, _, _) = Run2C.Value;
        // stn_2C.txt: peak 1.5397e-3 at 136 s. Measured: -8.2 % at 136 s, RMS 6.9 % of the peak (adjacent volume: -12.4 %, 8.2 %).
        var (peakError, peakTime, rms, handOver) = Compare("negative", negative, "stn_2C.txt");
        Assert.InRange(peakError, -0.10, 0.10);
        Assert.InRange(peakTime, -20, 20);
        Assert.InRange(rms, 0, 0.08);
        // The cubic-interpolant integral of the exported point values against the exact finite-volume mean: O(dr^2).
        Assert.InRange(handOver, 0, 0.005);
    }

    [Fact]
    public void PositiveSurfaceStressAtTheSeparatorMatchesAi2020()
    {
        var (_, positive, _) = Run2C.Value;
        // stp_2C.txt: peak 3.5505e-4 at 142 s. Measured: -5.9 % at 130 s, RMS 7.4 % of the peak (adjacent volume: -6.5 %, 8.0 %).
        var (peakError, peakTime, rms, handOver) = Compare("positive", positive, "stp_2C.txt");
        Assert.InRange(peakError, -0.10, 0.10);
        Assert.InRange(peakTime, -20, 20);
        Assert.InRange(rms, 0, 0.08);
        // The cubic-interpolant integral of the exported point values against the exact finite-volume mean: O(dr^2).
        Assert.InRange(handOver, 0, 0.005);
    }
}
