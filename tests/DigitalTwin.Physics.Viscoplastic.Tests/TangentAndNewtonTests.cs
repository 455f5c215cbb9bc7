// The consistent tangent against finite differences, and quadratic convergence of a global Newton solve on a
// small multi-element (2×2×2 hexahedra) problem with inhomogeneous swelling.
using DigitalTwin.Physics.Viscoplastic.Laws;

namespace DigitalTwin.Physics.Viscoplastic.Tests;

public sealed class TangentAndNewtonTests
{
    public static TheoryData<string, double, double, double, OverstressReference> Laws => new()
    {
        { "Ludwik n=2, b=1, σy-normalised (seed 002)", 2, 1, 8e-3, OverstressReference.CurrentYieldStress },
        { "Ludwik n=2, b=3", 2, 3, 8e-3, OverstressReference.CurrentYieldStress },
        { "linear, b=1, σy0-normalised", 1, 1, 8e-3, OverstressReference.InitialYieldStress },
        { "Ludwik n=1.5, rate-independent", 1.5, 1, double.PositiveInfinity, OverstressReference.CurrentYieldStress },
    };

    [Theory]
    [MemberData(nameof(Laws))]
    public void ConsistentTangentMatchesCentralDifferences(string name, double n, double b, double a, OverstressReference reference)
    {
        var law = PerzynaLudwik.Create(1.05e9, 0.326, 19.36e6, 5.94e9, n, a, b, reference, maximumPlasticIncrement: 1);
        var random = new Random(42);
        var plasticSamples = 0;
        for (var sample = 0; sample < 20; sample++)
        {
            // A pre-strained state, then a step that may be elastic or plastic.
            var plastic = new double[6];
            var p = 0.0;
            var strain = new double[6];
            for (var i = 0; i < 6; i++)
            {
                strain[i] = 0.03 * (random.NextDouble() - 0.5);
            }

            var stress = new double[6];
            law.Update(strain, [], 1.0, plastic, ref p, stress, []);
            for (var i = 0; i < 6; i++)
            {
                strain[i] += 0.04 * (random.NextDouble() - 0.5);
            }

            var tangent = new double[36];
            var status = law.Update(strain, [0.001, 0.001, 0.001, 0, 0, 0], 0.7, (double[])plastic.Clone(), ref Fresh(p), stress, tangent);
            var fd = new double[36];
            const double h = 1e-7;
            for (var j = 0; j < 6; j++)
            {
                var plus = (double[])strain.Clone();
                var minus = (double[])strain.Clone();
                plus[j] += h;
                minus[j] -= h;
                var sp = new double[6];
                var sm = new double[6];
                law.Update(plus, [0.001, 0.001, 0.001, 0, 0, 0], 0.7, (double[])plastic.Clone(), ref Fresh(p), sp, []);
                law.Update(minus, [0.001, 0.001, 0.001, 0, 0, 0], 0.7, (double[])plastic.Clone(), ref Fresh(p), sm, []);
                for (var i = 0; i < 6; i++)
                {
                    fd[i * 6 + j] = (sp[i] - sm[i]) / (2 * h);
                }
            }

            plasticSamples += status == UpdateStatus.Plastic ? 1 : 0;
            var scale = tangent.Max(Math.Abs);
            var error = tangent.Zip(fd, (x, y) => Math.Abs(x - y)).Max() / scale;
            Assert.True(error <= 1e-6, $"{name}, sample {sample} ({status}): relative tangent error {error:E2}");
        }

        Assert.True(plasticSamples >= 5, $"{name}: only {plasticSamples} of 20 samples were plastic");
    }

    // A fresh copy of p for each call (the update writes through the ref).
    private static ref double Fresh(double p)
    {
        var box = new double[] { p };
        return ref box[0];
    }

    [Fact]
    public void GlobalNewtonConvergesQuadraticallyOnAMultiElementProblem()
    {
        var law = PerzynaLudwik.Create(1.05e9, 0.326, 19.36e6, 5.94e9, 2, 8e-3, 1, maximumPlasticIncrement: 1);
        var mesh = new HexMesh(2, 2, 2, 1e-6, law);
        // Swelling of one corner element (a particle pushing on the binder) plus stretching of the top face.
        mesh.SetSwelling(0, 0.02);
        var residuals = mesh.Solve(topDisplacement: 0.05e-6, timeStep: 10);
        Assert.True(mesh.PlasticPoints > 0, "the step must be plastic somewhere");
        Assert.True(residuals[^1] < 1e-10 * residuals[0], $"residuals: {string.Join(", ", residuals.Select(r => r.ToString("E2")))}");
        // Quadratic: once in the asymptotic range, log r_{k+1} ≈ 2 log r_k (relative to r_0); observed order ≥ 1.8.
        var best = 0.0;
        for (var k = 1; k + 1 < residuals.Length; k++)
        {
            var r0 = residuals[k - 1] / residuals[0];
            var r1 = residuals[k] / residuals[0];
            var r2 = residuals[k + 1] / residuals[0];
            if (r1 < 1e-2 && r2 > 1e-14)
            {
                best = Math.Max(best, Math.Log(r2 / r1) / Math.Log(r1 / r0));
            }
        }

        Assert.True(best >= 1.8, $"observed convergence order {best:F2}; residuals {string.Join(", ", residuals.Select(r => r.ToString("E2")))}");
    }
}
