// Per-cycle figures, computed while samples stream past (memory: one cycle's dQ/dV bins).
// Capacities come from the normalized counters; coulomb counting of the current is kept beside them as a check.
namespace DigitalTwin.Telemetry.Normalization;

internal sealed class CycleSummarizer(double binWidth)
{
    private readonly List<CycleSummary> _done = [];
    private readonly Dictionary<int, (double Charge, double Discharge)> _bins = [];
    private bool _open;
    private int _cycle;
    private long _firstSequence;
    private long _count;
    private double _startTime;
    private double _lastTime;
    private double _qc;
    private double _qd;
    private double _ec;
    private double _ed;
    private double _ccCharge;
    private double _ccDischarge;
    private double _vMin;
    private double _vMax;
    private double _tMax;
    private double _cvTime;
    private double _prevI;
    private double _prevV;
    private double _prevT;
    private double _prevQc;
    private double _prevQd;
    private StepType _prevType;
    private int _prevStep;
    private bool _havePrev;

    // Pulse resistance: last rest point before a pulse, then the pulse's last point.
    private double _restV = double.NaN;
    private double _restI;
    private bool _inPulse;
    private double _pulseV;
    private double _pulseI;
    private double _resistanceSum;
    private double _maxAbsCurrent;
    private int _pulses;

    public IReadOnlyList<CycleSummary> Completed => _done;

    public void Add(in Sample s)
    {
        if (!_open || s.Cycle != _cycle)
        {
            Close();
            Open(s);
        }

        _count++;
        _lastTime = s.TestTime;
        _qc = s.ChargeCapacity;
        _qd = s.DischargeCapacity;
        _ec = s.ChargeEnergy;
        _ed = s.DischargeEnergy;
        _vMin = Math.Min(_vMin, s.Voltage);
        if (double.IsFinite(s.Current))
        {
            _maxAbsCurrent = Math.Max(_maxAbsCurrent, Math.Abs(s.Current));
        }

        _vMax = Math.Max(_vMax, s.Voltage);
        if (!double.IsNaN(s.Temperature))
        {
            _tMax = double.IsNaN(_tMax) ? s.Temperature : Math.Max(_tMax, s.Temperature);
        }

        if (_havePrev)
        {
            var dt = s.TestTime - _prevT;
            if (dt > 0 && !double.IsNaN(s.Current) && !double.IsNaN(_prevI))
            {
                // Trapezoid; a sign change inside the interval is split at the zero crossing.
                var a = _prevI;
                var b = s.Current;
                if (a * b >= 0)
                {
                    var q = 0.5 * (a + b) * dt / 3600.0;
                    if (q > 0)
                    {
                        _ccCharge += q;
                    }
                    else
                    {
                        _ccDischarge -= q;
                    }
                }
                else
                {
                    var tz = dt * Math.Abs(a) / (Math.Abs(a) + Math.Abs(b));
                    AddSigned(0.5 * a * tz / 3600.0);
                    AddSigned(0.5 * b * (dt - tz) / 3600.0);
                }
            }

            if (dt > 0 && (s.StepType is StepType.CvCharge or StepType.CvDischarge))
            {
                _cvTime += dt;
            }

            var dqc = s.ChargeCapacity - _prevQc;
            var dqd = s.DischargeCapacity - _prevQd;
            if ((dqc > 0 || dqd > 0) && !double.IsNaN(s.Voltage) && s.StepType != StepType.Pulse)
            {
                var bin = (int)Math.Floor(0.5 * (s.Voltage + _prevV) / binWidth);
                var cur = _bins.GetValueOrDefault(bin);
                _bins[bin] = (cur.Charge + Math.Max(dqc, 0), cur.Discharge + Math.Max(dqd, 0));
            }

            TrackPulse(s);
        }

        _prevI = s.Current;
        _prevV = s.Voltage;
        _prevT = s.TestTime;
        _prevQc = s.ChargeCapacity;
        _prevQd = s.DischargeCapacity;
        _prevType = s.StepType;
        _prevStep = s.Step;
        _havePrev = true;
    }

