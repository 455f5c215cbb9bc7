// Turns a reader's raw rows into normalized samples: unit checks, sign, UTC, bad-row policy,
// cycle/step inference, per-cycle counters, CV and pulse classification; then batches them to the sink.
using System.Buffers;

namespace DigitalTwin.Telemetry.Normalization;

internal sealed class Normalizer : IDisposable
{
    private const int CalibrationRows = 256;
    private const int MaxStepBuffer = 4096;

    private readonly IngestOptions _options;
    private readonly ProblemLog _log;
    private readonly ISampleSink _sink;
    private readonly TimeResolver _time;
    private readonly CycleSummarizer _cycles;
    private readonly bool _haveZone;
    private readonly Sample[] _batch;
    private readonly Sample[] _step;
    private readonly ImpedancePoint[] _eis;
    private int _eisCount;
    private int _batchCount;
    private int _stepCount;
    private long _sequence;
    private long _eisSequence;

    private RawSchema? _schema;
    private RawRow[]? _calibration;
    private int _calibrationCount;
    private double _voltageScale = 1;
    private double _timeScale = 1;
    private double _currentScale = 1;
    private double _currentSignFlip = 1;
    private double _counterScale = 1;
    private bool _calibrationDone;

    // Previous accepted row.
    private bool _havePrev;
    private double _prevT = double.NaN;
    private int _prevRawStep = int.MinValue;
    private double _prevV;
    private double _prevI;
    private double _prevQ1;
    private double _prevQ2;
    private double _prevE1;
    private double _prevE2;
    private long _prevTimestamp = Sample.NoTimestamp;
    private CounterState _capacityState;
    private CounterState _energyState;

    // Time offset of the current run (a multi-run file restarts its test time).
    private double _runOffset;
    private double _lastOutputTime = double.NaN;
    private bool _newRunPending;

    // Per-cycle accumulators (normalized output).
    private int _cycle = int.MinValue;
    private double _qc;
    private double _qd;
    private double _ec;
    private double _ed;

    // Inference state.
    private int _inferredCycle = 1;
    private bool _dischargedInCycle;
    private int _inferredStep;
    private sbyte _stepDir = sbyte.MinValue;
    private int _lastFileCycle = int.MinValue;

    // Step segment for CV detection and pulse classification.
    private int _segKey = int.MinValue;
    private int _segCycle = int.MinValue;
    private sbyte _segDir;
    private double _segStartTime;
    private double _segMaxAbsI;
    private int _segRows;
    private bool _segCv;
    private StepType _prevSegType = StepType.Unknown;
    private bool _segFromRest;

