// All particles of one electrode (nodes x classes) with their kinetics: linearises the Butler-Volmer condition of
// every particle and condenses the particle unknowns away, so the cell-level solver sees the volumetric current
// a.j of a node as an affine function of (phi_s - phi_e, c_e). This keeps the cell Jacobian block-tridiagonal.
// The OCP is U(sto) + (T - T_ref) dU/dT(sto) when the set gives an entropic change (PyBaMM's convention).
using System.Runtime.CompilerServices;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Numerics;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Submodels;

public sealed class ElectrodeBank
{
    private readonly IKinetics _kinetics;
    private readonly ExchangeCurrent[] _j0;
    private readonly Tabulated[] _ocp;
    private readonly Tabulated?[] _entropic;
    private readonly double _referenceTemperature;
    private readonly double[] _area;
    private readonly double[] _cmax;
    private double _vt;
    private double _temperature;
    private double _shift;
    private readonly double[] _g0;
    private readonly double[] _gPhi;
    private readonly double[] _gCe;
    private readonly double[] _history;

    public ElectrodeBank(ElectrodeParameters electrode, int nodes, ModelOptions options, double temperature, double referenceTemperature = 298.15)
    {
        Parameters = electrode;
        Nodes = nodes;
        Classes = electrode.Classes.Length;
        var perParticle = Enumerable.Range(0, nodes).SelectMany(_ => electrode.Classes).ToArray();
        Particles = OptionTable.Is(options.ParticleTransport, "uniform profile")
            ? new UniformParticles(perParticle)
            : new FickianParticles(perParticle, options.PointsParticle, temperature);
        _kinetics = KineticsFactory.Create(options, electrode);
        _temperature = temperature;
        _vt = Constants.R * temperature / Constants.F;
        _j0 = electrode.Classes.Select(c => new ExchangeCurrent(c, temperature)).ToArray();
        _ocp = electrode.Classes.Select(c => new Tabulated(s => c.Ocp.Evaluate(s, temperature), 0, 1)).ToArray();
        _entropic = electrode.Classes.Select(c => c.EntropicChange is { } e ? new Tabulated(s => e.Evaluate(s), 0, 1) : null).ToArray();
        _referenceTemperature = referenceTemperature;
        _shift = temperature - referenceTemperature;
        _area = electrode.Classes.Select(c => c.SurfaceAreaPerVolume).ToArray();
        _cmax = electrode.Classes.Select(c => c.MaxConcentration).ToArray();
        var n = nodes * Classes;
        J = new double[n];
        Eta = new double[n];
        SurfaceConcentration = new double[n];
        _g0 = new double[n];
        _gPhi = new double[n];
        _gCe = new double[n];
        _history = new double[Particles.PointsPerParticle];
        for (var p = 0; p < n; p++)
        {
            SurfaceConcentration[p] = electrode.Classes[p % Classes].InitialConcentration;
        }

        Committed = new double[Particles.Concentration.Length];
        Previous = new double[Committed.Length];
        Previous2 = new double[Committed.Length];
        Particles.Concentration.CopyTo(Committed);
        CommittedJ = new double[n];
        PreviousJ = new double[n];
    }

    public ElectrodeParameters Parameters { get; }

    public int Nodes { get; }

    public int Classes { get; }

    public IParticleTransport Particles { get; }

    /// <summary>Interfacial current density per particle [A.m-2], &gt; 0 deintercalation.</summary>
    public double[] J { get; }

    public double[] Eta { get; }

    public double[] SurfaceConcentration { get; }

    /// <summary>Particle concentrations at the last accepted step, and the two before (BDF history and error estimate).</summary>
    public double[] Committed { get; }

    public double[] Previous { get; }

    public double[] Previous2 { get; }

    public double[] CommittedJ { get; }

    public double[] PreviousJ { get; }

    public double ThermalVoltage => _vt;

    /// <summary>Temperature of the particles and their kinetics [K].</summary>
    public double Temperature => _temperature;

    /// <summary>U(sto, T) [V] of class cls at the bank's temperature.</summary>
    public double Ocp(int cls, double sto) => OpenCircuit(cls, sto, out _);

