// Test-side through-thickness model of one Ai2020 electrode at constant current (a DFN with uniform electrolyte
// concentration, as Ai2020's shipped electrolyte diffusivity makes it): ohmic solid and electrolyte, Butler–Volmer
// on a table OCP, one sphere-diffusion particle per cell. It supplies realistic particle profiles near the separator
// until the electrochemistry service does.
using System.Globalization;
using DigitalTwin.Testing;

namespace DigitalTwin.Physics.Mechanics.Tests;

internal sealed class Ai2020Electrode
{
    private const double Faraday = 96485.33212, Gas = 8.314462618, Temperature = 298.15;
    private readonly int _cells;
    private readonly double _thickness, _specificArea, _solidConductivity, _electrolyteConductivity, _maxConcentration, _diffusivity;
    private readonly double[] _ocpX, _ocpU;
    private readonly double[] _potential;

    public Ai2020Electrode(int cells, double[] nodes, double thickness, double specificArea, double solidConductivity,
        double electrolyteConductivity, double maxConcentration, double initialConcentration, double diffusivity, string ocpFile)
    {
        (_cells, _thickness, _specificArea, _solidConductivity, _electrolyteConductivity, _maxConcentration, _diffusivity) =
            (cells, thickness, specificArea, solidConductivity, electrolyteConductivity, maxConcentration, diffusivity);
        Particles = Enumerable.Range(0, cells).Select(_ => new SphereDiffusion(nodes, initialConcentration)).ToArray();
        var rows = File.ReadAllLines(SharedData.DataFile("reference", "parameter_data", ocpFile))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .OrderBy(r => r[0]).ToArray();
        _ocpX = rows.Select(r => r[0]).ToArray();
        _ocpU = rows.Select(r => r[1]).ToArray();
        _potential = new double[cells];
        var u0 = Ocp(initialConcentration / maxConcentration);
        Array.Fill(_potential, u0);
        Reaction = new double[cells];
    }

    public SphereDiffusion[] Particles { get; }

    /// <summary>Reaction current density per particle surface [A.m-2], anodic (delithiation) positive.</summary>
    public double[] Reaction { get; }

    /// <summary>
    /// One step of dt [s] with the electrode's total reaction current T [A.m-2 of electrode], positive when the
    /// particles delithiate; cell N−1 is next to the separator.
    /// </summary>
    public void Step(double dt, double total)
    {
        SolveReaction(total);
        for (var i = 0; i < _cells; i++)
        {
            Particles[i].Step(dt, -Reaction[i] / Faraday, _ => _diffusivity);
        }
    }

    private double Ocp(double x)
    {
        var i = Array.BinarySearch(_ocpX, x);
        if (i >= 0)
        {
            return _ocpU[i];
        }

        var hi = Math.Clamp(~i, 1, _ocpX.Length - 1);
        var lo = hi - 1;
        return _ocpU[lo] + (x - _ocpX[lo]) / (_ocpX[hi] - _ocpX[lo]) * (_ocpU[hi] - _ocpU[lo]);
    }

    // Newton on Δφ = φ_s − φ_e per cell: d²Δφ/dx² = (1/σ + 1/κ) a j, dΔφ/dx = −T/σ at the collector and T/κ at the separator.
    private void SolveReaction(double total)
    {
        var n = _cells;
        var h = _thickness / n;
        var f = Faraday / (2 * Gas * Temperature);
        var resistance = 1 / _solidConductivity + 1 / _electrolyteConductivity;
        var ocp = new double[n];
        var i0 = new double[n];
        for (var i = 0; i < n; i++)
        {
            var c = Particles[i].Concentration[^1];
            ocp[i] = Ocp(c / _maxConcentration);
            i0[i] = 1e-11 * Faraday * Math.Sqrt(1000 * c * (_maxConcentration - c));
        }

        var lower = new double[n];
        var diagonal = new double[n];
        var upper = new double[n];
        var rhs = new double[n];
        for (var it = 0; it < 50; it++)
        {
            var norm = 0.0;
            for (var i = 0; i < n; i++)
            {
                var eta = _potential[i] - ocp[i];
                var j = 2 * i0[i] * Math.Sinh(f * eta);
                Reaction[i] = j;
                var left = i == 0 ? -total / _solidConductivity : (_potential[i] - _potential[i - 1]) / h;
                var right = i == n - 1 ? total / _electrolyteConductivity : (_potential[i + 1] - _potential[i]) / h;
                var residual = (right - left) / h - resistance * _specificArea * j;
                rhs[i] = -residual;
                norm = Math.Max(norm, Math.Abs(residual));
                var dj = 2 * i0[i] * f * Math.Cosh(f * eta);
                lower[i] = i == 0 ? 0 : 1 / (h * h);
                upper[i] = i == n - 1 ? 0 : 1 / (h * h);
                diagonal[i] = -(lower[i] + upper[i]) - resistance * _specificArea * dj;
            }

            if (norm < 1e-9 * Math.Abs(resistance * _specificArea * total / _thickness) && it > 0)
            {
                return;
            }

            for (var i = 1; i < n; i++)
            {
                var m = lower[i] / diagonal[i - 1];
                diagonal[i] -= m * upper[i - 1];
                rhs[i] -= m * rhs[i - 1];
            }

            rhs[n - 1] /= diagonal[n - 1];
            for (var i = n - 2; i >= 0; i--)
            {
                rhs[i] = (rhs[i] - upper[i] * rhs[i + 1]) / diagonal[i];
            }

            for (var i = 0; i < n; i++)
            {
                _potential[i] += rhs[i];
            }
        }

        throw new InvalidOperationException("reaction distribution did not converge");
    }
}
