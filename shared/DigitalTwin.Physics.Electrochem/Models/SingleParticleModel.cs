// SPM and SPMe. SPM: one representative particle bank per electrode (every size class), V = u_p - u_n with
// u = phi_s - phi_e solved from the electrode's current balance. SPMe adds the electrolyte concentration on the
// DFN's x-mesh with the uniform-reaction source and the composite electrolyte and solid potential drops
// (Marquis et al. 2019). Kinetics use the electrode-averaged c_e.
using System.Runtime.CompilerServices;
using DigitalTwin.Physics.Electrochem.Numerics;
using DigitalTwin.Physics.Electrochem.Parameters;
using DigitalTwin.Physics.Electrochem.Submodels;

namespace DigitalTwin.Physics.Electrochem.Models;

public sealed class SingleParticleModel : CellModel
{
    private const int MaxIterations = 25;
    private readonly bool _withElectrolyte;
    private readonly ElectrodeBank? _neg;
    private readonly ElectrodeBank _pos;
    private readonly double _ln;
    private readonly double _lp;
    private readonly double _ls;
    private readonly ICounterElectrode _counter;
    private readonly double _vt;
    private readonly double _tPlus;
    private readonly double _chi;
    private readonly double _ce0;
    private readonly double _sigmaN;
    private readonly double _sigmaP;
    private static readonly double[] UnitDx = [1.0];

    // Electrolyte mesh (SPMe).
    private readonly int _n;
    private readonly double[] _x = [];
    private readonly double[] _dx = [];
    private readonly int[] _dom = [];
    private readonly double[] _eps = [];
    private readonly double[] _epsB = [];
    private readonly double[] _ce = [];
    private readonly double[] _ceC = [];
    private readonly double[] _ceP = [];
    private readonly double[] _ceP2 = [];
    private readonly double[] _phiE = [];
    private readonly double[] _sub = [];
    private readonly double[] _diag = [];
    private readonly double[] _sup = [];
    private readonly double[] _res = [];
    private readonly double[] _scratch = [];
    private readonly double[] _dEff = [];
    private readonly double[] _dSlope = [];
    private readonly Tabulated? _de;
    private readonly Tabulated? _kappa;
    private readonly Tabulated? _tdf;

    private double _un;
    private double _up;
    private double _unC;
    private double _upC;
    private double _currentC;

