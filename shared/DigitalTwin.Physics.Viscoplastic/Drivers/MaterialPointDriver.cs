// Drives one material point along a mixed strain/stress-controlled path: prescribed strain components follow the
// path, the others are solved for a target stress (zero by default) by Newton with the consistent tangent.
// Increments the law refuses are halved recursively (sub-stepping); a path that still fails is refused with the reason.
using DigitalTwin.Physics.Viscoplastic.Laws;

namespace DigitalTwin.Physics.Viscoplastic.Drivers;

public sealed class MaterialPointDriver
{
    private readonly PerzynaLudwik _law;
    private readonly bool[] _stressControlled;
    private readonly double[] _tangent = new double[36];
    private readonly double[] _trialPlastic = new double[6];
    private readonly double[] _trialStrain = new double[6];
    private readonly double[] _eigen = new double[6];

    /// <remarks><c>stressControlled</c>: per Voigt component, true if its stress is held at zero (e.g. uniaxial stress: 22, 33, shears).</remarks>
    public MaterialPointDriver(PerzynaLudwik law, IReadOnlyList<bool> stressControlled)
    {
        if (stressControlled.Count != 6)
        {
            throw new ViscoplasticInputException("material point driver", [$"stress-control mask has {stressControlled.Count} entries, needs 6"]);
        }

        _law = law;
        _stressControlled = [.. stressControlled];
    }

    /// <summary>Uniaxial stress along 11 (all other stresses zero).</summary>
    public static MaterialPointDriver Uniaxial(PerzynaLudwik law) => new(law, [false, true, true, true, true, true]);

    /// <summary>Equibiaxial in-plane strain 11 = 22 with σ33 = 0 (a film bonded to a swelling particle).</summary>
    public static MaterialPointDriver PlaneStressBiaxial(PerzynaLudwik law) => new(law, [false, false, true, false, false, false]);

    public PerzynaLudwik Law => _law;

    /// <summary>Total strain [6, engineering shears].</summary>
    public double[] Strain { get; } = new double[6];

    /// <summary>Plastic strain [6].</summary>
    public double[] PlasticStrain { get; } = new double[6];

    /// <summary>Stress [Pa, 6].</summary>
    public double[] Stress { get; } = new double[6];

    /// <summary>ε̄p [-].</summary>
    public double AccumulatedPlasticStrain { get; private set; }

    /// <summary>Sub-steps taken so far (diagnostic).</summary>
    public int SubSteps { get; private set; }

    /// <summary>
    /// Advances over Δt [s] to the prescribed strain components of <paramref name="target"/> (others ignored) with an
    /// isotropic eigenstrain <paramref name="swelling"/> [-] at the end of the step (linear in time within it).
    /// </summary>
    public void Advance(ReadOnlySpan<double> target, double swelling, double timeStep, double swellingAtStart = double.NaN)
    {
        Span<double> start = stackalloc double[6];
        Strain.CopyTo(start);
        var s0 = double.IsNaN(swellingAtStart) ? swelling : swellingAtStart;
        Span<double> end = stackalloc double[6];
        target.CopyTo(end);
        AdvanceRecursive(start, end, s0, swelling, timeStep, 0);
    }

    private void AdvanceRecursive(ReadOnlySpan<double> start, ReadOnlySpan<double> end, double s0, double s1, double dt, int depth)
    {
        if (TrySolve(end, s1, dt))
        {
            return;
        }

        if (depth >= 24)
        {
            var reason = _law.RefusalReason(_trialStrain, _eigen, PlasticStrain, AccumulatedPlasticStrain, dt);
            throw new ViscoplasticInputException("material point driver", [$"increment refused after {depth} halvings: {reason}"]);
        }

        SubSteps++;
        Span<double> mid = stackalloc double[6];
        for (var i = 0; i < 6; i++)
        {
            mid[i] = 0.5 * (start[i] + end[i]);
        }

        var sm = 0.5 * (s0 + s1);
        AdvanceRecursive(start, mid, s0, sm, 0.5 * dt, depth + 1);
        Span<double> now = stackalloc double[6];
        Strain.CopyTo(now);
        AdvanceRecursive(now, end, sm, s1, 0.5 * dt, depth + 1);
    }

