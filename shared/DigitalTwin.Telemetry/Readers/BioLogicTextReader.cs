// BioLogic EC-Lab / BT-Lab text exports (.mpt, .txt): "Nb header lines : N" preamble (or none), tab-separated
// "quantity/unit" columns, any locale (decimal comma), Latin-1 or UTF-8, relative or absolute time; also the
// semicolon BT-Lab CSV. Impedance techniques (PEIS/GEIS) give spectra; impedance points inside a Modulo Bat
// sequence (freq/Hz > 0) are marked EIS and also emitted as spectra.
using DigitalTwin.Telemetry.Normalization;
using DigitalTwin.Telemetry.Parsing;

namespace DigitalTwin.Telemetry.Readers;

public sealed class BioLogicTextReader : CyclerReader
{
    public override string Name => "biologic-text";

    public override string Description => "BioLogic EC-Lab/BT-Lab text (.mpt/.txt, any locale, header-less, absolute time, BT-Lab ';' CSV), incl. PEIS/GEIS spectra";

    public override int Probe(FileHead head)
    {
        var first = head.FirstLine.TrimStart('\uFEFF');
        if (first.StartsWith("EC-Lab ASCII FILE", StringComparison.Ordinal) || first.StartsWith("BT-Lab ASCII FILE", StringComparison.Ordinal))
        {
            return 100;
        }

        var looksLikeColumns = first.Contains("time/s", StringComparison.Ordinal) && (first.Contains("Ewe/V", StringComparison.Ordinal) || first.Contains("Ecell/V", StringComparison.Ordinal));
        return looksLikeColumns && (first.Contains('\t') || first.Contains(';')) ? 80 : 0;
    }

    public override void Read(ReadContext context)
    {
        var first = context.Head.FirstLine.TrimStart('\uFEFF');
        var headerLine = 1L;
        if (first.StartsWith("EC-Lab", StringComparison.Ordinal) || first.StartsWith("BT-Lab", StringComparison.Ordinal))
        {
            var second = context.Head.Lines.Length > 1 ? context.Head.Lines[1] : string.Empty;
            var colon = second.IndexOf(':');
            if (!second.StartsWith("Nb header lines", StringComparison.Ordinal) || colon < 0 || !long.TryParse(second[(colon + 1)..].Trim(), out headerLine) || headerLine < 3)
            {
                throw context.Fail(2, "Nb header lines", ProblemCodes.Corrupt, $"expected 'Nb header lines : N' (N ≥ 3) on line 2, found '{second.Trim()}'");
            }
        }

        var delimiter = first.Contains(';') && !first.Contains('\t') ? (byte)';' : (byte)'\t';
        TableEngine.Run(context, new Dialect(headerLine, delimiter));
    }

    private sealed class Dialect(long headerLine, byte delimiter) : TableDialect
    {
        private int _modeIndex = -1;
        private int _frequencyIndex = -1;
        private int _reIndex = -1;
        private int _imIndex = -1;
        private byte _decimal = (byte)'.';
        private int _spectrum;
        private double _lastFrequency = double.NaN;

        public override byte Delimiter => delimiter;

        public override bool IsHeader(string line, long number, IReadOnlyList<string> preamble) => number == headerLine;

