// Doyle-Fuller-Newman (P2D) model: finite volumes in x for c_e, phi_e, phi_s (harmonic face coefficients, Bruggeman),
// particles condensed per node (ElectrodeBank), so each Newton step is one 3x3 block-tridiagonal solve, bordered by
// one scalar when the current is an unknown (voltage or power control). Full cell or Li-metal half cell.
// With the lumped thermal option the cell temperature is a state too: each step solves the electrochemistry at a
// temperature, updates it from the heat generated (implicit BDF), and repeats until the two agree.
using System.Runtime.CompilerServices;
using DigitalTwin.Physics.Electrochem.Numerics;
using DigitalTwin.Physics.Electrochem.Parameters;
using DigitalTwin.Physics.Electrochem.Submodels;

namespace DigitalTwin.Physics.Electrochem.Models;

public sealed class DfnModel : CellModel
{
    private const int MaxIterations = 12;

    // Temperature fixed point of a thermal step [K]: far below what moves D_s, j0 or kappa measurably (1e-4 K ~ 1e-6 relative).
    private const double TemperatureTolerance = 1e-4;
    private const int TemperaturePasses = 6;
    private readonly int _n;
    private readonly double[] _x;
    private readonly double[] _dx;
    private readonly int[] _dom; // 0 negative, 1 separator, 2 positive
    private readonly int[] _node;
    private readonly double[] _epsB;
    private readonly double[] _eps;
    private readonly ElectrodeBank? _neg;
    private readonly ElectrodeBank _pos;
    private readonly double[] _negDx;
    private readonly double[] _posDx;
    private readonly double _sigmaN;
    private readonly double _sigmaP;
    private readonly double _tPlus;
    private readonly ThermalTable _de;
    private readonly ThermalTable _kappa;
    private readonly ThermalTable _tdf;
    private readonly ICounterElectrode _counter;
    private readonly double _ce0;
    private readonly LumpedThermal? _thermal;
    private double _chi;
    private double _temperature;
    private HeatSources _heat;
    private HeatSources _heatC;
    private bool _heatPending;   // isothermal: heat of the accepted state not computed yet (it is computed on demand)
    private bool _trialStarted;  // a trial overwrote the working arrays since the last accepted state

    private readonly double[] _ce;
    private readonly double[] _phie;
    private readonly double[] _phis;
    private readonly double[] _ceC;
    private readonly double[] _phieC;
    private readonly double[] _phisC;
    private readonly double[] _ceP;
    private readonly double[] _ceP2;
    private readonly double[] _phieP;
    private readonly double[] _phisP;

    // Per-cell coefficients and per-face fluxes of the current iterate.
    private readonly double[] _dEff;
    private readonly double[] _dEffSlope;
    private readonly double[] _kEff;
    private readonly double[] _kEffSlope;
    private readonly double[] _tdfV;
    private readonly double[] _tdfSlope;
    private readonly double[] _aj;
    private readonly double[] _g0;
    private readonly double[] _gPhi;
    private readonly double[] _gCe;
    private readonly BlockTridiagonal3 _matrix;
    private readonly double[] _rhs;
    private readonly double[] _border;
    private double _currentC;

    public DfnModel(CellParameters cell, ModelOptions options) : base(cell, options)
    {
        var half = cell.HalfCell;
        var nn = half ? 0 : options.PointsNegative;
        var ns = options.PointsSeparator;
        var np = options.PointsPositive;
        _n = nn + ns + np;
        _x = new double[_n];
        _dx = new double[_n];
        _dom = new int[_n];
        _node = new int[_n];
        _eps = new double[_n];
        _epsB = new double[_n];
        var t = cell.Thermal is null ? cell.Temperature : cell.InitialTemperature;
        _temperature = t;
        _thermal = cell.Thermal is { } thermal ? new LumpedThermal(thermal, cell.Temperature, t) : null;
        var x0 = 0.0;
        var i = 0;
        void Domain(int count, double length, int dom, double eps, double brugg)
        {
            for (var k = 0; k < count; k++, i++)
            {
                _dx[i] = length / count;
                _x[i] = x0 + (k + 0.5) * _dx[i];
                _dom[i] = dom;
                _node[i] = dom == 1 ? -1 : k;
                _eps[i] = eps;
                _epsB[i] = Math.Pow(eps, brugg);
            }

            x0 += length;
        }

        if (!half)
        {
            Domain(nn, cell.Negative!.Thickness, 0, cell.Negative.Porosity, cell.Negative.BruggemanElectrolyte);
        }

        Domain(ns, cell.SeparatorThickness, 1, cell.SeparatorPorosity, cell.SeparatorBruggeman);
        Domain(np, cell.Positive.Thickness, 2, cell.Positive.Porosity, cell.Positive.BruggemanElectrolyte);
        _neg = half ? null : new ElectrodeBank(cell.Negative!, nn, options, t, cell.ReferenceTemperature);
        _pos = new ElectrodeBank(cell.Positive, np, options, t, cell.ReferenceTemperature);
        _negDx = half ? [] : Enumerable.Repeat(cell.Negative!.Thickness / nn, nn).ToArray();
        _posDx = Enumerable.Repeat(cell.Positive.Thickness / np, np).ToArray();
        _sigmaN = half ? 0 : cell.Negative!.EffectiveConductivity;
        _sigmaP = cell.Positive.EffectiveConductivity;
        _tPlus = cell.TransferenceNumber;
        _chi = 2 * (1 - _tPlus) * Constants.R * t / Constants.F;
        _ce0 = cell.ElectrolyteInitialConcentration;
        var cHigh = 10 * _ce0;
        _de = new ThermalTable((c, temperature) => cell.ElectrolyteDiffusivity.Evaluate(c, temperature), 0, cHigh, t);
        _kappa = new ThermalTable((c, temperature) => cell.ElectrolyteConductivity.Evaluate(c, temperature), 0, cHigh, t);
        _tdf = new ThermalTable((c, temperature) => cell.ThermodynamicFactor.Evaluate(c, temperature), 0, cHigh, t);
        _counter = CounterElectrodeFactory.Create(options, cell);
        _ce = new double[_n];
        _phie = new double[_n];
        _phis = new double[_n];
        _ceC = new double[_n];
        _phieC = new double[_n];
        _phisC = new double[_n];
        _ceP = new double[_n];
        _ceP2 = new double[_n];
        _phieP = new double[_n];
        _phisP = new double[_n];
        _dEff = new double[_n];
        _dEffSlope = new double[_n];
        _kEff = new double[_n];
        _kEffSlope = new double[_n];
        _tdfV = new double[_n];
        _tdfSlope = new double[_n];
        _aj = new double[_n];
        _g0 = new double[_n];
        _gPhi = new double[_n];
        _gCe = new double[_n];
        _matrix = new BlockTridiagonal3(_n);
        _rhs = new double[3 * _n];
        _border = new double[3 * _n];
        Array.Fill(_ce, _ce0);
        GuessPotentials();
        CommitAlgebraic();
        ResetHistory();
    }

