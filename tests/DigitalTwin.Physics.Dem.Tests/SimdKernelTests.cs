// The 4-lane contact kernel against its scalar reference (STYLE §11): every law combination of the
// registry, batches of 1..256 random pairs (touching, separated, sticking and sliding), bitwise equal
// outputs and shear history; and a whole run with every law on gives the same bits either way.
using DigitalTwin.Physics.Dem.Contact;
using DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Physics.Dem.Tests;

public class SimdKernelTests
{
    public static TheoryData<string, string, string, string, string, bool, bool> Combinations()
    {
        var data = new TheoryData<string, string, string, string, string, bool, bool>();
        foreach (var n in new[] { "hertz", "hooke", "none" })
        {
            foreach (var d in new[] { "viscous", "none" })
            {
                foreach (var t in new[] { "history", "none" })
                {
                    foreach (var c in new[] { "sjkr", "none" })
                    {
                        foreach (var r in new[] { "cdt", "none" })
                        {
                            data.Add(n, d, t, c, r, true, true);
                        }
                    }
                }
            }
        }

        data.Add("hertz", "viscous", "history", "none", "none", false, true);
        data.Add("hertz", "viscous", "history", "none", "none", true, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void VectorLanesEqualTheScalarReferenceForEveryLength(string normal, string damping, string tangential, string cohesion, string rolling, bool tangentialDamping, bool limitForce)
    {
        var options = new ContactModelOptions
        {
            Normal = normal, Damping = damping, Tangential = tangential, Cohesion = cohesion, Rolling = rolling,
            TangentialDamping = tangentialDamping, LimitForce = limitForce,
        };
        var table = new MaterialTable(
            [new DemMaterial("AM", 140e9, 0.3), new DemMaterial("SE", 22e9, 0.25), new DemMaterial("wall", 210e9, 0.3)],
            (i, j) => new DemPairProperties(0.3 + 0.1 * (i + j), 0.2 + 0.1 * (i + j), 1e8 * (1 + i + j), 0.05 * (1 + i + j)));
        var kernel = ContactLawRegistry.CreateKernel(options, table);
        var rng = new SplitMix64(11);
        for (var length = 1; length <= 256; length++)
        {
            var input = RandomPairs(rng, length);
            var scalar = Run(kernel, input, length, simd: false);
            var vector = Run(kernel, input, length, simd: true);
            for (var k = 0; k < scalar.Length; k++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(scalar[k]) == BitConverter.DoubleToInt64Bits(vector[k]),
                    $"{normal}/{damping}/{tangential}/{cohesion}/{rolling}, length {length}, output {k}: scalar {scalar[k]:R} vs vector {vector[k]:R}");
            }
        }
    }

    [Fact]
    public void WholeRunWithEveryLawIsBitwiseTheSameWithAndWithoutSimd()
    {
        var m = new MaterialTable([new DemMaterial("A", 140e9, 0.3)], (_, _) => new DemPairProperties(0.5, 0.4, 5e8, 0.1));
        var contact = new ContactModelOptions { Cohesion = "sjkr", Rolling = "cdt" };
        using var a = ConservationTests.Gas(m, contact, 1);
        using var b = ConservationTests.Gas(m, contact, 2);
        a.UseSimd = false;
        b.UseSimd = true;
        // ~1 m/s against a 0.2 um half-skin at dt = 2e-11 s: the first rebuild comes after ~6000 steps
        a.Run(12_000);
        b.Run(12_000);
        Assert.True(a.NeighborBuilds > 1, "the run must rebuild its lists at least once");
        Assert.Equal(a.Positions.ToArray(), b.Positions.ToArray());
        Assert.Equal(a.Velocities.ToArray(), b.Velocities.ToArray());
        Assert.Equal(a.AngularVelocities.ToArray(), b.AngularVelocities.ToArray());
    }

    private sealed record Pairs(double[][] Fields, int[] Types, double[] Sx, double[] Sy, double[] Sz);

    /// <summary>Pairs with radii 1-5 um around contact distance: about two thirds overlap, shear from empty to far past the Coulomb cap.</summary>
    private static Pairs RandomPairs(SplitMix64 rng, int n)
    {
        var f = new double[PairScratch.Wjz + 1][];
        for (var k = 0; k < f.Length; k++)
        {
            f[k] = new double[n];
        }

        var types = new int[n];
        double[] sx = new double[n], sy = new double[n], sz = new double[n];
        for (var p = 0; p < n; p++)
        {
            var ri = 1e-6 + 4e-6 * rng.NextDouble();
            var rj = 1e-6 + 4e-6 * rng.NextDouble();
            var dist = (ri + rj) * (0.9 + 0.15 * rng.NextDouble());
            double[] dir = [rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5];
            var len = Math.Sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
            f[PairScratch.Dx][p] = dist * dir[0] / len;
            f[PairScratch.Dy][p] = dist * dir[1] / len;
            f[PairScratch.Dz][p] = dist * dir[2] / len;
            f[PairScratch.Ri][p] = ri;
            f[PairScratch.Rj][p] = rj;
            f[PairScratch.Mi][p] = 4750 * 4.18879 * ri * ri * ri;
            f[PairScratch.Mj][p] = 1640 * 4.18879 * rj * rj * rj;
            for (var a = 0; a < 3; a++)
            {
                f[PairScratch.Vx + a][p] = 2 * rng.NextDouble() - 1;
                f[PairScratch.Wix + a][p] = rng.NextDouble() < 0.1 ? 0 : 2e5 * (rng.NextDouble() - 0.5);
                f[PairScratch.Wjx + a][p] = f[PairScratch.Wix + a][p] == 0 ? 0 : 2e5 * (rng.NextDouble() - 0.5);
            }

            var scale = rng.NextDouble() < 0.2 ? 0 : Math.Pow(10, -10 + 3 * rng.NextDouble());
            sx[p] = scale * (rng.NextDouble() - 0.5);
            sy[p] = scale * (rng.NextDouble() - 0.5);
            sz[p] = scale * (rng.NextDouble() - 0.5);
            types[p] = (int)(rng.NextDouble() * 2) * 3 + (int)(rng.NextDouble() * 2);
        }

        return new Pairs(f, types, sx, sy, sz);
    }

    /// <summary>Evaluates the pairs in scratch-sized chunks as the force loop does; returns every output and the new shear.</summary>
    private static double[] Run(IForceKernel kernel, Pairs input, int n, bool simd)
    {
        var scratch = new PairScratch();
        var sx = (double[])input.Sx.Clone();
        var sy = (double[])input.Sy.Clone();
        var sz = (double[])input.Sz.Clone();
        var outputs = new List<double>();
        for (var p0 = 0; p0 < n; p0 += PairScratch.Lanes)
        {
            var count = Math.Min(PairScratch.Lanes, n - p0);
            for (var k = 0; k < count; k++)
            {
                for (var field = 0; field < input.Fields.Length; field++)
                {
                    scratch.At(field, k) = input.Fields[field][p0 + k];
                }

                scratch.PairType[k] = input.Types[p0 + k];
            }

            kernel.Evaluate(scratch, count, 2e-10, simd, sx, sy, sz, p0);
            for (var k = 0; k < count; k++)
            {
                for (var field = PairScratch.Fx; field < PairScratch.Fields; field++)
                {
                    outputs.Add(scratch.At(field, k));
                }
            }
        }

        outputs.AddRange(sx);
        outputs.AddRange(sy);
        outputs.AddRange(sz);
        return outputs.ToArray();
    }
}