    // Newton on the stress-controlled strain components; commits the state only on success.
    private bool TrySolve(ReadOnlySpan<double> end, double swelling, double dt)
    {
        for (var i = 0; i < 3; i++)
        {
            _eigen[i] = swelling;
            _eigen[i + 3] = 0;
        }

        for (var i = 0; i < 6; i++)
        {
            _trialStrain[i] = _stressControlled[i] ? Strain[i] : end[i];
        }

        Span<int> free = stackalloc int[6];
        var nf = 0;
        for (var i = 0; i < 6; i++)
        {
            if (_stressControlled[i])
            {
                free[nf++] = i;
            }
        }

        Span<double> stress = stackalloc double[6];
        Span<double> matrix = stackalloc double[36];
        Span<double> rhs = stackalloc double[6];
        var scale = _law.InitialYieldStress;
        for (var it = 0; it < 50; it++)
        {
            PlasticStrain.CopyTo(_trialPlastic);
            var p = AccumulatedPlasticStrain;
            if (_law.Update(_trialStrain, _eigen, dt, _trialPlastic, ref p, stress, _tangent) == UpdateStatus.Refused)
            {
                return false;
            }

            var residual = 0.0;
            for (var a = 0; a < nf; a++)
            {
                residual = Math.Max(residual, Math.Abs(stress[free[a]]));
            }

            if (residual <= 1e-10 * scale || nf == 0)
            {
                _trialStrain.CopyTo(Strain, 0);
                _trialPlastic.CopyTo(PlasticStrain, 0);
                stress.CopyTo(Stress);
                AccumulatedPlasticStrain = p;
                return true;
            }

            for (var a = 0; a < nf; a++)
            {
                rhs[a] = -stress[free[a]];
                for (var b = 0; b < nf; b++)
                {
                    matrix[a * nf + b] = _tangent[free[a] * 6 + free[b]];
                }
            }

            DenseSolve.Solve(matrix[..(nf * nf)], rhs[..nf], nf);
            for (var a = 0; a < nf; a++)
            {
                _trialStrain[free[a]] += rhs[a];
            }
        }

        return false;
    }
}

/// <summary>Gaussian elimination with partial pivoting for the small systems of the drivers and the test FE.</summary>
public static class DenseSolve
{
    /// <summary>Solves A x = b in place (b becomes x); A is n×n row-major and is destroyed.</summary>
    public static void Solve(Span<double> a, Span<double> b, int n)
    {
        for (var k = 0; k < n; k++)
        {
            var pivot = k;
            for (var i = k + 1; i < n; i++)
            {
                if (Math.Abs(a[i * n + k]) > Math.Abs(a[pivot * n + k]))
                {
                    pivot = i;
                }
            }

            if (pivot != k)
            {
                for (var j = 0; j < n; j++)
                {
                    (a[k * n + j], a[pivot * n + j]) = (a[pivot * n + j], a[k * n + j]);
                }

                (b[k], b[pivot]) = (b[pivot], b[k]);
            }

            var d = a[k * n + k];
            if (d == 0)
            {
                throw new InvalidOperationException($"singular matrix at pivot {k}");
            }

            for (var i = k + 1; i < n; i++)
            {
                var f = a[i * n + k] / d;
                if (f == 0)
                {
                    continue;
                }

                for (var j = k; j < n; j++)
                {
                    a[i * n + j] -= f * a[k * n + j];
                }

                b[i] -= f * b[k];
            }
        }

        for (var i = n - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var j = i + 1; j < n; j++)
            {
                s -= a[i * n + j] * b[j];
            }

            b[i] = s / a[i * n + i];
        }
    }
}