    public override ModelKind Kind => ModelKind.Dfn;

    /// <summary>Cell-centre positions [m] (0 at the negative current collector, or at the Li metal for a half cell).</summary>
    public ReadOnlySpan<double> X => _x;

    public ReadOnlySpan<double> ElectrolyteConcentration => _ceC;

    public ReadOnlySpan<double> ElectrolytePotential => _phieC;

    public ReadOnlySpan<double> SolidPotential => _phisC;

    public ElectrodeBank? NegativeBank => _neg;

    public ElectrodeBank PositiveBank => _pos;

    /// <summary>Accepted cell temperature [K] (the ambient temperature for an isothermal model).</summary>
    public override double CellTemperature => _thermal?.Temperature ?? _temperature;

    /// <summary>
    /// Heat generated at the accepted state, per unit electrode-pair area [W.m-2] (Ohmic, reaction, collectors). An
    /// isothermal model computes it on demand, which needs the accepted state in the working arrays: read it after
    /// Accept or Initialise, before the next TryStep.
    /// </summary>
    public HeatSources Heat
    {
        get
        {
            if (_heatPending)
            {
                if (_trialStarted)
                {
                    throw new InvalidOperationException("An isothermal DFN computes its heat from the accepted state: read Heat after Accept or Initialise, before the next TryStep.");
                }

                _heatC = ComputeHeat(Current / Cell.Area, Voltage);
                _heatPending = false;
            }

            return _heatC;
        }
    }

    /// <summary>The lumped thermal submodel, or null for an isothermal model.</summary>
    public LumpedThermal? Thermal => _thermal;

    // Every temperature-dependent coefficient follows T: electrolyte transport, diffusion potential, particles, j0, OCP.
    private void SetTemperature(double temperature)
    {
        if (temperature == _temperature)
        {
            return;
        }

        _temperature = temperature;
        _chi = 2 * (1 - _tPlus) * Constants.R * temperature / Constants.F;
        _de.SetTemperature(temperature);
        _kappa.SetTemperature(temperature);
        _tdf.SetTemperature(temperature);
        _neg?.SetTemperature(temperature);
        _pos.SetTemperature(temperature);
    }

    private void GuessPotentials()
    {
        var un = _neg is null ? 0 : _neg.Ocp(0, _neg.Particles.Average(0) / _neg.MaxConcentration(0));
        var up = _pos.Ocp(0, _pos.Particles.Average(0) / _pos.MaxConcentration(0));
        for (var i = 0; i < _n; i++)
        {
            _phie[i] = -un;
            _phis[i] = _dom[i] == 2 ? up - un : 0;
        }
    }

    private void CommitAlgebraic()
    {
        _ce.CopyTo(_ceC, 0);
        _phie.CopyTo(_phieC, 0);
        _phis.CopyTo(_phisC, 0);
    }