    public SingleParticleModel(CellParameters cell, ModelOptions options) : base(cell, options)
    {
        _withElectrolyte = options.Model == ModelKind.Spme;
        var t = cell.Temperature;
        _vt = Constants.R * t / Constants.F;
        _neg = cell.HalfCell ? null : new ElectrodeBank(cell.Negative!, 1, options, t, cell.ReferenceTemperature);
        _pos = new ElectrodeBank(cell.Positive, 1, options, t, cell.ReferenceTemperature);
        _ln = cell.HalfCell ? 0 : cell.Negative!.Thickness;
        _lp = cell.Positive.Thickness;
        _ls = cell.SeparatorThickness;
        _counter = CounterElectrodeFactory.Create(options, cell);
        _tPlus = cell.TransferenceNumber;
        _chi = 2 * (1 - _tPlus) * _vt;
        _ce0 = cell.ElectrolyteInitialConcentration;
        _sigmaN = cell.HalfCell ? 1 : cell.Negative!.EffectiveConductivity;
        _sigmaP = cell.Positive.EffectiveConductivity;
        if (_withElectrolyte)
        {
            var nn = cell.HalfCell ? 0 : options.PointsNegative;
            _n = nn + options.PointsSeparator + options.PointsPositive;
            _x = new double[_n];
            _dx = new double[_n];
            _dom = new int[_n];
            _eps = new double[_n];
            _epsB = new double[_n];
            var i = 0;
            var x0 = 0.0;
            void Domain(int count, double length, int dom, double eps, double b)
            {
                for (var k = 0; k < count; k++, i++)
                {
                    _dx[i] = length / count;
                    _x[i] = x0 + (k + 0.5) * _dx[i];
                    _dom[i] = dom;
                    _eps[i] = eps;
                    _epsB[i] = Math.Pow(eps, b);
                }

                x0 += length;
            }

            if (!cell.HalfCell)
            {
                Domain(nn, _ln, 0, cell.Negative!.Porosity, cell.Negative.BruggemanElectrolyte);
            }

            Domain(options.PointsSeparator, _ls, 1, cell.SeparatorPorosity, cell.SeparatorBruggeman);
            Domain(options.PointsPositive, _lp, 2, cell.Positive.Porosity, cell.Positive.BruggemanElectrolyte);
            _ce = Enumerable.Repeat(_ce0, _n).ToArray();
            _ceC = (double[])_ce.Clone();
            _ceP = (double[])_ce.Clone();
            _ceP2 = (double[])_ce.Clone();
            _phiE = new double[_n];
            _sub = new double[_n];
            _diag = new double[_n];
            _sup = new double[_n];
            _res = new double[_n];
            _scratch = new double[_n];
            _dEff = new double[_n];
            _dSlope = new double[_n];
            var high = 10 * _ce0;
            _de = new Tabulated(c => cell.ElectrolyteDiffusivity.Evaluate(c, t), 0, high);
            _kappa = new Tabulated(c => cell.ElectrolyteConductivity.Evaluate(c, t), 0, high);
            _tdf = new Tabulated(c => cell.ThermodynamicFactor.Evaluate(c, t), 0, high);
        }

        GuessPotentials();
        _unC = _un;
        _upC = _up;
    }

    public override ModelKind Kind => _withElectrolyte ? ModelKind.Spme : ModelKind.Spm;

    public ElectrodeBank? NegativeBank => _neg;

    public ElectrodeBank PositiveBank => _pos;

    private void GuessPotentials()
    {
        _un = _neg is null ? 0 : _neg.Ocp(0, _neg.Particles.Average(0) / _neg.MaxConcentration(0));
        _up = _pos.Ocp(0, _pos.Particles.Average(0) / _pos.MaxConcentration(0));
    }

    private void BeginTrial()
    {
        _un = _unC;
        _up = _upC;
        _neg?.BeginTrial();
        _pos.BeginTrial();
        if (_withElectrolyte)
        {
            _ceC.CopyTo(_ce, 0);
        }
    }

    protected override void AcceptState()
    {
        _unC = _un;
        _upC = _up;
        _currentC = TrialCurrent;
        _neg?.Accept();
        _pos.Accept();
        if (_withElectrolyte)
        {
            _ceP.CopyTo(_ceP2, 0);
            _ceC.CopyTo(_ceP, 0);
            _ce.CopyTo(_ceC, 0);
        }
    }

    protected override void ResetHistory()
    {
        _neg?.ResetHistory();
        _pos.ResetHistory();
        if (_withElectrolyte)
        {
            _ceC.CopyTo(_ceP, 0);
            _ceC.CopyTo(_ceP2, 0);
        }
    }

    public override StepStatus Initialise(Control control)
    {
        BeginTrial();
        var status = Newton(0, control, 1, 0, 0, freeze: true);
        if (status == StepStatus.Converged)
        {
            _unC = _un;
            _upC = _up;
            _neg?.ResetHistory();
            _pos.ResetHistory();
            Current = _currentC = TrialCurrent;
            Voltage = TrialVoltage;
        }

        return status;
    }

