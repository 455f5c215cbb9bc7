// Per-cycle figures, computed while samples stream past (memory: one cycle's dQ/dV bins).
// Capacities come from the normalized counters; coulomb counting of the current is kept beside them as a check.
// The first and last cycle of the data are marked partial when they were seen only in part (no efficiency then).
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

    // Partial-cycle evidence: cycles before this one, half-cycle coulombs, the cycle's step indices.
    private bool _startObserved;
    private int _firstHalfDirection;
    private double _firstHalfAh;
    private bool _firstHalfEnded;
    private double _firstHalfAgainst;
    private int _direction;
    private double _halfMinV = double.PositiveInfinity;
    private double _halfMaxV = double.NegativeInfinity;
    private double _chargeMaxV;
    private double _dischargeMinV;
    private double _previousChargeMaxV = double.NaN;
    private double _previousDischargeMinV = double.NaN;
    private double _previousWindow = double.NaN;
    private readonly HashSet<int> _steps = [];
    private readonly List<HashSet<int>> _stepSets = [];

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
                    AddSigned(0.5 * (a + b) * dt / 3600.0);
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

        _steps.Add(s.Step);
        if (_direction != 0 && !double.IsNaN(s.Voltage))
        {
            _halfMinV = Math.Min(_halfMinV, s.Voltage);
            _halfMaxV = Math.Max(_halfMaxV, s.Voltage);
            if (_direction > 0)
            {
                _chargeMaxV = Math.Max(_chargeMaxV, s.Voltage);
            }
            else
            {
                _dischargeMinV = Math.Min(_dischargeMinV, s.Voltage);
            }
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

        Close(ended: false);
        MarkIncompleteStepSequences();
        return _done;
    }

    /// <summary>
    /// The first (last) cycle of the data is partial when its steps are a strict subset of the next (previous)
    /// cycle's: the protocol ran steps in it that the data does not show.
    /// </summary>
    private void MarkIncompleteStepSequences()
    {
        if (_done.Count < 2 || _stepSets.Count != _done.Count)
        {
            return;
        }

        if (_stepSets[0].IsProperSubsetOf(_stepSets[1]) && _done[0].Gaps == CycleSummaryGaps.None)
        {
            _done[0] = Partial(_done[0], CycleSummaryGaps.StepsMissing);
        }

        var last = _done.Count - 1;
        if (_stepSets[last].IsProperSubsetOf(_stepSets[last - 1]) && _done[last].Gaps == CycleSummaryGaps.None)
        {
            _done[last] = Partial(_done[last], CycleSummaryGaps.StepsMissing);
        }
    }

    private static CycleSummary Partial(CycleSummary c, CycleSummaryGaps gaps) => c with { Gaps = c.Gaps | gaps, CoulombicEfficiency = double.NaN };

    /// <summary>Adds signed coulombs (> 0 charging) to the totals and to the half-cycles they belong to.</summary>
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

        var direction = Math.Sign(q);
        if (direction == 0)
        {
            return;
        }

        if (_firstHalfDirection == 0)
        {
            _firstHalfDirection = direction;
        }

        // The first half ends once the charge moved against it exceeds 2 % of its own (rest offsets do not end it).
        if (!_firstHalfEnded && direction == _firstHalfDirection)
        {
            _firstHalfAh += Math.Abs(q);
        }
        else if (!_firstHalfEnded)
        {
            _firstHalfAgainst += Math.Abs(q);
            if (_firstHalfAgainst > _firstHalfAh)
            {
                // The first movement was an offset current; the half-cycle runs the other way.
                (_firstHalfAh, _firstHalfAgainst, _firstHalfDirection) = (_firstHalfAgainst, _firstHalfAh, direction);
            }

            _firstHalfEnded = _firstHalfAgainst > 0.02 * _firstHalfAh;
        }

        if (direction != _direction)
        {
            _halfMinV = double.PositiveInfinity;
            _halfMaxV = double.NegativeInfinity;
        }

        _direction = direction;
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
        _steps.Clear();
        _startObserved = _done.Count > 0 || _havePrev;
        _firstHalfDirection = 0;
        _firstHalfAh = 0;
        _firstHalfEnded = false;
        _firstHalfAgainst = 0;
        _direction = 0;
        _chargeMaxV = double.NegativeInfinity;
        _dischargeMinV = double.PositiveInfinity;
        if (_havePrev)
        {
            // Counters restart at 0 in a new cycle; dQ/dV differences start from there.
            _prevQc = 0;
            _prevQd = 0;
        }
    }

    private void Close(bool ended = true)
    {
        if (!_open || _count == 0)
        {
            _open = false;
            return;
        }

        var gaps = Gaps(ended);

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
            CoulombicEfficiency = gaps == CycleSummaryGaps.None && _qc > 0 ? _qd / _qc : double.NaN,
            Gaps = gaps,
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
        _stepSets.Add([.. _steps]);
        _previousChargeMaxV = _chargeMaxV;
        _previousDischargeMinV = _dischargeMinV;
        _previousWindow = _vMax - _vMin;
        _open = false;
    }

    /// <summary>
    /// Whole cycles start and end at a full state. A first half-cycle that starts at one moves at least 95 % of the
    /// charge its opposite half moves (a cycled cell's coulombic efficiency is above that), so a shorter first half
    /// of the data's first cycle means the data began inside it. The data's last cycle ended at a full state when
    /// its last half-cycle reached the previous cycle's limit in that direction (highest charging or lowest discharging
    /// voltage, within 2 % of the previous cycle's voltage window).
    /// </summary>
    private CycleSummaryGaps Gaps(bool ended)
    {
        const double wholeHalf = 0.95;
        var gaps = CycleSummaryGaps.None;
        if (_ccCharge <= 0 || _ccDischarge <= 0)
        {
            gaps |= CycleSummaryGaps.HalfMissing;
        }

        double Opposite(int direction) => direction > 0 ? _ccDischarge : _ccCharge;
        // Charge-first cycles are held to it whatever came before (a charge smaller than the discharge is CE > 1/0.95).
        if ((!_startObserved || _firstHalfDirection > 0) && _firstHalfDirection != 0 && _firstHalfAh < wholeHalf * Opposite(_firstHalfDirection))
        {
            gaps |= CycleSummaryGaps.StartMissing;
        }

        var limit = _direction > 0 ? _previousChargeMaxV : _previousDischargeMinV;
        if (!ended && _direction != 0 && double.IsFinite(limit))
        {
            var slack = 0.02 * _previousWindow;
            var reached = _direction > 0 ? _halfMaxV >= limit - slack : _halfMinV <= limit + slack;
            if (!reached)
            {
                gaps |= CycleSummaryGaps.EndMissing;
            }
        }

        return gaps;
    }
}