    public IReadOnlyList<CycleSummary> Finish()
    {
        if (_inPulse)
        {
            EndPulse();
        }

        Close();
        return _done;
    }

    private void AddSigned(double q)
    {
        if (q > 0)
        {
            _ccCharge += q;
        }
        else
        {
            _ccDischarge -= q;
        }
    }

    private void TrackPulse(in Sample s)
    {
        if (s.StepType == StepType.Pulse)
        {
            if (!_inPulse || s.Step != _prevStep)
            {
                if (_inPulse)
                {
                    EndPulse();
                }

                _inPulse = true;
                if (_prevType == StepType.Rest)
                {
                    _restV = _prevV;
                    _restI = _prevI;
                }
                else
                {
                    _restV = double.NaN;
                }
            }

            _pulseV = s.Voltage;
            _pulseI = s.Current;
        }
        else if (_inPulse)
        {
            EndPulse();
        }
    }

    private void EndPulse()
    {
        _inPulse = false;
        var di = _pulseI - _restI;

        // A current step too small against the cycle's currents gives a meaningless ΔV/ΔI.
        if (!double.IsNaN(_restV) && Math.Abs(di) > 1e-9 && Math.Abs(di) >= 0.05 * _maxAbsCurrent)
        {
            var r = (_pulseV - _restV) / di;
            if (double.IsFinite(r) && r > 0)
            {
                _resistanceSum += r;
                _pulses++;
            }
        }
    }

    private void Open(in Sample s)
    {
        _open = true;
        _cycle = s.Cycle;
        _firstSequence = s.Sequence;
        _count = 0;
        _startTime = s.TestTime;
        _vMin = double.PositiveInfinity;
        _vMax = double.NegativeInfinity;
        _tMax = double.NaN;
        _ccCharge = _ccDischarge = _cvTime = 0;
        _resistanceSum = 0;
        _maxAbsCurrent = 0;
        _pulses = 0;
        _bins.Clear();
        if (_havePrev)
        {
            // Counters restart at 0 in a new cycle; dQ/dV differences start from there.
            _prevQc = 0;
            _prevQd = 0;
        }
    }

    private void Close()
    {
        if (!_open || _count == 0)
        {
            _open = false;
            return;
        }

        var keys = _bins.Keys.OrderBy(k => k).ToArray();
        var v = new double[keys.Length];
        var c = new double[keys.Length];
        var d = new double[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            v[i] = (keys[i] + 0.5) * binWidth;
            c[i] = _bins[keys[i]].Charge / binWidth;
            d[i] = _bins[keys[i]].Discharge / binWidth;
        }

        _done.Add(new CycleSummary
        {
            Cycle = _cycle,
            FirstSequence = _firstSequence,
            Samples = _count,
            ChargeCapacity = _qc,
            DischargeCapacity = _qd,
            CoulombicEfficiency = _qc > 0 ? _qd / _qc : double.NaN,
            ChargeEnergy = _ec,
            DischargeEnergy = _ed,
            MeanChargeVoltage = _qc > 0 ? _ec / _qc : double.NaN,
            MeanDischargeVoltage = _qd > 0 ? _ed / _qd : double.NaN,
            CoulombCountedCharge = _ccCharge,
            CoulombCountedDischarge = _ccDischarge,
            StartTestTime = _startTime,
            Duration = _lastTime - _startTime,
            VoltageMin = _vMin,
            VoltageMax = _vMax,
            TemperatureMax = _tMax,
            CvTime = _cvTime,
            DcResistance = _pulses > 0 ? _resistanceSum / _pulses : double.NaN,
            Pulses = _pulses,
            DqDvVoltage = v,
            DqDvCharge = c,
            DqDvDischarge = d,
        });
        _open = false;
    }
}