    public override StepStatus TryStep(double h, Control control, int order)
    {
        BeginTrial();
        var (a0, a1, a2) = BdfWeights(h, order);
        var status = Newton(h, control, a0 / h, a1 / h, a2 / h, freeze: false);
        if (status != StepStatus.Converged)
        {
            return status;
        }

        if ((_neg is not null && !SurfaceInRange(_neg, "negative")) || !SurfaceInRange(_pos, "positive"))
        {
            return StepStatus.LimitReached;
        }

        for (var i = 0; i < _n; i++)
        {
            if (!(_ce[i] > 0))
            {
                LastProblem = $"electrolyte depleted at x = {_x[i] * 1e6:F1} um";
                LastProblemVariable = "Electrolyte concentration [mol.m-3]";
                return StepStatus.LimitReached;
            }
        }

        return StepStatus.Converged;
    }

    private bool SurfaceInRange(ElectrodeBank bank, string name)
    {
        bank.RefreshSurface();
        for (var p = 0; p < bank.J.Length; p++)
        {
            var sto = bank.SurfaceConcentration[p] / bank.MaxConcentration(p);
            if (!(sto > 0 && sto < 1))
            {
                LastProblem = $"{name} particle surface stoichiometry reached {sto:F4} (class {p})";
                LastProblemVariable = $"{name} particle surface stoichiometry";
                return false;
            }
        }

        return true;
    }

