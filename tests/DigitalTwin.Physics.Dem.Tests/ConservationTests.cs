// Physics invariants: energy with damping and friction off (velocity Verlet is symplectic, so the
// energy only oscillates), linear momentum with every law on (pair forces are exactly antisymmetric).
using DigitalTwin.Physics.Dem.Computes;
using DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Physics.Dem.Tests;

public class ConservationTests
{
    [Fact]
    public void EnergyDriftStaysBelowOnePartPerMillionOver10kSteps()
    {
        var m = TestSystems.OneMaterial();
        using var s = Gas(m, TestSystems.Elastic, 1);
        var e = new double[10_000];
        for (var k = 0; k < e.Length; k++)
        {
            s.Run(1);
            e[k] = Monitors.KineticEnergy(s) + Monitors.HertzElasticEnergy(s);
        }

        // drift = change of the mean energy between the first and last 1000 steps (the Verlet oscillation averages out)
        var drift = Math.Abs(e[^1000..].Average() - e[..1000].Average()) / e[..1000].Average();
        Assert.True(drift <= 1e-6, $"relative energy drift {drift:G3} over 1e4 steps");
        Assert.True(s.NeighborPairs > 0, "the gas must collide for the test to mean anything");
    }

    [Fact]
    public void MomentumIsConservedWithDampingFrictionAndRolling()
    {
        var m = new MaterialTable([new DemMaterial("A", 140e9, 0.3)], (_, _) => new DemPairProperties(0.5, 0.4, 0, 0.1));
        using var s = Gas(m, new Contact.ContactModelOptions { Rolling = "cdt" }, 2);
        var p0 = Monitors.Momentum(s);
        var scale = Enumerable.Range(0, s.ParticleCount).Sum(i => s.Masses[i] * Math.Abs(s.Velocities[3 * i]));
        s.Run(5000);
        var p1 = Monitors.Momentum(s);
        for (var a = 0; a < 3; a++)
        {
            // round-off only: 1e-12 of the summed momentum magnitudes
            Assert.True(Math.Abs(p1[a] - p0[a]) < 1e-12 * scale, $"momentum {"xyz"[a]} changed from {p0[a]:G6} to {p1[a]:G6}");
        }

        Assert.True(Monitors.KineticEnergy(s) > 0);
    }

    /// <summary>Monodisperse spheres at random positions in a fully periodic box, random velocities of 1 m/s scale.</summary>
    internal static DemSystem Gas(MaterialTable m, Contact.ContactModelOptions contact, int threads, int n = 300)
    {
        const double r = 2e-6;
        var l = Math.Cbrt(n * 4.0 / 3.0 * Math.PI * r * r * r / 0.3);
        var rng = new SplitMix64(7);
        var xs = new List<double[]>();
        while (xs.Count < n)
        {
            double[] c = [rng.NextDouble() * l, rng.NextDouble() * l, rng.NextDouble() * l];
            if (xs.All(o => Dist2(o, c, l) > 4.05 * r * r))
            {
                xs.Add(c);
            }
        }

        var input = new ParticleInput
        {
            X = xs.Select(c => c[0]).ToArray(), Y = xs.Select(c => c[1]).ToArray(), Z = xs.Select(c => c[2]).ToArray(),
            Radius = Enumerable.Repeat(r, n).ToArray(), Density = Enumerable.Repeat(4750.0, n).ToArray(), Type = new int[n],
            Vx = xs.Select(_ => rng.NextDouble() * 2 - 1).ToArray(), Vy = xs.Select(_ => rng.NextDouble() * 2 - 1).ToArray(),
            Vz = xs.Select(_ => rng.NextDouble() * 2 - 1).ToArray(),
        };
        var box = new DemBox([0, 0, 0], [l, l, l], [true, true, true]);
        return new DemSystem(m, box, input, [], new DemSettings { TimeStep = 2e-11, Skin = 0.4e-6, Contact = contact, Threads = threads, MinParticlesPerThread = 1 });
    }

    private static double Dist2(double[] a, double[] b, double l)
    {
        var s = 0.0;
        for (var k = 0; k < 3; k++)
        {
            var d = a[k] - b[k];
            d -= l * Math.Round(d / l);
            s += d * d;
        }

        return s;
    }
}