        public override TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine)
        {
            var h = new HeaderIndex(header);
            var b = new BindingBuilder(h, context, headerLine);
            var technique = preamble.Count > 2 ? preamble[2].Trim() : string.Empty;
            if (preamble.Count > 3 && technique.Length == 0)
            {
                technique = preamble[3].Trim();
            }

            context.Metadata["technique"] = technique;
            var impedanceOnly = technique.Contains("Impedance Spectroscopy", StringComparison.OrdinalIgnoreCase);

            // Absolute-time exports put "MM/DD/YYYY HH:MM:SS.fff" in time/s: look at the first data row.
            var firstData = context.Head.Lines.Length > headerLine ? context.Head.Lines[headerLine] : string.Empty;
            var timeIndex = h.Find("time/s");
            var absolute = false;
            if (timeIndex >= 0)
            {
                var fields = firstData.Split((char)delimiter);
                absolute = fields.Length > timeIndex && fields[timeIndex].Contains(':') && fields[timeIndex].Contains('/');
            }

            _decimal = firstData.Contains(',') && delimiter != (byte)',' && firstData.Count(c => c == ',') > firstData.Count(c => c == '.') ? (byte)',' : (byte)'.';
            long start = 0;
            foreach (var l in preamble)
            {
                if (l.StartsWith("Acquisition started on :", StringComparison.Ordinal)
                    && WallClock.TryParse(System.Text.Encoding.UTF8.GetBytes(l[24..].Trim()), DateOrder.MonthDayYear, out var ticks, out _, out var timeOnly) && !timeOnly)
                {
                    start = ticks;
                }
            }

            if (impedanceOnly)
            {
                b.Bind(Target.Frequency, ValueKind.Number, 1, true, "freq/Hz");
                b.Bind(Target.ZReal, ValueKind.Number, 1, true, "Re(Z)/Ohm");
                b.Bind(Target.ZImag, ValueKind.Number, 1, true, "-Im(Z)/Ohm");
                b.Bind(Target.TestTime, ValueKind.Number, 1, false, "time/s");
                b.Bind(Target.Voltage, ValueKind.Number, 1, false, "<Ewe>/V", "Ewe/V", "<Ecell>/V", "Ecell/V");
                BindCurrent(b, h, false);
                b.Bind(Target.Cycle, ValueKind.Integer, 1, false, "cycle number");
                b.ThrowIfMissing($"BioLogic {technique}");
                return new TableLayout
                {
                    Schema = new RawSchema { Dialect = $"BioLogic text, {technique} spectrum", HasTestTime = true, HasCycle = true, HasStep = true, GuessUnits = false, Columns = b.Columns },
                    Bindings = b.Bindings,
                    Decimal = _decimal,
                    Impedance = true,
                    NegatedImaginary = true,
                };
            }

            if (absolute)
            {
                b.Add(timeIndex, Target.WallClock, ValueKind.DateTime);
            }
            else
            {
                b.Bind(Target.TestTime, ValueKind.Number, 1, true, "time/s");
            }

            b.Bind(Target.Voltage, ValueKind.Number, 1, true, "Ecell/V", "Ewe/V", "<Ewe>/V", "<Ecell>/V", "Ewe-Ece/V");
            var current = BindCurrent(b, h, false);
            var cycle = b.Bind(Target.Cycle, ValueKind.Integer, 1, false, "cycle number");
            var step = b.Bind(Target.Step, ValueKind.Integer, 1, false, "Ns");
            var capacity = CounterKind.None;
            // Lower-case "dq" is the charge of each point; older EC-Lab writes the running "(Q-Qo)" as "dQ" (cp.mpt).
            if (BindCharge(b, h, Target.Q1, "dq", caseSensitive: true))
            {
                capacity = CounterKind.Delta;
            }
            else if (BindCharge(b, h, Target.Q1, "(Q-Qo)") || BindCharge(b, h, Target.Q1, "dQ"))
            {
                capacity = CounterKind.NetSigned;
            }
            else if (BindCharge(b, h, Target.Q1, "Q charge") && BindCharge(b, h, Target.Q2, "Q discharge"))
            {
                capacity = CounterKind.SplitCumulative;
            }

            var energy = b.Bind(Target.E1, ValueKind.Number, 1, false, "Energy charge/W.h") && b.Bind(Target.E2, ValueKind.Number, 1, false, "Energy discharge/W.h");
            var temperatureIndex = h.FindPrefix("Temperature/");
            if (temperatureIndex < 0)
            {
                temperatureIndex = h.Find("T/°C", "T/�C");
            }

            if (temperatureIndex >= 0)
            {
                b.Add(temperatureIndex, Target.Temperature, ValueKind.Number);
            }

            b.ThrowIfMissing("BioLogic text");
            _modeIndex = h.Find("mode");
            _frequencyIndex = h.Find("freq/Hz");
            _reIndex = h.Find("Re(Z)/Ohm");
            _imIndex = h.Find("-Im(Z)/Ohm");
            return new TableLayout
            {
                Schema = new RawSchema
                {
                    Dialect = $"BioLogic {(delimiter == (byte)';' ? "BT-Lab ';' CSV" : "text")}, {(technique.Length > 0 ? technique : "no header")}{(_decimal == (byte)',' ? ", decimal comma" : string.Empty)}{(absolute ? ", absolute time" : string.Empty)}",
                    HasTestTime = !absolute,
                    HasWallClock = absolute,
                    StartWallTicks = absolute ? 0 : start,
                    HasCycle = cycle,
                    FirstInferredCycle = 0, // EC-Lab numbers cycles from 0
                    HasStep = step,
                    HasStepHint = _modeIndex >= 0,
                    StepHintHasMode = _modeIndex >= 0,
                    HasCurrent = current,
                    HasTemperature = temperatureIndex >= 0,
                    CurrentSign = CurrentSign.ChargePositive,
                    Capacity = capacity,
                    Energy = energy ? CounterKind.SplitCumulative : CounterKind.None,
                    Columns = b.Columns,
                },
                Bindings = b.Bindings,
                Decimal = _decimal,
                DateOrder = DateOrder.MonthDayYear,
            };
        }