    private double ElectrodeAverage(int dom)
    {
        if (!_withElectrolyte)
        {
            return _ce0;
        }

        double s = 0, w = 0;
        for (var i = 0; i < _n; i++)
        {
            if (_dom[i] == dom)
            {
                s += _ce[i] * _dx[i];
                w += _dx[i];
            }
        }

        return s / w;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private StepStatus Newton(double h, Control control, double a0h, double a1h, double a2h, bool freeze)
    {
        if (control.Mode == ControlMode.Current && _pos.Classes == 1 && (_neg?.Classes ?? 1) == 1)
        {
            return Direct(h, control.Value / Cell.Area, a0h, a1h, a2h, freeze);
        }

        var area = Cell.Area;
        var id = (control.Mode == ControlMode.Current ? control.Value : _currentC) / area;
        if (control.Mode == ControlMode.Power && id == 0)
        {
            id = control.Value / Math.Max(Voltage > 0 ? Voltage : OpenCircuitVoltage(), 0.1) / area;
        }

        for (var it = 0; it < MaxIterations; it++)
        {
            NewtonIterations++;
            double an = 0, bn = 0;
            if (_neg is not null)
            {
                _neg.LineariseNode(0, ElectrodeAverage(0), _un, a0h, a1h, a2h, freeze, out var ajn, out var g0n, out var gpn, out _);
                an = (id - _ln * (ajn + g0n)) / (_ln * gpn);
                bn = 1 / (_ln * gpn);
            }

            _pos.LineariseNode(0, ElectrodeAverage(2), _up, a0h, a1h, a2h, freeze, out var ajp, out var g0p, out var gpp, out _);
            var ap = (-id - _lp * (ajp + g0p)) / (_lp * gpp);
            var bp = -1 / (_lp * gpp);
            var phi = Drop(id, out var dPhi);
            var v = _up - _un + phi;
            var dVdId = bp - bn + dPhi;
            var vLin = v + ap - an;
            var did = control.Mode switch
            {
                ControlMode.Current => control.Value / area - id,
                ControlMode.Voltage => (control.Value - vLin) / dVdId,
                _ => (control.Value / area - id * vLin) / (vLin + id * dVdId),
            };
            var dun = an + bn * did;
            var dup = ap + bp * did;
            _neg?.UpdateNode(0, dun, 0);
            _pos.UpdateNode(0, dup, 0);
            _un += dun;
            _up += dup;
            id += did;
            var dce = _withElectrolyte && !freeze ? ElectrolyteStep(id, a0h, a1h, a2h) : 0;
            if (double.IsNaN(dun + dup + did + dce))
            {
                LastProblem = $"Newton produced NaN at t = {Time + h:G6} s";
                LastProblemVariable = "Surface potential difference [V]";
                return StepStatus.NotConverged;
            }

            if (Math.Abs(dun) + Math.Abs(dup) < 1e-10 && Math.Abs(did) < 1e-12 * (Math.Abs(id) + Cell.OneC / area) && dce < 1e-11 * _ce0)
            {
                TrialCurrent = id * area;
                TrialVoltage = _up - _un + Drop(id, out _);
                return StepStatus.Converged;
            }
        }

        LastProblem = $"Newton did not converge at t = {Time + h:G6} s";
        LastProblemVariable = "Surface potential difference [V]";
        return StepStatus.NotConverged;
    }

    // Current control with one particle class per electrode: the interfacial currents are known (uniform reaction),
    // the particles are linear given them and the kinetics invert in closed form, so the step needs no Newton loop
    // (only the electrolyte's own, for a concentration-dependent D_e).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private StepStatus Direct(double h, double id, double a0h, double a1h, double a2h, bool freeze)
    {
        NewtonIterations++;
        if (_withElectrolyte && !freeze)
        {
            for (var it = 0; ; it++)
            {
                var dce = ElectrolyteStep(id, a0h, a1h, a2h);
                if (double.IsNaN(dce) || it == MaxIterations)
                {
                    LastProblem = $"electrolyte Newton did not converge at t = {Time + h:G6} s";
                    LastProblemVariable = "Electrolyte concentration [mol.m-3]";
                    return StepStatus.NotConverged;
                }

                if (dce < 1e-9 * _ce0)
                {
                    break;
                }
            }
        }

        if (_neg is not null)
        {
            _un = _neg.ImposeCurrent(0, id / (_ln * _neg.Parameters.TotalSurfaceArea), ElectrodeAverage(0), a0h, a1h, a2h, freeze);
        }

        _up = _pos.ImposeCurrent(0, -id / (_lp * _pos.Parameters.TotalSurfaceArea), ElectrodeAverage(2), a0h, a1h, a2h, freeze);
        if (double.IsNaN(_un + _up))
        {
            LastProblem = $"the kinetics have no solution at t = {Time + h:G6} s (surface stoichiometry out of range)";
            LastProblemVariable = "Surface potential difference [V]";
            return StepStatus.NotConverged;
        }

        TrialCurrent = id * Cell.Area;
        TrialVoltage = _up - _un + Drop(id, out _, slope: false);
        return StepStatus.Converged;
    }

    // Everything in V besides u_p - u_n: electrolyte and solid ohmic drops (SPMe) and the Li-metal overpotential.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Drop(double id, out double dDrop, bool slope = true)
    {
        var etaLi = _counter.Overpotential(id, _vt, out var dEta);
        if (!_withElectrolyte)
        {
            dDrop = -dEta;
            return -etaLi;
        }

        var phi = ElectrolytePotentialDrop(id, etaLi);
        const double delta = 1e-6;
        var phi2 = slope ? ElectrolytePotentialDrop(id + delta, etaLi + dEta * delta) : phi;
        var solid = -id * (_lp / (3 * _sigmaP) + (_neg is null ? 0 : _ln / (3 * _sigmaN)));
        dDrop = (phi2 - phi) / delta - (_lp / (3 * _sigmaP) + (_neg is null ? 0 : _ln / (3 * _sigmaN)));
        return phi + solid;
    }

    // Integrates d(phi_e)/dx = -i_e/kappa_eff + chi tdf d(ln c)/dx with the uniform-reaction i_e(x);
    // returns avg_pos(phi_e) - avg_neg(phi_e) (full cell) or avg_pos(phi_e) with phi_e(0) = -eta_Li (half cell).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double ElectrolytePotentialDrop(double id, double etaLi)
    {
        var kappa = _kappa!;
        var tdf = _tdf!;
        double phi;
        var half = _neg is null;
        if (half)
        {
            var k0 = kappa.Value(_ce[0]) * _epsB[0];
            var d0 = _de!.Value(_ce[0]) * _epsB[0];
            var gradLn = -(1 - _tPlus) * id / (Constants.F * d0 * _ce[0]);
            phi = -etaLi - id * 0.5 * _dx[0] / k0 + _chi * tdf.Value(_ce[0]) * 0.5 * _dx[0] * gradLn;
        }
        else
        {
            phi = 0;
        }

        _phiE[0] = phi;
        var xf = _dx[0];
        for (var i = 0; i < _n - 1; i++)
        {
            var ie = IeFraction(xf) * id;
            var kl = 0.5 * _dx[i] / (kappa.Value(_ce[i]) * _epsB[i]);
            var kr = 0.5 * _dx[i + 1] / (kappa.Value(_ce[i + 1]) * _epsB[i + 1]);
            var tdfF = 0.5 * (tdf.Value(_ce[i]) + tdf.Value(_ce[i + 1]));
            phi += -ie * (kl + kr) + _chi * tdfF * Math.Log(_ce[i + 1] / _ce[i]);
            _phiE[i + 1] = phi;
            xf += _dx[i + 1];
        }

        double sp = 0, wp = 0, sn = 0, wn = 0;
        for (var i = 0; i < _n; i++)
        {
            if (_dom[i] == 2)
            {
                sp += _phiE[i] * _dx[i];
                wp += _dx[i];
            }
            else if (_dom[i] == 0)
            {
                sn += _phiE[i] * _dx[i];
                wn += _dx[i];
            }
        }

        return sp / wp - (wn > 0 ? sn / wn : 0);
    }

    private double IeFraction(double x)
    {
        if (x <= _ln)
        {
            return _ln > 0 ? x / _ln : 1;
        }

        if (x <= _ln + _ls)
        {
            return 1;
        }

        return Math.Max(0, (_ln + _ls + _lp - x) / _lp);
    }

    // One Newton step of the electrolyte mass balance (tridiagonal) with the uniform source; returns max |dc|.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double ElectrolyteStep(double id, double a0h, double a1h, double a2h)
    {
        var onePlus = (1 - _tPlus) / Constants.F;
        for (var i = 0; i < _n; i++)
        {
            var d = _de!.Evaluate(_ce[i], out var slope);
            _dEff[i] = d * _epsB[i];
            _dSlope[i] = slope * _epsB[i];
            var source = _dom[i] == 0 ? id / _ln : _dom[i] == 2 ? -id / _lp : 0;
            _res[i] = -(_eps[i] * _dx[i] * (a0h * _ce[i] + a1h * _ceC[i] + a2h * _ceP[i]) - onePlus * _dx[i] * source);
            _diag[i] = _eps[i] * _dx[i] * a0h;
            _sub[i] = 0;
            _sup[i] = 0;
        }

        if (_neg is null)
        {
            _res[0] += onePlus * id;
        }

        for (var i = 0; i < _n - 1; i++)
        {
            var rl = 0.5 * _dx[i] / _dEff[i];
            var rr = 0.5 * _dx[i + 1] / _dEff[i + 1];
            var w = 1 / (rl + rr);
            var dc = _ce[i + 1] - _ce[i];
            var q = w * dc;
            var dqdL = -w + dc * w * w * rl * _dSlope[i] / _dEff[i];
            var dqdR = w + dc * w * w * rr * _dSlope[i + 1] / _dEff[i + 1];
            _res[i] += q;
            _res[i + 1] -= q;
            _diag[i] -= dqdL;
            _sup[i] -= dqdR;
            _sub[i + 1] += dqdL;
            _diag[i + 1] += dqdR;
        }

        Tridiagonal.Solve(_sub, _diag, _sup, _res, _res, _scratch);
        var worst = 0.0;
        for (var i = 0; i < _n; i++)
        {
            _ce[i] += _res[i];
            worst = Math.Max(worst, Math.Abs(_res[i]));
        }

        return worst;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double ErrorNorm(double h)
    {
        var rtol = Options.RelativeTolerance;
        var atol = Options.AbsoluteTolerance;
        var worst = EstimateError(_pos.Particles.Concentration, _pos.Committed, _pos.Previous, _pos.Previous2, h, _pos.MaxConcentration(0), rtol, atol, 2);
        if (_neg is not null)
        {
            worst = Math.Max(worst, EstimateError(_neg.Particles.Concentration, _neg.Committed, _neg.Previous, _neg.Previous2, h, _neg.MaxConcentration(0), rtol, atol, 2));
        }

        if (_withElectrolyte)
        {
            worst = Math.Max(worst, EstimateError(_ce, _ceC, _ceP, _ceP2, h, _ce0, rtol, atol, 2));
        }

        return worst;
    }

    public override (double Average, double Surface) Stoichiometry(bool positive) =>
        positive ? _pos.Stoichiometry(UnitDx) : _neg?.Stoichiometry(UnitDx) ?? (double.NaN, double.NaN);

    public override double LithiumInventory()
    {
        var s = _pos.Inventory([_lp]);
        if (_neg is not null)
        {
            s += _neg.Inventory([_ln]);
        }

        if (_withElectrolyte)
        {
            for (var i = 0; i < _n; i++)
            {
                s += _eps[i] * _dx[i] * _ceC[i];
            }
        }
        else
        {
            s += _ce0 * (Cell.SeparatorPorosity * _ls + Cell.Positive.Porosity * _lp + (_neg is null ? 0 : Cell.Negative!.Porosity * _ln));
        }

        return s;
    }

    public override (double[] X, double[] Ce) ElectrolyteProfile() => (_x.ToArray(), _ceC.ToArray());

    public override double OpenCircuitVoltage()
    {
        var up = _pos.Ocp(0, _pos.Stoichiometry(UnitDx).Average);
        return _neg is null ? up : up - _neg.Ocp(0, _neg.Stoichiometry(UnitDx).Average);
    }

    public override double[] ExportState()
    {
        var negLen = _neg?.Committed.Length ?? 0;
        var s = new double[3 + negLen + _pos.Committed.Length + _n];
        s[0] = _currentC;
        s[1] = _unC;
        s[2] = _upC;
        var k = 3;
        if (_neg is not null)
        {
            _neg.Committed.CopyTo(s, k);
            k += negLen;
        }

        _pos.Committed.CopyTo(s, k);
        k += _pos.Committed.Length;
        _ceC.CopyTo(s, k);
        return s;
    }

    public override void ImportState(ReadOnlySpan<double> s)
    {
        _currentC = s[0];
        _unC = s[1];
        _upC = s[2];
        var k = 3;
        if (_neg is not null)
        {
            s.Slice(k, _neg.Committed.Length).CopyTo(_neg.Committed);
            k += _neg.Committed.Length;
            _neg.BeginTrial();
            Array.Fill(_neg.CommittedJ, _currentC / Cell.Area / (_ln * _neg.Parameters.TotalSurfaceArea));
        }

        s.Slice(k, _pos.Committed.Length).CopyTo(_pos.Committed);
        k += _pos.Committed.Length;
        _pos.BeginTrial();
        Array.Fill(_pos.CommittedJ, -_currentC / Cell.Area / (_lp * _pos.Parameters.TotalSurfaceArea));
        s.Slice(k, _n).CopyTo(_ceC);
        Current = _currentC;
        Restart();
    }

    public override void SetInitialStoichiometry(double? negative, double positive)
    {
        if (_neg is not null && negative is { } sn)
        {
            Fill(_neg, sn);
        }

        Fill(_pos, positive);
        if (_withElectrolyte)
        {
            Array.Fill(_ce, _ce0);
            Array.Fill(_ceC, _ce0);
        }

        GuessPotentials();
        _unC = _un;
        _upC = _up;
        Restart();
    }

    private static void Fill(ElectrodeBank bank, double sto)
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