    /// <summary>Moves diffusivities, exchange currents, thermal voltage and the entropic OCP shift to temperature T [K].</summary>
    public void SetTemperature(double temperature)
    {
        if (temperature == _temperature)
        {
            return;
        }

        _temperature = temperature;
        _vt = Constants.R * temperature / Constants.F;
        _shift = temperature - _referenceTemperature;
        foreach (var j0 in _j0)
        {
            j0.SetTemperature(temperature);
        }

        if (Particles is FickianParticles fick)
        {
            fick.SetTemperature(temperature);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double OpenCircuit(int cls, double sto, out double slope)
    {
        var u = _ocp[cls].Evaluate(sto, out slope);
        if (_shift != 0 && _entropic[cls] is { } e)
        {
            u += _shift * e.Evaluate(sto, out var ds);
            slope += _shift * ds;
        }

        return u;
    }

    /// <summary>Radial profile of size class cls at electrode node (point values, centre to surface; see IParticleTransport.Profile).</summary>
    public void Profile(int node, int cls, Span<double> radius, Span<double> concentration)
    {
        var p = node * Classes + cls;
        Particles.Profile(p, J[p], radius, concentration);
    }

    /// <summary>Entropic change dU/dT [V.K-1] of class cls at stoichiometry sto (0 when the set gives none).</summary>
    public double EntropicChange(int cls, double sto) => _entropic[cls]?.Value(sto) ?? 0;

    /// <summary>
    /// Reaction heat of a node per electrode volume [W.m-3]: sum over classes of a j (eta + T dU/dT), the
    /// irreversible and reversible parts (PyBaMM base_thermal), at the current surface concentrations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double ReactionHeat(int node, double phiDiff)
    {
        var q = 0.0;
        for (var k = 0; k < Classes; k++)
        {
            var p = node * Classes + k;
            var sto = SurfaceConcentration[p] / _cmax[k];
            var eta = phiDiff - OpenCircuit(k, sto, out _);
            q += _area[k] * J[p] * (eta + _temperature * EntropicChange(k, sto));
        }

        return q;
    }

    /// <summary>Sum over classes of a j U(c_surf, T) of a node [W.m-3] (the open-circuit part of the energy balance).</summary>
    public double OpenCircuitPower(int node)
    {
        var q = 0.0;
        for (var k = 0; k < Classes; k++)
        {
            var p = node * Classes + k;
            q += _area[k] * J[p] * OpenCircuit(k, SurfaceConcentration[p] / _cmax[k], out _);
        }

        return q;
    }

    public double MaxConcentration(int cls) => _cmax[cls];

    public double SurfaceArea(int cls) => _area[cls];

    /// <summary>Volumetric current a.j of a node [A.m-3].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double VolumetricCurrent(int node)
    {
        var s = 0.0;
        for (var k = 0; k < Classes; k++)
        {
            s += _area[k] * J[node * Classes + k];
        }

        return s;
    }

    /// <summary>
    /// Linearises the node: a.j(new) = aj + g0 + gPhi d(phi_s - phi_e) + gCe d(c_e).
    /// a1h, a2h weight the committed and previous particle states in the BDF derivative (a0 c + a1 c_n + a2 c_n-1)/h.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LineariseNode(int node, double ce, double phiDiff, double a0h, double a1h, double a2h, bool freeze,
        out double aj, out double g0, out double gPhi, out double gCe)
    {
        aj = g0 = gPhi = gCe = 0;
        var m = Particles.PointsPerParticle;
        for (var k = 0; k < Classes; k++)
        {
            var p = node * Classes + k;
            var off = p * m;
            for (var i = 0; i < m; i++)
            {
                _history[i] = a1h * Committed[off + i] + a2h * Previous[off + i];
            }

            var j = J[p];
            Particles.Linearise(p, j, a0h, _history, freeze, out var alpha, out var beta);
            var cs0 = Particles.Surface(p, j);
            var cmax = _cmax[k];
            var u = OpenCircuit(k, cs0 / cmax, out var dUdSto);
            var j0 = _j0[k].Evaluate(ce, cs0, _temperature, out var dj0dce, out var dj0dcs);
            var eta = phiDiff - u;
            var f = _kinetics.Current(eta, j0, _vt, out var fEta, out var fJ0);
            var residual = j - f;
            var fCs = -fEta * dUdSto / cmax + fJ0 * dj0dcs;
            var fCe = fJ0 * dj0dce;
            var delta = alpha - cs0;
            var denom = 1 - fCs * beta;
            var c0 = (-residual + fCs * delta) / denom;
            var cPhi = fEta / denom;
            var cCe = fCe / denom;
            _g0[p] = c0;
            _gPhi[p] = cPhi;
            _gCe[p] = cCe;
            var a = _area[k];
            aj += a * j;
            g0 += a * c0;
            gPhi += a * cPhi;
            gCe += a * cCe;
            Eta[p] = eta;
            SurfaceConcentration[p] = cs0;
        }
    }

    /// <summary>
    /// Only after a failed solve (allocates): the particle state, interfacial current or parameter function at this
    /// node that is not finite, as (variable, reason), or null when all are finite. D_s is probed at sto and sto +- 1e-6
    /// as the particle model evaluates it (the slope is a central difference).
    /// </summary>
    public (string Variable, string Reason)? DiagnoseNode(int node, double ce)
    {
        var side = Parameters.Name;
        var lower = side.ToLowerInvariant();
        var m = Particles.PointsPerParticle;
        var conc = Particles.Concentration;
        for (var k = 0; k < Classes; k++)
        {
            var p = node * Classes + k;
            var cls = Parameters.Classes[k];
            var where = Classes > 1 ? $"node {node}, class {cls.Id}" : $"node {node}";
            for (var i = 0; i < m; i++)
            {
                var c = conc[p * m + i];
                if (!double.IsFinite(c))
                {
                    return ($"{side} particle concentration [mol.m-3]", $"{lower} particle concentration is {c} ({where}, shell {i})");
                }

                foreach (var sto in (ReadOnlySpan<double>)[c / _cmax[k], c / _cmax[k] + 1e-6, c / _cmax[k] - 1e-6])
                {
                    var d = cls.Diffusivity.Evaluate(sto, _temperature);
                    if (!double.IsFinite(d))
                    {
                        return ($"{side} particle diffusivity [m2.s-1]",
                            $"{lower} particle diffusivity [m2.s-1] {cls.Diffusivity.DescribeCall(sto, _temperature)} is {d} ({where}, shell {i})");
                    }
                }
            }

            var cs = SurfaceConcentration[p];
            if (!double.IsFinite(cs))
            {
                return ($"{side} particle surface concentration [mol.m-3]", $"{lower} particle surface concentration is {cs} ({where})");
            }

            var surface = cs / _cmax[k];
            var u = cls.Ocp.Evaluate(surface, _temperature);
            if (!double.IsFinite(u))
            {
                return ($"{side} electrode open-circuit potential [V]", $"{lower} electrode OCP {cls.Ocp.DescribeCall(surface, _temperature)} is {u} ({where})");
            }

            var j0 = cls.StoichiometryExchangeCurrent
                ? cls.ExchangeCurrent.Evaluate(surface, _temperature)
                : cls.ExchangeCurrent.Evaluate(ce, cs, _cmax[k], _temperature);
            if (!double.IsFinite(j0))
            {
                var call = cls.StoichiometryExchangeCurrent
                    ? cls.ExchangeCurrent.DescribeCall(surface, _temperature)
                    : cls.ExchangeCurrent.DescribeCall(ce, cs, _cmax[k], _temperature);
                return ($"{side} electrode exchange-current density [A.m-2]", $"{lower} electrode exchange-current density [A.m-2] {call} is {j0} at surface stoichiometry {surface:G6} ({where})");
            }

            if (!double.IsFinite(J[p]) || !double.IsFinite(Eta[p]))
            {
                return ($"{side} electrode interfacial current density [A.m-2]",
                    $"{lower} electrode interfacial current density is {J[p]} at overpotential {Eta[p]} V ({where})");
            }
        }

        return null;
    }

    /// <summary>
    /// Single-class node with a known interfacial current j: advances the particle (linear given j) and returns
    /// phi_s - phi_e = U(c_surf) + eta(j, j0) from the closed-form inverse kinetics. No iteration is needed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double ImposeCurrent(int node, double j, double ce, double a0h, double a1h, double a2h, bool freeze)
    {
        var p = node * Classes;
        var m = Particles.PointsPerParticle;
        var off = p * m;
        for (var i = 0; i < m; i++)
        {
            _history[i] = a1h * Committed[off + i] + a2h * Previous[off + i];
        }

        Particles.Linearise(p, J[p], a0h, _history, freeze, out _, out _);
        var change = Particles.Update(p, j - J[p]);
        J[p] = j;
        if (Particles is FickianParticles fick && !fick.IsLinear(p))
        {
            // D_s(c): Newton on the particle alone, the flux now fixed.
            for (var it = 0; it < 30 && change > 1e-10 * _cmax[0]; it++)
            {
                Particles.Linearise(p, j, a0h, _history, freeze, out _, out _);
                change = Particles.Update(p, 0);
            }
        }
        var cs = Particles.Surface(p, j);
        SurfaceConcentration[p] = cs;
        var u = OpenCircuit(0, cs / _cmax[0], out _);
        var j0 = _j0[0].Evaluate(ce, cs, _temperature, out _, out _);
        var eta = _kinetics.Overpotential(j, j0, _vt);
        Eta[p] = eta;
        return u + eta;
    }

    /// <summary>Applies the Newton update to every particle of the node; returns the largest |dj| [A.m-2].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double UpdateNode(int node, double dPhiDiff, double dCe)
    {
        var worst = 0.0;
        for (var k = 0; k < Classes; k++)
        {
            var p = node * Classes + k;
            var dj = _g0[p] + _gPhi[p] * dPhiDiff + _gCe[p] * dCe;
            Particles.Update(p, dj);
            J[p] += dj;
            worst = Math.Max(worst, Math.Abs(dj));
        }

        return worst;
    }

    /// <summary>Recomputes surface concentrations after convergence (for outputs and limit checks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RefreshSurface()
    {
        for (var p = 0; p < J.Length; p++)
        {
            SurfaceConcentration[p] = Particles.Surface(p, J[p]);
        }
    }

    /// <summary>Starts a trial step from the last accepted state; the currents start from their linear extrapolation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void BeginTrial(double w = 0)
    {
        Committed.CopyTo(Particles.Concentration);
        for (var p = 0; p < J.Length; p++)
        {
            J[p] = CommittedJ[p] + w * (CommittedJ[p] - PreviousJ[p]);
        }
    }

    /// <summary>Makes the trial state the accepted one and shifts the history.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Accept()
    {
        Previous.CopyTo(Previous2, 0);
        Committed.CopyTo(Previous, 0);
        Particles.Concentration.CopyTo(Committed);
        CommittedJ.CopyTo(PreviousJ, 0);
        J.CopyTo(CommittedJ, 0);
    }

    /// <summary>Sets every history level to the current concentrations (after a reset or a state load).</summary>
    public void ResetHistory()
    {
        Particles.Concentration.CopyTo(Committed);
        Committed.CopyTo(Previous, 0);
        Committed.CopyTo(Previous2, 0);
        J.CopyTo(CommittedJ, 0);
        J.CopyTo(PreviousJ, 0);
    }

    /// <summary>Lithium per unit electrode area in this bank [mol.m-2]; dx[node] is the node thickness.</summary>
    public double Inventory(ReadOnlySpan<double> dx)
    {
        var s = 0.0;
        for (var node = 0; node < Nodes; node++)
        {
            for (var k = 0; k < Classes; k++)
            {
                s += dx[node] * Parameters.Classes[k].VolumeFraction * Particles.Average(node * Classes + k);
            }
        }

        return s;
    }

    /// <summary>Thickness-weighted average and surface stoichiometry over nodes and classes (volume-weighted).</summary>
    public (double Average, double Surface) Stoichiometry(ReadOnlySpan<double> dx)
    {
        double avg = 0, surf = 0, w = 0;
        for (var node = 0; node < Nodes; node++)
        {
            for (var k = 0; k < Classes; k++)
            {
                var p = node * Classes + k;
                var weight = dx[node] * Parameters.Classes[k].VolumeFraction;
                avg += weight * Particles.Average(p) / _cmax[k];
                surf += weight * SurfaceConcentration[p] / _cmax[k];
                w += weight;
            }
        }

        return (avg / w, surf / w);
    }
}