    public Normalizer(IngestOptions options, ProblemLog log, ISampleSink sink)
    {
        _options = options;
        _log = log;
        _sink = sink;
        TimeZoneInfo? zone = null;
        if (!string.IsNullOrEmpty(options.TimeZone))
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
            }
            catch (TimeZoneNotFoundException)
            {
                throw log.Fail(0, "tz", ProblemCodes.TimeZone, $"unknown time zone '{options.TimeZone}' (use an IANA name such as Europe/Berlin)");
            }
        }

        _haveZone = zone is not null;
        _time = new TimeResolver(zone, log);
        _cycles = new CycleSummarizer(options.DqDvBinWidth);
        _batch = ArrayPool<Sample>.Shared.Rent(Math.Max(64, options.BatchSize));
        _step = ArrayPool<Sample>.Shared.Rent(MaxStepBuffer);
        _eis = ArrayPool<ImpedancePoint>.Shared.Rent(1024);
    }

    public long SampleCount => _sequence;

    public long ImpedanceCount => _eisSequence;

    public RawSchema? Schema => _schema;

    public void SetSchema(RawSchema schema)
    {
        FlushCalibration();
        _schema = schema;
        if (schema.HasWallClock && !schema.WallClockIsUtc && !_haveZone)
        {
            _log.WarnOnce("no-zone", 0, "time", ProblemCodes.TimeZone, "the file's clock is local wall time and no time zone was given (--tz): read as UTC");
        }

        if (SampleCount == 0)
        {
            _inferredCycle = schema.FirstInferredCycle;
        }

        if (!schema.HasCycle)
        {
            _log.WarnOnce("cycle-inferred", 0, "cycle", ProblemCodes.Inferred, "the file has no cycle index: a new cycle starts when charging follows a discharge");
        }

        if (!schema.HasStep)
        {
            _log.WarnOnce("step-inferred", 0, "step", ProblemCodes.Inferred, "the file has no step index: a new step starts when the current changes direction or stops");
        }
    }

    /// <summary>The next rows belong to a new run whose test time restarts (concatenated exports).</summary>
    public void NewRun(long line, string what)
    {
        FlushCalibration();
        _log.Warn(line, null, ProblemCodes.NewRun, what);
        _newRunPending = true;
        _havePrev = false;
        _time.Reset();
    }

    public void Accept(ref RawRow row)
    {
        if (_schema is null)
        {
            throw new InvalidOperationException("reader emitted a row before its schema");
        }

        if (_calibration is not null || (!_calibrationDone && _schema.GuessUnits))
        {
            _calibration ??= ArrayPool<RawRow>.Shared.Rent(CalibrationRows);
            _calibration[_calibrationCount++] = row;
            if (_calibrationCount == CalibrationRows)
            {
                FlushCalibration();
            }

            return;
        }

        Process(ref row);
    }

    public void AcceptImpedance(ref ImpedancePoint point)
    {
        point.Sequence = _eisSequence++;
        if (_eisCount == _eis.Length)
        {
            FlushImpedance();
        }

        _eis[_eisCount++] = point;
    }

    /// <summary>Ends the stream: flushes buffers and returns the cycle summaries.</summary>
    public IReadOnlyList<CycleSummary> Complete()
    {
        FlushCalibration();
        EndSegment();
        FlushBatch();
        FlushImpedance();
        return _cycles.Finish();
    }

    public void Dispose()
    {
        ArrayPool<Sample>.Shared.Return(_batch);
        ArrayPool<Sample>.Shared.Return(_step);
        ArrayPool<ImpedancePoint>.Shared.Return(_eis);
        if (_calibration is not null)
        {
            ArrayPool<RawRow>.Shared.Return(_calibration);
            _calibration = null;
        }
    }

    private void FlushCalibration()
    {
        if (_calibration is null)
        {
            return;
        }

        var rows = _calibration;
        var count = _calibrationCount;
        _calibration = null;
        _calibrationCount = 0;
        _calibrationDone = true;
        Calibrate(rows.AsSpan(0, count));
        for (var i = 0; i < count; i++)
        {
            Process(ref rows[i]);
        }

        ArrayPool<RawRow>.Shared.Return(rows);
    }

    /// <summary>Unit surprises, judged on the first rows: mV labelled V, minutes labelled seconds, mA labelled A.</summary>
    private void Calibrate(ReadOnlySpan<RawRow> rows)
    {
        var schema = _schema!;
        if (rows.IsEmpty)
        {
            return;
        }

        var volts = new List<double>();
        foreach (var r in rows)
        {
            if (double.IsFinite(r.Voltage) && r.Voltage != 0)
            {
                volts.Add(Math.Abs(r.Voltage));
            }
        }

        if (volts.Count > 0)
        {
            volts.Sort();
            var median = volts[volts.Count / 2];
            if (median > 100 && median < 10000)
            {
                _voltageScale = 1e-3;
                _log.Warn(rows[0].Line, "voltage", ProblemCodes.UnitGuess, $"voltage labelled V reads {median:0.###} (median of the first rows): taken as mV");
            }
        }

        if (schema.HasTestTime && schema.HasWallClock)
        {
            var first = -1;
            var last = -1;
            for (var i = 0; i < rows.Length; i++)
            {
                if (rows[i].WallTicks != 0 && double.IsFinite(rows[i].TestTime))
                {
                    if (first < 0)
                    {
                        first = i;
                    }

                    last = i;
                }
            }

            if (first >= 0 && last > first)
            {
                var wall = (rows[last].WallTicks - rows[first].WallTicks) / (double)TimeSpan.TicksPerSecond;
                var test = rows[last].TestTime - rows[first].TestTime;
                if (wall >= 300 && test > 0)
                {
                    var ratio = wall / test;
                    if (ratio is > 55 and < 65)
                    {
                        _timeScale = 60;
                        _log.Warn(rows[first].Line, "test time", ProblemCodes.UnitGuess, $"test time advances {test:0.###} while the clock advances {wall:0} s: test time taken as minutes");
                    }
                    else if (ratio is > 3300 and < 3900)
                    {
                        _timeScale = 3600;
                        _log.Warn(rows[first].Line, "test time", ProblemCodes.UnitGuess, $"test time advances {test:0.###} while the clock advances {wall:0} s: test time taken as hours");
                    }
                }
            }
        }

        if (schema.HasCurrent && schema.Capacity == CounterKind.SplitCumulative && schema.CurrentSign != CurrentSign.Unsigned)
        {
            // Sign check: while the discharge counter grows the current must be negative (DESIGN §5: + = charging).
            int agree = 0, disagree = 0;
            for (var k = 1; k < rows.Length; k++)
            {
                var up1 = Math.Abs(rows[k].Q1) > Math.Abs(rows[k - 1].Q1);
                var up2 = Math.Abs(rows[k].Q2) > Math.Abs(rows[k - 1].Q2);
                var sign = Math.Sign(rows[k].Current) * (schema.CurrentSign == CurrentSign.ChargeNegative ? -1 : 1);
                if (up1 != up2 && sign != 0)
                {
                    if ((up1 && sign > 0) || (up2 && sign < 0))
                    {
                        agree++;
                    }
                    else
                    {
                        disagree++;
                    }
                }
            }

            if (disagree > 10 && disagree > 4 * agree)
            {
                _currentSignFlip = -1;
                _log.Warn(rows[0].Line, "current", ProblemCodes.UnitGuess, $"current is positive while the discharge counter grows ({disagree} of {agree + disagree} rows): the file counts discharge current positive; sign flipped");
            }
        }

        if (schema.HasCurrent && schema.Capacity is CounterKind.SplitCumulative or CounterKind.SingleWithDirection && schema.HasTestTime)
        {
            double coulomb = 0, counted = 0;
            for (var i = 1; i < rows.Length; i++)
            {
                var dt = (rows[i].TestTime - rows[i - 1].TestTime) * _timeScale;
                if (dt > 0 && dt < 3600 && double.IsFinite(rows[i].Current) && double.IsFinite(rows[i - 1].Current) && rows[i].Step == rows[i - 1].Step)
                {
                    coulomb += Math.Abs(0.5 * (rows[i].Current + rows[i - 1].Current)) * dt / 3600;
                    var d1 = rows[i].Q1 - rows[i - 1].Q1;
                    var d2 = rows[i].Q2 - rows[i - 1].Q2;
                    counted += (double.IsFinite(d1) && d1 > 0 ? d1 : 0) + (double.IsFinite(d2) && d2 > 0 ? d2 : 0);
                }
            }

            if (coulomb > 0 && counted > 0)
            {
                var ratio = coulomb / counted;
                if (ratio is > 700 and < 1400)
                {
                    _currentScale = 1e-3;
                    _log.Warn(rows[0].Line, "current", ProblemCodes.UnitGuess, $"integrated current is {ratio:0} times the capacity counters: current taken as mA");
                }
                else if (ratio is > 1.0 / 1400 and < 1.0 / 700)
                {
                    _counterScale = 1e-3;
                    _log.Warn(rows[0].Line, "capacity", ProblemCodes.UnitGuess, $"capacity counters are {1 / ratio:0} times the integrated current: counters taken as mAh/mWh");
                }
            }
        }
    }

    private void Process(ref RawRow row)
    {
        var schema = _schema!;
        var line = row.Line;
        var v = row.Voltage * _voltageScale;
        if (!double.IsFinite(v))
        {
            _log.Row(line, "voltage", ProblemCodes.NotFinite, $"voltage is {Describe(row.Voltage)}");
            return;
        }

        var i = row.Current * _currentScale * _currentSignFlip;
        if (schema.HasCurrent && !double.IsFinite(i))
        {
            _log.Row(line, "current", ProblemCodes.NotFinite, $"current is {Describe(row.Current)}");
            return;
        }

        var t = row.TestTime * _timeScale;
        if (schema.HasTestTime && !double.IsFinite(t))
        {
            _log.Row(line, "test time", ProblemCodes.NotFinite, $"test time is {Describe(row.TestTime)}");
            return;
        }

        if (!double.IsFinite(row.Temperature) && !double.IsNaN(row.Temperature))
        {
            _log.Row(line, "temperature", ProblemCodes.NotFinite, $"temperature is {Describe(row.Temperature)}");
            return;
        }

        // Direction and sign.
        var dir = row.Direction;
        if (schema.CurrentSign == CurrentSign.Unsigned)
        {
            if (dir == 0 && row.StepHint != StepType.Unknown)
            {
                dir = DirectionOf(row.StepHint);
            }

            i = dir < 0 ? -Math.Abs(i) : dir > 0 ? Math.Abs(i) : (Math.Abs(i) <= _options.RestCurrentThreshold ? 0 : Math.Abs(i));
        }
        else if (schema.CurrentSign == CurrentSign.ChargeNegative)
        {
            i = -i;
        }

        if (!schema.HasCurrent)
        {
            i = double.NaN;
        }

        if (schema.CurrentSign != CurrentSign.Unsigned || dir == 0)
        {
            dir = double.IsNaN(i) ? DirectionOf(row.StepHint) : Math.Abs(i) <= _options.RestCurrentThreshold ? (sbyte)0 : i > 0 ? (sbyte)1 : (sbyte)-1;
        }

        // Timestamps, and test time where the file has only a clock.
        long timestamp = Sample.NoTimestamp;
        if (schema.HasWallClock && row.WallTicks != 0)
        {
            timestamp = _time.Resolve(row.WallTicks, schema.WallClockIsUtc, schema.HasTestTime ? t : double.NaN, line);
            if (!schema.HasTestTime)
            {
                t = (timestamp * 10 - (_time.FirstUtcTicks - DateTime.UnixEpoch.Ticks)) / (double)TimeSpan.TicksPerSecond;
            }
        }
        else if (schema.HasWallClock && !schema.HasTestTime)
        {
            _log.Row(line, "time", ProblemCodes.BadTime, "row has no time stamp");
            return;
        }
        else if (schema.StartWallTicks != 0 && schema.HasTestTime)
        {
            timestamp = _time.FromStart(schema.StartWallTicks, schema.WallClockIsUtc, t, line);
        }

        if (_newRunPending)
        {
            _newRunPending = false;
            if (!double.IsNaN(_lastOutputTime))
            {
                var gap = timestamp != Sample.NoTimestamp && _prevTimestamp != Sample.NoTimestamp
                    ? Math.Max(0, ((timestamp - _prevTimestamp) / 1e6) - t)
                    : 0;
                _runOffset = _lastOutputTime + gap;
            }
        }

        // Clock-only files already count from the first stamp of the file.
        if (schema.HasTestTime || !schema.HasWallClock)
        {
            t += _runOffset;
        }

        // Time going backwards or repeating, duplicated rows.
        if (_havePrev)
        {
            if (t < _prevT - 1e-9)
            {
                _log.Row(line, "test time", ProblemCodes.TimeBackwards, $"test time goes back from {_prevT:0.####} s to {t:0.####} s");
                return;
            }

            if (t == _prevT)
            {
                if (v == _prevV && (i == _prevI || (double.IsNaN(i) && double.IsNaN(_prevI))) && SameCounters(row))
                {
                    _log.Row(line, null, ProblemCodes.Duplicate, $"row repeats the previous row (test time {t:0.####} s)");
                    return;
                }

                // The end of one step and the start of the next may share an instant (Neware step clocks); elsewhere it is odd.
                if (row.Step == int.MinValue || row.Step == _prevRawStep)
                {
                    _log.Warn(line, "test time", ProblemCodes.TimeRepeats, $"test time {t:0.####} s repeats with different values; row kept");
                }
            }
        }

        // Cycle: the file's, or inferred (charge after a discharge starts a new cycle).
        int cycle;
        if (schema.HasCycle && row.Cycle != int.MinValue)
        {
            if (_lastFileCycle != int.MinValue && row.Cycle > _lastFileCycle + 1)
            {
                _log.Warn(line, "cycle", ProblemCodes.CycleGap, $"cycle index jumps from {_lastFileCycle} to {row.Cycle}");
            }

            _lastFileCycle = row.Cycle;
            cycle = row.Cycle;
        }
        else
        {
            if (dir < 0)
            {
                _dischargedInCycle = true;
            }
            else if (dir > 0 && _dischargedInCycle)
            {
                _inferredCycle++;
                _dischargedInCycle = false;
            }

            cycle = _inferredCycle;
            if (schema.HasCycle)
            {
                _log.WarnOnce("cycle-missing", line, "cycle", ProblemCodes.Inferred, "cycle index is empty: inferred from charge/discharge alternation");
            }
        }

        // Step: the file's, or counted from direction changes.
        int step;
        if (schema.HasStep && row.Step != int.MinValue)
        {
            step = row.Step;
        }
        else
        {
            if (dir != _stepDir)
            {
                _inferredStep++;
                _stepDir = dir;
            }

            step = _inferredStep;
        }

        // Counters to per-cycle capacity and energy.
        if (cycle != _cycle)
        {
            _cycle = cycle;
            _qc = _qd = _ec = _ed = 0;
        }

        var q1 = row.Q1 * _counterScale;
        var q2 = row.Q2 * _counterScale;
        var e1 = row.E1 * _counterScale;
        var e2 = row.E2 * _counterScale;
        if (_havePrev)
        {
            var dt = t - _prevT;
            Count(schema.Capacity, q1, q2, _prevQ1, _prevQ2, dir, ref _capacityState, dt, i, _prevI, ref _qc, ref _qd);
            Count(schema.Energy, e1, e2, _prevE1, _prevE2, dir, ref _energyState, dt, i * v, _prevI * _prevV, ref _ec, ref _ed);
        }
        else if (dir != 0)
        {
            // The first row (or the first of a new run) only sets where the counters stand.
            _capacityState = new CounterState { Direction = dir, Value = q1 };
            _energyState = new CounterState { Direction = dir, Value = e1 };
        }

        // Step type: the file's, refined (CV) or inferred.
        var type = row.StepHint;
        if (!schema.HasStepHint || type == StepType.Unknown)
        {
            type = double.IsNaN(i) ? StepType.Other : dir == 0 ? StepType.Rest : dir > 0 ? StepType.CcCharge : StepType.CcDischarge;
        }

        var segKey = (step * 4) + dir + 1;
        if (segKey != _segKey || cycle != _segCycle)
        {
            EndSegment();
            _segKey = segKey;
            _segCycle = cycle;
            _segDir = dir;
            _segStartTime = t;
            _segMaxAbsI = 0;
            _segRows = 0;
            _segCv = false;
            _segFromRest = _prevSegType == StepType.Rest;
        }

        if ((!schema.StepHintHasMode || !schema.HasStepHint) && type is StepType.CcCharge or StepType.CcDischarge)
        {
            var absI = Math.Abs(i);
            if (!_segCv && _segRows >= 3 && Math.Abs(v - _prevV) < 1e-3 && absI < 0.95 * _segMaxAbsI)
            {
                _segCv = true;
            }

            _segMaxAbsI = Math.Max(_segMaxAbsI, absI);
            if (_segCv)
            {
                type = type == StepType.CcCharge ? StepType.CvCharge : StepType.CvDischarge;
            }
        }

        _segRows++;

        var sample = new Sample
        {
            TimestampMicros = timestamp,
            TestTime = t,
            Cycle = cycle,
            Step = step,
            StepType = type,
            Current = i,
            Voltage = v,
            Temperature = row.Temperature,
            ChargeCapacity = _qc,
            DischargeCapacity = _qd,
            ChargeEnergy = _ec,
            DischargeEnergy = _ed,
            SourceRow = line,
        };

        if (_stepCount == MaxStepBuffer)
        {
            FlushStep(false);
        }

        _step[_stepCount++] = sample;

        _havePrev = true;
        _prevT = t;
        _prevRawStep = row.Step;
        _prevV = v;
        _prevI = i;
        _prevQ1 = q1;
        _prevQ2 = q2;
        _prevE1 = e1;
        _prevE2 = e2;
        _prevTimestamp = timestamp;
        _lastOutputTime = t;
    }

    private bool SameCounters(in RawRow row)
    {
        static bool Same(double a, double b) => a == b || (double.IsNaN(a) && double.IsNaN(b));
        return Same(row.Q1 * _counterScale, _prevQ1) && Same(row.Q2 * _counterScale, _prevQ2);
    }

    /// <summary>Adds one row's increment of a counter (capacity or energy) to the cycle totals, per the file's counting convention.</summary>
    private static void Count(CounterKind kind, double x1, double x2, double p1, double p2, sbyte dir, ref CounterState state, double dt, double rate, double prevRate, ref double charge, ref double discharge)
    {
        switch (kind)
        {
            case CounterKind.SplitCumulative:
                charge += Increment(x1, p1);
                discharge += Increment(x2, p2);
                break;
            case CounterKind.SingleWithDirection:
                if (dir != 0 && double.IsFinite(x1))
                {
                    // Convention-agnostic: continuing in the same direction counts the difference, a restart
                    // (lower value, or a new direction) counts from 0, whether the file resets per step or per direction.
                    var inc = dir == state.Direction && x1 >= state.Value ? x1 - state.Value : Math.Abs(x1);
                    state.Direction = dir;
                    state.Value = x1;
                    if (dir > 0)
                    {
                        charge += inc;
                    }
                    else
                    {
                        discharge += inc;
                    }
                }

                break;
            case CounterKind.NetSigned:
                if (double.IsFinite(x1) && double.IsFinite(p1))
                {
                    var d = x1 - p1;
                    if (d > 0)
                    {
                        charge += d;
                    }
                    else
                    {
                        discharge -= d;
                    }
                }

                break;
            case CounterKind.Delta:
                if (double.IsFinite(x1))
                {
                    if (x1 > 0)
                    {
                        charge += x1;
                    }
                    else
                    {
                        discharge -= x1;
                    }
                }

                break;
            default:
                if (dt > 0 && double.IsFinite(rate) && double.IsFinite(prevRate))
                {
                    var q = 0.5 * (rate + prevRate) * dt / 3600.0;
                    if (q > 0)
                    {
                        charge += q;
                    }
                    else
                    {
                        discharge -= q;
                    }
                }

                break;
        }
    }

    private struct CounterState
    {
        public sbyte Direction;
        public double Value;
    }

    private static double Increment(double x, double prev)
    {
        if (!double.IsFinite(x))
        {
            return 0;
        }

        if (!double.IsFinite(prev))
        {
            return 0;
        }

        // Some files count discharge negative: magnitudes make both conventions one.
        x = Math.Abs(x);
        prev = Math.Abs(prev);
        return x >= prev ? x - prev : x;
    }

    private void EndSegment()
    {
        if (_stepCount > 0)
        {
            FlushStep(true);
        }
    }

    /// <summary>Classifies the buffered step (pulse or not) and moves it to the output batch.</summary>
    private void FlushStep(bool complete)
    {
        var rows = _step.AsSpan(0, _stepCount);
        var type = rows[^1].StepType;
        if (complete && _segDir != 0 && _segFromRest && rows[^1].TestTime - _segStartTime <= _options.PulseMaxDuration
            && type is not (StepType.Eis or StepType.Pulse or StepType.Other) && (!_schema!.StepHintHasMode || type is StepType.CcCharge or StepType.CcDischarge))
        {
            for (var k = 0; k < rows.Length; k++)
            {
                rows[k].StepType = StepType.Pulse;
            }

            type = StepType.Pulse;
        }

        _prevSegType = rows[^1].StepType == StepType.Pulse ? StepType.Pulse : type;
        if (!complete)
        {
            _segFromRest = false;
        }

        foreach (ref var s in rows)
        {
            s.Sequence = _sequence++;
            _cycles.Add(s);
            if (_batchCount == _batch.Length)
            {
                FlushBatch();
            }

            _batch[_batchCount++] = s;
        }

        _stepCount = 0;
    }

    private void FlushBatch()
    {
        if (_batchCount > 0)
        {
            _sink.OnSamples(_batch.AsSpan(0, _batchCount));
            _batchCount = 0;
        }
    }

    private void FlushImpedance()
    {
        if (_eisCount > 0)
        {
            _sink.OnImpedance(_eis.AsSpan(0, _eisCount));
            _eisCount = 0;
        }
    }

    private static sbyte DirectionOf(StepType type) => type switch
    {
        StepType.CcCharge or StepType.CvCharge => 1,
        StepType.CcDischarge or StepType.CvDischarge => -1,
        _ => 0,
    };

    private static string Describe(double value) => double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