    // Newton starts from the linear extrapolation of the last two accepted states (w = 0 after a restart).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BeginTrial(double w = 0)
    {
        _trialStarted = true;
        for (var i = 0; i < _n; i++)
        {
            _ce[i] = _ceC[i] + w * (_ceC[i] - _ceP[i]);
            _phie[i] = _phieC[i] + w * (_phieC[i] - _phieP[i]);
            _phis[i] = _phisC[i] + w * (_phisC[i] - _phisP[i]);
        }

        _neg?.BeginTrial(w);
        _pos.BeginTrial(w);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void AcceptState()
    {
        _ceP.CopyTo(_ceP2, 0);
        _ceC.CopyTo(_ceP, 0);
        _phieC.CopyTo(_phieP, 0);
        _phisC.CopyTo(_phisP, 0);
        CommitAlgebraic();
        _neg?.Accept();
        _pos.Accept();
        _thermal?.Accept();
        _heatC = _heat;
        _heatPending = _thermal is null;
        _trialStarted = false;
        _currentC = TrialCurrent;
    }

    protected override void ResetHistory()
    {
        _ceC.CopyTo(_ceP, 0);
        _ceC.CopyTo(_ceP2, 0);
        _phieC.CopyTo(_phieP, 0);
        _phisC.CopyTo(_phisP, 0);
        _neg?.ResetHistory();
        _pos.ResetHistory();
        _thermal?.ResetHistory();
    }

    public override StepStatus Initialise(Control control)
    {
        if (_thermal is not null)
        {
            SetTemperature(_thermal.Temperature);
        }

        BeginTrial();
        var status = Newton(0, control, 1, 0, 0, freeze: true);
        if (status == StepStatus.Converged)
        {
            CommitAlgebraic();
            _neg?.ResetHistory();
            _pos.ResetHistory();
            Current = TrialCurrent;
            Voltage = TrialVoltage;
            _currentC = TrialCurrent;
            _neg?.RefreshSurface();
            _pos.RefreshSurface();
            _heatPending = true;
            _trialStarted = false;
        }

        return status;
    }

    public override StepStatus TryStep(double h, Control control, int order)
    {
        var w = ExtrapolationWeight(h);
        var (a0, a1, a2) = BdfWeights(h, order);
        if (_thermal is null)
        {
            BeginTrial(w);
            var status = Newton(h, control, a0 / h, a1 / h, a2 / h, freeze: false);
            if (status != StepStatus.Converged)
            {
                return status;
            }

            return CheckLimits();
        }

        // Temperature fixed point: solve at T, update T from the heat of that solution, re-solve from there (warm start).
        var guess = _thermal.Predict(w);
        BeginTrial(w);
        for (var pass = 0; pass < TemperaturePasses; pass++)
        {
            SetTemperature(guess);
            var status = Newton(h, control, a0 / h, a1 / h, a2 / h, freeze: false);
            if (status != StepStatus.Converged)
            {
                return status;
            }

            status = CheckLimits();
            if (status != StepStatus.Converged)
            {
                return status;
            }

            _heat = ComputeHeat(TrialCurrent / Cell.Area, TrialVoltage);
            var next = _thermal.Correct(_heat.Total * Cell.Area, a0 / h, a1 / h, a2 / h);
            if (Math.Abs(next - guess) <= TemperatureTolerance)
            {
                SetTemperature(next);
                return StepStatus.Converged;
            }

            guess = next;
        }

        LastProblem = $"cell temperature did not settle at t = {Time + h:G6} s (last change {Math.Abs(_thermal.TrialTemperature - _temperature):G3} K)";
        LastProblemVariable = "Volume-averaged cell temperature [K]";
        return StepStatus.NotConverged;
    }

    // Heat per unit electrode-pair area [W.m-2] at the trial state: -i.grad(phi) on every face (the same fluxes the
    // balances use, so the discrete energy identity holds), a j (eta + T dU/dT) per node, and the collectors.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private HeatSources ComputeHeat(double id, double voltage)
    {
        double ohmic = 0, reaction = 0, reversible = 0, ocPower = 0;
        for (var i = 0; i < _n - 1; i++)
        {
            double rL = 0.5 * _dx[i], rR = 0.5 * _dx[i + 1];
            var wk = 1 / (rL / (_kappa.Value(_ce[i]) * _epsB[i]) + rR / (_kappa.Value(_ce[i + 1]) * _epsB[i + 1]));
            var tdfF = 0.5 * (_tdf.Value(_ce[i]) + _tdf.Value(_ce[i + 1]));
            var dphi = _phie[i + 1] - _phie[i];
            var ie = -wk * (dphi - _chi * tdfF * Math.Log(_ce[i + 1] / _ce[i]));
            ohmic -= ie * dphi;
            if (_dom[i] == _dom[i + 1] && _dom[i] != 1)
            {
                var g = (_dom[i] == 0 ? _sigmaN : _sigmaP) / (rL + rR);
                var dps = _phis[i + 1] - _phis[i];
                ohmic += g * dps * dps;
            }
        }

        var last = _n - 1;
        ohmic -= id * (voltage - _phis[last]);
        if (_neg is not null)
        {
            var g0 = _sigmaN / (0.5 * _dx[0]);
            ohmic += g0 * _phis[0] * _phis[0];
        }
        else
        {
            // Li metal at x = 0: the electrolyte face to phi_e(0) = -eta_Li, and the Li reaction heat i eta_Li.
            var etaLi = _counter.Overpotential(id, Constants.R * _temperature / Constants.F, out _);
            var half = 0.5 * _dx[0];
            var gradLn = -(1 - _tPlus) / Constants.F * id / (_de.Value(_ce[0]) * _epsB[0] * _ce[0]);
            var dphi = _phie[0] + etaLi;
            var ieL = -_kappa.Value(_ce[0]) * _epsB[0] * (dphi / half - _chi * _tdf.Value(_ce[0]) * gradLn);
            ohmic -= ieL * dphi;
            reaction += id * etaLi;
        }

        for (var i = 0; i < _n; i++)
        {
            if (_dom[i] == 1)
            {
                continue;
            }

            var bank = _dom[i] == 0 ? _neg! : _pos;
            var node = _node[i];
            var total = bank.ReactionHeat(node, _phis[i] - _phie[i]);
            var open = bank.OpenCircuitPower(node);
            var rev = ReversibleHeat(bank, node);
            reaction += _dx[i] * (total - rev);
            reversible += _dx[i] * rev;
            ocPower += _dx[i] * open;
        }

        var collectors = 0.0;
        if (_thermal is not null)
        {
            var p = _thermal.Parameters;
            collectors = id * id * (p.NegativeCollectorThickness / p.NegativeCollectorConductivity + p.PositiveCollectorThickness / p.PositiveCollectorConductivity);
        }

        return new HeatSources(ohmic, reaction, reversible, collectors, ocPower);
    }

    private double ReversibleHeat(ElectrodeBank bank, int node)
    {
        var q = 0.0;
        for (var k = 0; k < bank.Classes; k++)
        {
            var p = node * bank.Classes + k;
            q += bank.SurfaceArea(k) * bank.J[p] * _temperature * bank.EntropicChange(k, bank.SurfaceConcentration[p] / bank.MaxConcentration(k));
        }

        return q;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private StepStatus CheckLimits()
    {
        for (var i = 0; i < _n; i++)
        {
            if (!(_ce[i] > 0))
            {
                LastProblem = $"electrolyte depleted at x = {_x[i] * 1e6:F1} um (c_e = {_ce[i]:G4} mol/m3)";
                LastProblemVariable = "Electrolyte concentration [mol.m-3]";
                return StepStatus.LimitReached;
            }
        }

        if ((_neg is not null && !SurfaceInRange(_neg, "Negative")) || !SurfaceInRange(_pos, "Positive"))
        {
            return StepStatus.LimitReached;
        }

        return StepStatus.Converged;
    }

    private bool SurfaceInRange(ElectrodeBank bank, string name)
    {
        bank.RefreshSurface();
        for (var p = 0; p < bank.J.Length; p++)
        {
            var sto = bank.SurfaceConcentration[p] / bank.MaxConcentration(p % bank.Classes);
            if (!(sto > 0 && sto < 1))
            {
                LastProblem = $"{name.ToLowerInvariant()} particle surface stoichiometry reached {sto:F4} (node {p / bank.Classes}, class {p % bank.Classes})";
                LastProblemVariable = $"{name} particle surface stoichiometry";
                return false;
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private StepStatus Newton(double h, Control control, double a0h, double a1h, double a2h, bool freeze)
    {
        var area = Cell.Area;
        var current = control.Mode == ControlMode.Current ? control.Value : _currentC;
        if (control.Mode == ControlMode.Power && current == 0)
        {
            current = control.Value / Math.Max(Voltage > 0 ? Voltage : OpenCircuitVoltage(), 0.1);
        }

        var last = _n - 1;
        double prevPhi = double.PositiveInfinity, prevCe = double.PositiveInfinity;
        for (var it = 0; it < MaxIterations; it++)
        {
            NewtonIterations++;
            var id = current / area;
            Assemble(id, a0h, a1h, a2h, freeze, out var dRdI0, out var dRdI1, out var dRdI2Last);
            var voltage = _phis[last] - id * 0.5 * _dx[last] / _sigmaP;
            if (!_matrix.Factor())
            {
                var depleted = _ceC.Min() < 0.01 * _ce0;
                LastProblemIsLimit = depleted;
                if (depleted)
                {
                    LastProblem = $"electrolyte depleted (c_e = {_ce.Min():G3} mol/m3) at t = {Time + h:G6} s";
                    LastProblemVariable = "Electrolyte concentration [mol.m-3]";
                }
                else
                {
                    var (variable, reason) = Diagnose(residualValid: true);
                    LastProblem = $"singular Jacobian at t = {Time + h:G6} s: {reason}";
                    LastProblemVariable = variable;
                }

                return StepStatus.NotConverged;
            }

            _matrix.Solve(_rhs);
            var dI = 0.0;
            if (control.Mode != ControlMode.Current)
            {
                // Bordered solve: border = dR/dI; then the control row c.dU + d dI = -r.
                Array.Clear(_border);
                _border[3 * last + 2] = dRdI2Last / area;
                _border[0] = dRdI0 / area;
                _border[1] = dRdI1 / area;
                _matrix.Solve(_border);
                double r, cPhis, d;
                var dVdI = -0.5 * _dx[last] / (_sigmaP * area);
                if (control.Mode == ControlMode.Voltage)
                {
                    r = voltage - control.Value;
                    cPhis = 1;
                    d = dVdI;
                }
                else
                {
                    r = current * voltage - control.Value;
                    cPhis = current;
                    d = voltage + current * dVdI;
                }

                dI = (-r - cPhis * _rhs[3 * last + 2]) / (d - cPhis * _border[3 * last + 2]);
                for (var k = 0; k < _rhs.Length; k++)
                {
                    _rhs[k] -= _border[k] * dI;
                }
            }

            double maxPhi = 0, maxCe = 0;
            for (var i = 0; i < _n; i++)
            {
                var dce = _rhs[3 * i];
                var dpe = _rhs[3 * i + 1];
                var dps = _rhs[3 * i + 2];
                _ce[i] += dce;
                _phie[i] += dpe;
                _phis[i] += dps;
                maxCe = Math.Max(maxCe, Math.Abs(dce));
                maxPhi = Math.Max(maxPhi, Math.Max(Math.Abs(dpe), Math.Abs(dps)));
                if (_dom[i] == 0)
                {
                    _neg!.UpdateNode(_node[i], dps - dpe, dce);
                }
                else if (_dom[i] == 2)
                {
                    _pos.UpdateNode(_node[i], dps - dpe, dce);
                }
            }

            current += dI;
            LastProblemIsLimit = false;
            for (var i = 0; i < _n; i++)
            {
                if (!(_ce[i] > 0))
                {
                    LastProblem = $"electrolyte depleted at x = {_x[i] * 1e6:F1} um at t = {Time + h:G6} s";
                    LastProblemVariable = "Electrolyte concentration [mol.m-3]";
                    LastProblemIsLimit = true;
                    return StepStatus.NotConverged;
                }
            }

            if (double.IsNaN(maxPhi) || double.IsNaN(maxCe) || double.IsNaN(current))
            {
                LastProblemIsLimit = _ceC.Min() < 0.01 * _ce0;
                // The factorisation succeeded, so without a non-finite input the NaN came from the current border.
                var (variable, reason) = DiagnoseInputs() is { } found ? found
                    : (double.IsNaN(maxCe) ? "Electrolyte concentration [mol.m-3]" : "Potentials [V]", $"the update of the current is {dI}");
                LastProblem = $"Newton produced NaN at t = {Time + h:G6} s (iteration {it + 1}): {reason}";
                LastProblemVariable = variable;
                return StepStatus.NotConverged;
            }

            // Converged when the update is below tolerance, or when quadratic convergence predicts the next one is.
            // Lithium is conserved after every Newton update (the balances are linear in the updated currents and their
            // fluxes telescope), so these tolerances only set the accuracy of the potentials: 0.1 uV and 1e-7 c_e0.
            var small = maxPhi < 1e-7 && maxCe < 1e-7 * _ce0;
            var predicted = it > 0 && maxPhi < 1e-4 && maxPhi * maxPhi / prevPhi < 1e-7 && maxCe * maxCe / prevCe < 1e-7 * _ce0;
            prevPhi = Math.Max(maxPhi, 1e-300);
            prevCe = Math.Max(maxCe, 1e-300);
            if ((small || predicted) && Math.Abs(dI) <= 1e-8 * (Math.Abs(current) + Cell.OneC))
            {
                TrialCurrent = current;
                TrialVoltage = _phis[last] - current / area * 0.5 * _dx[last] / _sigmaP;
                return StepStatus.Converged;
            }

            if (it == MaxIterations - 1)
            {
                LastProblem = $"Newton did not converge at t = {Time + h:G6} s: last update {maxPhi:G3} V in potential, {maxCe:G3} mol/m3 in c_e";
                LastProblemVariable = maxPhi * _ce0 > maxCe ? "Potentials [V]" : "Electrolyte concentration [mol.m-3]";
            }
        }

        return StepStatus.NotConverged;
    }

    // Only after a failed Newton iteration (allocates): the first non-finite particle state or parameter function, then
    // the first row of the assembled system that is not finite, then the weakest row of the singular pivot block.
    private (string Variable, string Reason) Diagnose(bool residualValid) => DiagnoseInputs() ?? DiagnoseRows(residualValid);

    private (string Variable, string Reason)? DiagnoseInputs()
    {
        for (var i = 0; i < _n; i++)
        {
            if (_dom[i] != 1 && (_dom[i] == 0 ? _neg! : _pos).DiagnoseNode(_node[i], _ce[i]) is { } found)
            {
                return (found.Variable, $"{found.Reason} {Where(i)}");
            }
        }

        (string Name, ParameterFunction F)[] electrolyte =
        [
            ("Electrolyte diffusivity [m2.s-1]", Cell.ElectrolyteDiffusivity),
            ("Electrolyte conductivity [S.m-1]", Cell.ElectrolyteConductivity),
            ("Thermodynamic factor", Cell.ThermodynamicFactor),
        ];
        for (var i = 0; i < _n; i++)
        {
            foreach (var (name, f) in electrolyte)
            {
                var v = f.Evaluate(_ce[i], _temperature);
                if (!double.IsFinite(v))
                {
                    return (name, $"{name} {f.DescribeCall(_ce[i], _temperature)} is {v} {Where(i)}");
                }
            }
        }

        return null;
    }

    private (string Variable, string Reason) DiagnoseRows(bool residualValid)
    {
        var lower = _matrix.Lower;
        var diag = _matrix.Diagonal;
        var upper = _matrix.Upper;
        for (var i = 0; i < _n; i++)
        {
            for (var r = 0; r < 3; r++)
            {
                var o = i * 9 + r * 3;
                var finite = !residualValid || double.IsFinite(_rhs[3 * i + r]);
                for (var c = 0; c < 3 && finite; c++)
                {
                    finite = double.IsFinite(lower[o + c]) && double.IsFinite(diag[o + c]) && double.IsFinite(upper[o + c]);
                }

                if (!finite)
                {
                    return (RowVariable(i, r), $"the {(residualValid && !double.IsFinite(_rhs[3 * i + r]) ? "residual" : "Jacobian row")} of {RowVariable(i, r)} is not finite {Where(i)} (phi_s - phi_e = {_phis[i] - _phie[i]:G6} V, c_e = {_ce[i]:G6} mol/m3)");
                }
            }
        }

        var block = Math.Max(_matrix.FailedBlock, 0);
        var weakest = 0;
        var weakestNorm = double.PositiveInfinity;
        for (var r = 0; r < 3; r++)
        {
            var o = block * 9 + r * 3;
            var norm = 0.0;
            for (var c = 0; c < 3; c++)
            {
                norm = Math.Max(norm, Math.Abs(diag[o + c]));
            }

            if (norm < weakestNorm)
            {
                weakestNorm = norm;
                weakest = r;
            }
        }

        return (RowVariable(block, weakest), $"the pivot of {RowVariable(block, weakest)} is singular {Where(block)} (largest diagonal-block entry {weakestNorm:G3})");
    }

    private string RowVariable(int i, int row) => row switch
    {
        0 => "Electrolyte concentration [mol.m-3]",
        1 => "Electrolyte potential [V]",
        _ => _dom[i] == 0 ? "Negative electrode potential [V]" : _dom[i] == 2 ? "Positive electrode potential [V]" : "Potentials [V]",
    };

    private string Where(int i)
    {
        var domain = _dom[i] switch { 0 => "negative electrode", 1 => "separator", _ => "positive electrode" };
        return $"in the {domain} at x = {_x[i] * 1e6:F1} um (cell {i})";
    }

    // Residuals into _rhs (as -R) and the Jacobian into _matrix. dRdI* are the derivatives w.r.t. the current density.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Assemble(double id, double a0h, double a1h, double a2h, bool freeze, out double dRdI0, out double dRdI1, out double dRdI2Last)
    {
        _matrix.Clear();
        var lower = _matrix.Lower;
        var diag = _matrix.Diagonal;
        var upper = _matrix.Upper;
        var rhs = _rhs;
        var chi = _chi;
        var onePlus = (1 - _tPlus) / Constants.F;
        for (var i = 0; i < _n; i++)
        {
            var c = _ce[i];
            var de = _de.Evaluate(c, out var dde);
            var ka = _kappa.Evaluate(c, out var dka);
            _dEff[i] = de * _epsB[i];
            _dEffSlope[i] = dde * _epsB[i];
            _kEff[i] = ka * _epsB[i];
            _kEffSlope[i] = dka * _epsB[i];
            _tdfV[i] = _tdf.Evaluate(c, out _tdfSlope[i]);
            if (_dom[i] == 1)
            {
                _aj[i] = _g0[i] = _gPhi[i] = _gCe[i] = 0;
                continue;
            }

            var bank = _dom[i] == 0 ? _neg! : _pos;
            bank.LineariseNode(_node[i], c, _phis[i] - _phie[i], a0h, a1h, a2h, freeze, out _aj[i], out _g0[i], out _gPhi[i], out _gCe[i]);
        }

        for (var i = 0; i < _n; i++)
        {
            var o = i * 9;
            var b = i * 3;
            var dx = _dx[i];
            double r0, r1, r2;

            // Mass: eps dx dc/dt - (inflow right) + (outflow left) - (1 - t+) dx aj / F
            r0 = freeze ? 0 : _eps[i] * dx * (a0h * _ce[i] + a1h * _ceC[i] + a2h * _ceP[i]) - onePlus * dx * _aj[i];
            r1 = -dx * _aj[i];
            r2 = _dom[i] == 1 ? _phis[i] : dx * _aj[i];
            if (!freeze)
            {
                diag[o] += _eps[i] * dx * a0h - onePlus * dx * _gCe[i];
                diag[o + 1] += onePlus * dx * _gPhi[i];
                diag[o + 2] += -onePlus * dx * _gPhi[i];
                rhs[b] = onePlus * dx * _g0[i];
            }
            else
            {
                diag[o] = 1;
                rhs[b] = 0;
            }

            // Electrolyte current: ie_right - ie_left - dx aj ; aj linearised in (phis - phie, ce).
            diag[o + 3] += -dx * _gCe[i];
            diag[o + 4] += dx * _gPhi[i];
            diag[o + 5] += -dx * _gPhi[i];
            rhs[b + 1] = dx * _g0[i];
            if (_dom[i] == 1)
            {
                diag[o + 8] = 1;
                rhs[b + 2] = 0;
            }
            else
            {
                diag[o + 6] += dx * _gCe[i];
                diag[o + 7] += -dx * _gPhi[i];
                diag[o + 8] += dx * _gPhi[i];
                rhs[b + 2] = -dx * _g0[i];
            }

            rhs[b] -= r0;
            rhs[b + 1] -= r1;
            rhs[b + 2] -= r2;
        }

        // Faces between cells i and i+1.
        for (var i = 0; i < _n - 1; i++)
        {
            var o = i * 9;
            var on = (i + 1) * 9;
            var b = i * 3;
            var bn = b + 3;
            double rL = 0.5 * _dx[i], rR = 0.5 * _dx[i + 1];

            // Diffusion: q = W (c_R - c_L), W = 1/(dxL/2DL + dxR/2DR): inflow into L, outflow from R.
            var resL = rL / _dEff[i];
            var resR = rR / _dEff[i + 1];
            var w = 1 / (resL + resR);
            var dc = _ce[i + 1] - _ce[i];
            var q = w * dc;
            var dqdL = -w + dc * w * w * resL * _dEffSlope[i] / _dEff[i];
            var dqdR = w + dc * w * w * resR * _dEffSlope[i + 1] / _dEff[i + 1];
            if (!freeze)
            {
                rhs[b] += q;
                rhs[bn] -= q;
                diag[o] += -dqdL;
                upper[o] += -dqdR;
                lower[on] += dqdL;
                diag[on] += dqdR;
            }

            // Electrolyte current ie = -Wk (dphi - chi tdf dlnc): leaves L (+ie in R_L), enters R (-ie in R_R).
            var kL = rL / _kEff[i];
            var kR = rR / _kEff[i + 1];
            var wk = 1 / (kL + kR);
            var tdfF = 0.5 * (_tdfV[i] + _tdfV[i + 1]);
            var dlnc = Math.Log(_ce[i + 1] / _ce[i]);
            var bracket = _phie[i + 1] - _phie[i] - chi * tdfF * dlnc;
            var ie = -wk * bracket;
            var dWkL = wk * wk * kL * _kEffSlope[i] / _kEff[i];
            var dWkR = wk * wk * kR * _kEffSlope[i + 1] / _kEff[i + 1];
            var dieDcL = -dWkL * bracket + wk * chi * (0.5 * _tdfSlope[i] * dlnc - tdfF / _ce[i]);
            var dieDcR = -dWkR * bracket + wk * chi * (0.5 * _tdfSlope[i + 1] * dlnc + tdfF / _ce[i + 1]);
            rhs[b + 1] -= ie;
            rhs[bn + 1] += ie;
            diag[o + 3] += dieDcL;
            diag[o + 4] += wk;
            upper[o + 3] += dieDcR;
            upper[o + 4] += -wk;
            lower[on + 3] += -dieDcL;
            lower[on + 4] += -wk;
            diag[on + 3] += -dieDcR;
            diag[on + 4] += wk;

            // Solid current inside one electrode: is = -sigma (phis_R - phis_L)/dist.
            if (_dom[i] == _dom[i + 1] && _dom[i] != 1)
            {
                var sigma = _dom[i] == 0 ? _sigmaN : _sigmaP;
                var g = sigma / (rL + rR);
                var isf = -g * (_phis[i + 1] - _phis[i]);
                rhs[b + 2] -= isf;
                rhs[bn + 2] += isf;
                diag[o + 8] += g;
                upper[o + 8] += -g;
                lower[on + 8] += -g;
                diag[on + 8] += g;
            }
        }

        // Boundaries.
        dRdI0 = 0;
        dRdI1 = 0;
        var lastB = (_n - 1) * 3;
        rhs[lastB + 2] -= id; // solid current density I leaves through the positive collector: +is_right
        dRdI2Last = 1;
        if (_neg is not null)
        {
            // phi_s = 0 at x = 0: is_left = -sigma (phis_0 - 0)/(dx/2) enters R_0 with a minus sign.
            var g = _sigmaN / (0.5 * _dx[0]);
            var isl = -g * _phis[0];
            rhs[2] += isl;
            diag[8] += g;
        }
        else
        {
            // Li metal at x = 0: Li+ enters at (1 - t+) I/F (migration carries the rest); phi_e(0) = -eta_Li.
            var etaLi = _counter.Overpotential(id, Constants.R * _temperature / Constants.F, out var dEta);
            if (!freeze)
            {
                rhs[0] += onePlus * id;
                dRdI0 = -onePlus;
            }

            var half = 0.5 * _dx[0];
            var k0 = _kEff[0];
            var d0 = _dEff[0];
            var c0 = _ce[0];
            var gradLn = -onePlus * id / (d0 * c0);
            var phiB = -etaLi;
            var bracket = (_phie[0] - phiB) / half - _chi * _tdfV[0] * gradLn;
            var ieL = -k0 * bracket;
            rhs[1] += ieL; // R_1 = ie_right - ie_left
            diag[4] += k0 / half;
            var dGradDc = onePlus * id * (d0 + c0 * _dEffSlope[0]) / (d0 * d0 * c0 * c0);
            var dieLdc = -_kEffSlope[0] * bracket + k0 * _chi * _tdfV[0] * dGradDc;
            diag[3] += -dieLdc;
            var dGradDi = -onePlus / (d0 * c0);
            var dieLdi = -k0 * (dEta / half - _chi * _tdfV[0] * dGradDi);
            dRdI1 = -dieLdi;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double ErrorNorm(double h)
    {
        var rtol = Options.RelativeTolerance;
        var atol = Options.AbsoluteTolerance;
        var worst = EstimateError(_ce, _ceC, _ceP, _ceP2, h, _ce0, rtol, atol, 2);
        worst = Math.Max(worst, EstimateError(_pos.Particles.Concentration, _pos.Committed, _pos.Previous, _pos.Previous2, h, _pos.MaxConcentration(0), rtol, atol, 2));
        if (_neg is not null)
        {
            worst = Math.Max(worst, EstimateError(_neg.Particles.Concentration, _neg.Committed, _neg.Previous, _neg.Previous2, h, _neg.MaxConcentration(0), rtol, atol, 2));
        }

        if (_thermal is not null)
        {
            // The temperature rise in kelvin: rtol acts on the rise, atol is in kelvin.
            worst = Math.Max(worst, EstimateError(_thermal.TrialRise, _thermal.CommittedRise, _thermal.PreviousRise, _thermal.Previous2Rise, h, 1, rtol, atol, 2));
        }

        return worst;
    }

    public override (double Average, double Surface) Stoichiometry(bool positive) =>
        positive ? _pos.Stoichiometry(_posDx) : _neg?.Stoichiometry(_negDx) ?? (double.NaN, double.NaN);

    public override double LithiumInventory()
    {
        var s = 0.0;
        for (var i = 0; i < _n; i++)
        {
            s += _eps[i] * _dx[i] * _ceC[i];
        }

        s += _pos.Inventory(_posDx);
        if (_neg is not null)
        {
            s += _neg.Inventory(_negDx);
        }

        return s;
    }

    public override (double[] X, double[] Ce) ElectrolyteProfile() => (_x.ToArray(), _ceC.ToArray());

    public override double OpenCircuitVoltage()
    {
        var (sp, _) = _pos.Stoichiometry(_posDx);
        var up = _pos.Ocp(0, sp);
        if (_neg is null)
        {
            return up;
        }

        var (sn, _) = _neg.Stoichiometry(_negDx);
        return up - _neg.Ocp(0, sn);
    }

    public override double[] ExportState()
    {
        var negLen = _neg?.Committed.Length ?? 0;
        var s = new double[_n * 3 + negLen + _pos.Committed.Length + (_neg?.J.Length ?? 0) + _pos.J.Length + 1 + (_thermal is null ? 0 : 1)];
        var k = 0;
        s[k++] = _currentC;
        _ceC.CopyTo(s, k);
        k += _n;
        _phieC.CopyTo(s, k);
        k += _n;
        _phisC.CopyTo(s, k);
        k += _n;
        if (_neg is not null)
        {
            _neg.Committed.CopyTo(s, k);
            k += negLen;
            _neg.CommittedJ.CopyTo(s, k);
            k += _neg.J.Length;
        }

        _pos.Committed.CopyTo(s, k);
        k += _pos.Committed.Length;
        _pos.CommittedJ.CopyTo(s, k);
        if (_thermal is not null)
        {
            s[^1] = _thermal.Temperature;
        }

        return s;
    }

    public override void ImportState(ReadOnlySpan<double> s)
    {
        _trialStarted = true; // the working arrays no longer hold an accepted, solved state
        var k = 0;
        _currentC = s[k++];
        s.Slice(k, _n).CopyTo(_ceC);
        k += _n;
        s.Slice(k, _n).CopyTo(_phieC);
        k += _n;
        s.Slice(k, _n).CopyTo(_phisC);
        k += _n;
        if (_neg is not null)
        {
            s.Slice(k, _neg.Committed.Length).CopyTo(_neg.Committed);
            k += _neg.Committed.Length;
            s.Slice(k, _neg.J.Length).CopyTo(_neg.CommittedJ);
            k += _neg.J.Length;
            _neg.BeginTrial();
        }

        s.Slice(k, _pos.Committed.Length).CopyTo(_pos.Committed);
        k += _pos.Committed.Length;
        s.Slice(k, _pos.J.Length).CopyTo(_pos.CommittedJ);
        _pos.BeginTrial();
        if (_thermal is not null)
        {
            _thermal.Set(s[^1]);
            SetTemperature(_thermal.Temperature);
        }

        Current = _currentC;
        Restart();
    }

    public override void SetInitialStoichiometry(double? negative, double positive)
    {
        _trialStarted = true;
        if (_neg is not null && negative is { } sn)
        {
            FillBank(_neg, sn);
        }

        FillBank(_pos, positive);
        if (_thermal is not null)
        {
            _thermal.Set(_thermal.Initial);
            SetTemperature(_thermal.Initial);
        }

        Array.Fill(_ce, _ce0);
        Array.Fill(_ceC, _ce0);
        GuessPotentials();
        CommitAlgebraic();
        Restart();
    }

    private static void FillBank(ElectrodeBank bank, double sto)
    {
        var m = bank.Particles.PointsPerParticle;
        for (var p = 0; p < bank.J.Length; p++)
        {
            bank.Particles.Concentration.Slice(p * m, m).Fill(sto * bank.MaxConcentration(p % bank.Classes));
            bank.J[p] = 0;
        }

        bank.ResetHistory();
    }
}
