// Anisotropic chemical strain of a layered oxide from its lattice parameters a(x) and c(x)
// (seed 003 §2.3: ν^a = a/a_ref − 1, ν^c = c/c_ref − 1), interpolated linearly between knots.
namespace DigitalTwin.Physics.Mechanics.ChemicalStrain;

public sealed class LatticeParameterStrain : IAnisotropicChemicalStrain
{
    private readonly double[] _stoichiometry;
    private readonly double[] _a;
    private readonly double[] _c;
    private readonly double _aReference;
    private readonly double _cReference;

    // Uniform lookup tables (x = k/TableIntervals) of the three strains: O(1) evaluation in the particle loop.
    private const int TableIntervals = 4096;
    private readonly double[] _tableIsotropic = new double[TableIntervals + 1];
    private readonly double[] _tableA = new double[TableIntervals + 1];
    private readonly double[] _tableC = new double[TableIntervals + 1];

    private LatticeParameterStrain(double[] stoichiometry, double[] a, double[] c, double maximumConcentration, double referenceStoichiometry)
    {
        _stoichiometry = stoichiometry;
        _a = a;
        _c = c;
        MaximumConcentration = maximumConcentration;
        ReferenceStoichiometry = referenceStoichiometry;
        _aReference = Interpolate(_a, referenceStoichiometry);
        _cReference = Interpolate(_c, referenceStoichiometry);
        for (var k = 0; k <= TableIntervals; k++)
        {
            var x = (double)k / TableIntervals;
            var ea = Interpolate(_a, x) / _aReference - 1;
            var ec = Interpolate(_c, x) / _cReference - 1;
            _tableA[k] = ea;
            _tableC[k] = ec;
            _tableIsotropic[k] = Math.Cbrt((1 + ea) * (1 + ea) * (1 + ec)) - 1;
        }
    }

    public string Name => "lattice parameters";

    public double MaximumConcentration { get; }

    /// <summary>Li fraction x of the stress-free state [-].</summary>
    public double ReferenceStoichiometry { get; }

    /// <remarks><c>stoichiometry</c>: Strictly increasing knots covering [0, 1] [-].</remarks>
    /// <remarks><c>a</c>: Lattice parameter a at the knots [m or Å, only ratios are used].</remarks>
    /// <remarks><c>c</c>: Lattice parameter c at the knots [same unit as a].</remarks>
    public static LatticeParameterStrain Create(IReadOnlyList<double> stoichiometry, IReadOnlyList<double> a, IReadOnlyList<double> c,
        double maximumConcentration, double referenceStoichiometry)
    {
        var problems = new ParameterProblems("lattice parameter strain");
        if (stoichiometry.Count < 2 || a.Count != stoichiometry.Count || c.Count != stoichiometry.Count)
        {
            problems.Add($"lattice tables need ≥ 2 knots of equal length (x: {stoichiometry.Count}, a: {a.Count}, c: {c.Count})");
        }
        else
        {
            if (Math.Abs(stoichiometry[0]) > 1e-12 || Math.Abs(stoichiometry[^1] - 1) > 1e-12)
            {
                problems.Add($"lattice table must span x = 0..1 (has {stoichiometry[0]}..{stoichiometry[^1]})");
            }

            for (var i = 0; i < stoichiometry.Count; i++)
            {
                if (i > 0 && !(stoichiometry[i] > stoichiometry[i - 1]))
                {
                    problems.Add($"lattice table x[{i}] = {stoichiometry[i]} is not above x[{i - 1}] = {stoichiometry[i - 1]}");
                }

                problems.Positive($"lattice a[{i}]", a[i], "Å");
                problems.Positive($"lattice c[{i}]", c[i], "Å");
            }
        }

        problems.Positive("maximum concentration", maximumConcentration, "mol.m-3");
        problems.InRange("reference stoichiometry", referenceStoichiometry, 0, 1, "-");
        problems.ThrowIfAny();
        return new LatticeParameterStrain([.. stoichiometry], [.. a], [.. c], maximumConcentration, referenceStoichiometry);
    }

    /// <summary>Exact piecewise-linear strains (the tables used by the fast path agree to ~1e-6).</summary>
    public (double AlongA, double AlongC) PrincipalStrainsExact(double concentration)
    {
        var x = concentration / MaximumConcentration;
        return (Interpolate(_a, x) / _aReference - 1, Interpolate(_c, x) / _cReference - 1);
    }

    public (double AlongA, double AlongC) PrincipalStrains(double concentration)
    {
        var (i, w) = Locate(concentration);
        return (_tableA[i] + w * (_tableA[i + 1] - _tableA[i]), _tableC[i] + w * (_tableC[i + 1] - _tableC[i]));
    }

    public void Evaluate(double concentration, out double isotropic, out double alongA, out double alongC)
    {
        var (i, w) = Locate(concentration);
        isotropic = _tableIsotropic[i] + w * (_tableIsotropic[i + 1] - _tableIsotropic[i]);
        alongA = _tableA[i] + w * (_tableA[i + 1] - _tableA[i]);
        alongC = _tableC[i] + w * (_tableC[i + 1] - _tableC[i]);
    }

    /// <summary>Isotropic equivalent: the linear strain of the same volume change, ((1+εa)²(1+εc))^(1/3) − 1.</summary>
    public double Strain(double concentration)
    {
        var (i, w) = Locate(concentration);
        return _tableIsotropic[i] + w * (_tableIsotropic[i + 1] - _tableIsotropic[i]);
    }

    private (int Index, double Weight) Locate(double concentration)
    {
        var t = Math.Clamp(concentration / MaximumConcentration, 0, 1) * TableIntervals;
        var i = Math.Min((int)t, TableIntervals - 1);
        return (i, t - i);
    }

    private double Interpolate(double[] values, double x)
    {
        x = Math.Clamp(x, 0, 1);
        var i = Array.BinarySearch(_stoichiometry, x);
        if (i >= 0)
        {
            return values[i];
        }

        var hi = ~i;
        var lo = hi - 1;
        var w = (x - _stoichiometry[lo]) / (_stoichiometry[hi] - _stoichiometry[lo]);
        return values[lo] + w * (values[hi] - values[lo]);
    }
}