        public override bool OnRow(ref RawRow row, ReadOnlySpan<byte> line, ReadOnlySpan<Range> fields, ReadContext context)
        {
            var hint = StepType.Unknown;
            if (_modeIndex >= 0 && _modeIndex < fields.Length && FastNumber.TryParseInt(line[fields[_modeIndex]], _decimal, out var mode))
            {
                var sign = double.IsNaN(row.Current) || Math.Abs(row.Current) <= context.Options.RestCurrentThreshold ? 0 : Math.Sign(row.Current);
                hint = (mode, sign) switch
                {
                    (3, _) or (_, 0) => StepType.Rest,
                    (2, > 0) => StepType.CvCharge,
                    (2, < 0) => StepType.CvDischarge,
                    (1, > 0) => StepType.CcCharge,
                    (1, < 0) => StepType.CcDischarge,
                    _ => StepType.Unknown,
                };
            }

            if (_frequencyIndex >= 0 && _frequencyIndex < fields.Length
                && FastNumber.TryParseDouble(line[fields[_frequencyIndex]], _decimal, out var f) && f > 0)
            {
                hint = StepType.Eis;
                if (_reIndex >= 0 && _imIndex >= 0 && _imIndex < fields.Length
                    && FastNumber.TryParseDouble(line[fields[_reIndex]], _decimal, out var re)
                    && FastNumber.TryParseDouble(line[fields[_imIndex]], _decimal, out var negIm))
                {
                    if (!double.IsNaN(_lastFrequency) && f > _lastFrequency * 10)
                    {
                        _spectrum++;
                    }

                    _lastFrequency = f;
                    var p = new ImpedancePoint
                    {
                        TimestampMicros = Sample.NoTimestamp,
                        TestTime = row.TestTime,
                        Cycle = row.Cycle == int.MinValue ? 0 : row.Cycle,
                        Spectrum = _spectrum,
                        Frequency = f,
                        ZReal = re,
                        ZImag = -negIm,
                        Voltage = row.Voltage,
                        Current = row.Current,
                        SourceRow = row.Line,
                    };
                    context.EmitImpedance(ref p);
                }
            }

            row.StepHint = hint;
            return true;
        }

        private static bool BindCurrent(BindingBuilder b, HeaderIndex h, bool required)
        {
            foreach (var name in new[] { "I/mA", "<I>/mA", "I/A", "<I>/A", "I/µA", "<I>/µA" })
            {
                var i = h.Find(name);
                if (i >= 0)
                {
                    b.Add(i, Target.Current, ValueKind.Number, Units.Scale(name[(name.IndexOf('/') + 1)..]));
                    return true;
                }
            }

            return b.Bind(Target.Current, ValueKind.Number, 1e-3, required, "I/mA");
        }

        private static bool BindCharge(BindingBuilder b, HeaderIndex h, Target target, string quantity, bool caseSensitive = false)
        {
            foreach (var (unit, scale) in new[] { ("mA.h", 1e-3), ("A.h", 1.0), ("C", 1.0 / 3600), ("µA.h", 1e-6) })
            {
                var i = h.Find($"{quantity}/{unit}");
                if (i >= 0 && (!caseSensitive || h.Names[i].StartsWith(quantity + "/", StringComparison.Ordinal)))
                {
                    b.Add(i, target, ValueKind.Number, scale);
                    return true;
                }
            }

            return false;
        }
    }
}
