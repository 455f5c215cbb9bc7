// Radial grid of a spherical particle with precomputed quadrature weights for ∫ r² θ(r) dr,
// so a stress evaluation is one O(N) pass with no allocation.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DigitalTwin.Physics.Mechanics.Sphere;

/// <summary>Nodes r_0 = 0 &lt; r_1 &lt; … &lt; r_(N−1) = R, shared by every particle class of one size.</summary>
public sealed class SphereGrid
{
    // Each segment integral uses the cubic Lagrange interpolant through up to 4 neighbouring nodes,
    // integrated exactly against r² (3-point Gauss–Legendre is exact for degree 5).
    private const int Stencil = 4;
    private readonly double[] _radius;
    private readonly int[] _stencilStart;
    private readonly double[] _weights;
    private readonly double[] _inverseCube;
    private readonly double[] _volumeWeights;

    private SphereGrid(double[] radius)
    {
        _radius = radius;
        _inverseCube = new double[radius.Length];
        for (var i = 1; i < radius.Length; i++)
        {
            _inverseCube[i] = 1 / (radius[i] * radius[i] * radius[i]);
        }

        var segments = radius.Length - 1;
        _stencilStart = new int[segments];
        _weights = new double[segments * Stencil];
        var width = Math.Min(Stencil, radius.Length);
        Span<double> gaussPoint = [-Math.Sqrt(0.6), 0, Math.Sqrt(0.6)];
        Span<double> gaussWeight = [5.0 / 9, 8.0 / 9, 5.0 / 9];
        for (var i = 0; i < segments; i++)
        {
            var start = Math.Clamp(i - 1, 0, radius.Length - width);
            _stencilStart[i] = start;
            var a = radius[i];
            var b = radius[i + 1];
            for (var g = 0; g < 3; g++)
            {
                var r = 0.5 * (a + b) + 0.5 * (b - a) * gaussPoint[g];
                var factor = 0.5 * (b - a) * gaussWeight[g] * r * r;
                for (var j = 0; j < width; j++)
                {
                    var basis = 1.0;
                    for (var k = 0; k < width; k++)
                    {
                        if (k != j)
                        {
                            basis *= (r - radius[start + k]) / (radius[start + j] - radius[start + k]);
                        }
                    }

                    _weights[i * Stencil + j] += factor * basis;
                }
            }
        }

        // 3/R³ Σ_segments Σ_j w θ_j collapsed per node: the volume average is one dot product.
        _volumeWeights = new double[radius.Length];
        var r3 = radius[^1] * radius[^1] * radius[^1];
        for (var i = 0; i < segments; i++)
        {
            for (var j = 0; j < width; j++)
            {
                _volumeWeights[_stencilStart[i] + j] += 3 * _weights[i * Stencil + j] / r3;
            }
        }
    }

    /// <summary>Weights whose dot product with a nodal field is its volume average.</summary>
    public ReadOnlySpan<double> VolumeWeights => _volumeWeights;

    /// <summary>Number of nodes.</summary>
    public int Count => _radius.Length;

    /// <summary>Particle radius R [m].</summary>
    public double Radius => _radius[^1];

    /// <summary>Node radii [m].</summary>
    public ReadOnlySpan<double> Nodes => _radius;

    /// <summary>1 / r_i³ [m-3] (0 at the centre), so the stress loop needs no division.</summary>
    public ReadOnlySpan<double> InverseCube => _inverseCube;

    /// <summary>A grid of <paramref name="count"/> equally spaced nodes from 0 to R.</summary>
    public static SphereGrid Uniform(double radius, int count)
    {
        var problems = new ParameterProblems("sphere grid");
        problems.Positive("particle radius", radius, "m");
        if (count < 2)
        {
            problems.Add($"node count = {count} must be at least 2");
        }

        problems.ThrowIfAny();
        var nodes = new double[count];
        for (var i = 0; i < count; i++)
        {
            nodes[i] = radius * i / (count - 1);
        }

        nodes[^1] = radius;
        return new SphereGrid(nodes);
    }

    /// <summary>A grid from given node radii, which must start at 0 and increase strictly.</summary>
    public static SphereGrid FromNodes(IReadOnlyList<double> nodes)
    {
        var problems = new ParameterProblems("sphere grid");
        if (nodes.Count < 2)
        {
            problems.Add($"node count = {nodes.Count} must be at least 2");
        }
        else
        {
            if (nodes[0] != 0)
            {
                problems.Add($"first node r[0] = {nodes[0]} m must be 0 (the particle centre)");
            }

            for (var i = 1; i < nodes.Count; i++)
            {
                if (!(nodes[i] > nodes[i - 1]) || !double.IsFinite(nodes[i]))
                {
                    problems.Add($"node r[{i}] = {nodes[i]} m is not above r[{i - 1}] = {nodes[i - 1]} m");
                }
            }
        }

        problems.ThrowIfAny();
        return new SphereGrid([.. nodes]);
    }

    /// <summary>Cumulative integrals I_i = ∫_0^{r_i} r² θ dr for a nodal field θ.</summary>
    public void CumulativeMoment(ReadOnlySpan<double> theta, Span<double> moment)
    {
        var n = _radius.Length;
        if (theta.Length < n || moment.Length < n)
        {
            throw new ArgumentException($"fields need {n} entries (theta {theta.Length}, moment {moment.Length})");
        }

        moment[0] = 0;
        if (n < Stencil)
        {
            var sum0 = 0.0;
            for (var i = 0; i < n - 1; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    sum0 += _weights[i * Stencil + j] * theta[_stencilStart[i] + j];
                }

                moment[i + 1] = sum0;
            }

            return;
        }

        // Hot path: four weights per segment, unrolled, no bounds checks (lengths checked above).
        ref var w = ref MemoryMarshal.GetArrayDataReference(_weights);
        ref var start = ref MemoryMarshal.GetArrayDataReference(_stencilStart);
        ref var t = ref MemoryMarshal.GetReference(theta);
        ref var m = ref MemoryMarshal.GetReference(moment);
        var sum = 0.0;
        for (var i = 0; i < n - 1; i++)
        {
            ref var wi = ref Unsafe.Add(ref w, i * Stencil);
            ref var ti = ref Unsafe.Add(ref t, Unsafe.Add(ref start, i));
            sum += wi * ti + Unsafe.Add(ref wi, 1) * Unsafe.Add(ref ti, 1) + Unsafe.Add(ref wi, 2) * Unsafe.Add(ref ti, 2)
                + Unsafe.Add(ref wi, 3) * Unsafe.Add(ref ti, 3);
            Unsafe.Add(ref m, i + 1) = sum;
        }
    }

    /// <summary>Volume average 3/R³ ∫ r² θ dr of a nodal field.</summary>
    public double VolumeAverage(ReadOnlySpan<double> theta)
    {
        var w = _volumeWeights;
        var sum = 0.0;
        for (var i = 0; i < w.Length; i++)
        {
            sum += w[i] * theta[i];
        }

        return sum;
    }
}
