// Impedance spectra from text exports: Gamry .DTA (ZCURVE table), ZPlot .z, Autolab/ZView, CH Instruments,
// Parstat, PowerSuite, VersaStudio .par, Maccor FRA (.EDA) and header-less "f, Re, Im" CSV.
// All store Im(Z) with its physical sign (negative when capacitive); BioLogic's -Im(Z) is read elsewhere.
using DigitalTwin.Telemetry.Normalization;

namespace DigitalTwin.Telemetry.Readers;

public sealed class GamryDtaReader : CyclerReader
{
    public override string Name => "gamry-dta";

    public override string Description => "Gamry .DTA impedance (ZCURVE table; EXPERIMENTABORTED noted)";

    public override int Probe(FileHead head) =>
        head.FirstLine.StartsWith("EXPLAIN", StringComparison.Ordinal) && head.Text.Contains("\nTAG\t", StringComparison.Ordinal) ? 95 : 0;

    public override void Read(ReadContext context)
    {
        if (!context.Head.Text.Contains("ZCURVE\tTABLE", StringComparison.Ordinal) && context.Head.Length <= FileHead.Size)
        {
            var tag = context.Head.Lines.FirstOrDefault(l => l.StartsWith("TAG\t", StringComparison.Ordinal))?[4..] ?? "?";
            throw context.Fail(0, "ZCURVE", ProblemCodes.Unsupported, $"Gamry file with TAG {tag} has no ZCURVE table: only impedance (EIS) files are read");
        }

        TableEngine.Run(context, new Dialect());
    }

    private sealed class Dialect : TableDialect
    {
        private bool _afterZCurve;
        private bool _ended;

        public override byte Delimiter => (byte)'\t';

        public override bool IsHeader(string line, long number, IReadOnlyList<string> preamble)
        {
            if (_afterZCurve)
            {
                return true;
            }

            _afterZCurve = line.StartsWith("ZCURVE\tTABLE", StringComparison.Ordinal);
            return false;
        }

        public override bool IsSkippable(ReadOnlySpan<byte> line)
        {
            if (_ended)
            {
                return true;
            }

            if (line.Length > 0 && line[0] != (byte)'\t')
            {
                _ended = true;
                AbortedAt = line.StartsWith("EXPERIMENTABORTED"u8);
                return true;
            }

            return line.StartsWith("\t#\t"u8);
        }

        public bool AbortedAt { get; private set; }

        public override TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine)
        {
            var h = new HeaderIndex(header);
            var b = new BindingBuilder(h, context, headerLine);
            b.Bind(Target.Frequency, ValueKind.Number, 1, true, "Freq");
            b.Bind(Target.ZReal, ValueKind.Number, 1, true, "Zreal");
            b.Bind(Target.ZImag, ValueKind.Number, 1, true, "Zimag");
            b.Bind(Target.TestTime, ValueKind.Number, 1, false, "Time");
            b.Bind(Target.Voltage, ValueKind.Number, 1, false, "Vdc");
            b.Bind(Target.Current, ValueKind.Number, 1, false, "Idc");
            b.ThrowIfMissing("Gamry ZCURVE");
            return EisTextReader.Layout("Gamry .DTA ZCURVE", b);
        }

        public override void OnEnd(ReadContext context, bool headerFound, long dataRows)
        {
            if (!headerFound)
            {
                throw context.Fail(0, "ZCURVE", ProblemCodes.NoData, "no ZCURVE table found");
            }

            if (AbortedAt)
            {
                context.Warn(0, "EXPERIMENTABORTED", ProblemCodes.Truncated, $"the experiment was aborted: the spectrum holds the {dataRows} points measured before the abort");
            }
        }
    }
}

public sealed class EisTextReader : CyclerReader
{
    private enum Kind
    {
        None,
        ZPlot,
        Autolab,
        Chi,
        Parstat,
        PowerSuite,
        VersaStudio,
        MaccorFra,
        PlainCsv,
    }

    public override string Name => "eis-text";

    public override string Description => "impedance text: ZPlot .z, Autolab/ZView, CH Instruments, Parstat, PowerSuite, VersaStudio .par, Maccor FRA, 'f,Re,Im' CSV";

    public override int Probe(FileHead head) => Classify(head) == Kind.None ? 0 : Classify(head) == Kind.PlainCsv ? 40 : 90;

    public override void Read(ReadContext context)
    {
        var kind = Classify(context.Head);
        TableEngine.Run(context, new Dialect(kind));
    }

    internal static TableLayout Layout(string dialect, BindingBuilder b) => new()
    {
        Schema = new RawSchema { Dialect = dialect, HasTestTime = true, HasCycle = true, HasStep = true, GuessUnits = false, Columns = b.Columns },
        Bindings = b.Bindings,
        Impedance = true,
    };

    private static Kind Classify(FileHead head)
    {
        var first = head.FirstLine.TrimStart('\uFEFF');
        if (first.StartsWith("ZPLOT", StringComparison.Ordinal))
        {
            return Kind.ZPlot;
        }

        if (first.Contains("Z60W Data File", StringComparison.Ordinal) || head.Lines.Take(20).Any(l => l.Contains("Freq (Hz)", StringComparison.Ordinal) && l.Contains("Z'(a)", StringComparison.Ordinal)))
        {
            return Kind.Autolab;
        }

        if (head.Lines.Take(40).Any(l => l.StartsWith("Freq/Hz, Z'/ohm", StringComparison.Ordinal)))
        {
            return Kind.Chi;
        }

        if (first.StartsWith("Potential (V)\tCurrent (A)", StringComparison.Ordinal) && first.Contains("Zre (ohms)", StringComparison.Ordinal))
        {
            return Kind.Parstat;
        }

        if (first.StartsWith("Frequency\t", StringComparison.Ordinal) && first.Contains("Zre", StringComparison.Ordinal))
        {
            return Kind.PowerSuite;
        }

        if (first.StartsWith("<Application>", StringComparison.Ordinal) && head.Text.Contains("Definition=", StringComparison.Ordinal))
        {
            return Kind.VersaStudio;
        }

        if (first.StartsWith("MACCOR, INC.", StringComparison.Ordinal) && first.Contains("AC Impedance", StringComparison.Ordinal))
        {
            return Kind.MaccorFra;
        }

        var fields = first.Split(',');
        if (fields.Length == 3 && fields.All(f => double.TryParse(f, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            return Kind.PlainCsv;
        }

        return Kind.None;
    }

    private sealed class Dialect(Kind kind) : TableDialect
    {
        private bool _endComments;
        private bool _inSegment;
        private long _dcRows;
        private bool _segmentEnded;

        public override byte Delimiter => kind is Kind.Autolab or Kind.Chi or Kind.VersaStudio or Kind.PlainCsv ? (byte)',' : (byte)'\t';

        public override bool HeaderIsData => kind == Kind.PlainCsv;

        public override bool IsHeader(string line, long number, IReadOnlyList<string> preamble)
        {
            switch (kind)
            {
                case Kind.ZPlot:
                    // The data follow "End Comments"; the line before it names the columns.
                    if (_endComments)
                    {
                        return false;
                    }

                    _endComments = line.StartsWith("End Comments", StringComparison.Ordinal);
                    return _endComments;
                case Kind.Autolab:
                    return line.Contains("Freq (Hz)", StringComparison.Ordinal);
                case Kind.Chi:
                    return line.StartsWith("Freq/Hz", StringComparison.Ordinal);
                case Kind.VersaStudio:
                    if (line.StartsWith("<Segment", StringComparison.Ordinal))
                    {
                        _inSegment = true;
                    }

                    return _inSegment && line.StartsWith("Definition=", StringComparison.Ordinal);
                case Kind.MaccorFra:
                    return line.StartsWith("Freq(Hz)", StringComparison.Ordinal);
                default:
                    return number == 1;
            }
        }

        public override string[] SplitHeader(string line) => kind == Kind.VersaStudio ? base.SplitHeader(line["Definition=".Length..]) : base.SplitHeader(line);

        public override bool IsSkippable(ReadOnlySpan<byte> line)
        {
            // VersaStudio: the data segment ends at its closing tag; the rest is window layout.
            if (kind == Kind.VersaStudio && (_segmentEnded || (line.Length > 0 && line[0] == (byte)'<')))
            {
                _segmentEnded = true;
                return true;
            }

            return false;
        }

        public override TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine)
        {
            var h = new HeaderIndex(header);
            var b = new BindingBuilder(h, context, headerLine);
            switch (kind)
            {
                case Kind.ZPlot:
                case Kind.Autolab:
                    // Fixed layout: Freq, Ampl, Bias, Time, Z'(a), Z''(b), ...
                    b.Add(0, Target.Frequency, ValueKind.Number, 1, true);
                    b.Add(3, Target.TestTime, ValueKind.Number);
                    b.Add(4, Target.ZReal, ValueKind.Number, 1, true);
                    b.Add(5, Target.ZImag, ValueKind.Number, 1, true);
                    break;
                case Kind.Chi:
                    b.Bind(Target.Frequency, ValueKind.Number, 1, true, "Freq/Hz");
                    b.Bind(Target.ZReal, ValueKind.Number, 1, true, "Z'/ohm");
                    b.Bind(Target.ZImag, ValueKind.Number, 1, true, "Z\"/ohm");
                    break;
                case Kind.Parstat:
                    b.Bind(Target.Frequency, ValueKind.Number, 1, true, "Frequency (Hz)");
                    b.Bind(Target.ZReal, ValueKind.Number, 1, true, "Zre (ohms)");
                    b.Bind(Target.ZImag, ValueKind.Number, 1, true, "Zim (ohms)");
                    b.Bind(Target.TestTime, ValueKind.Number, 1, false, "Elapsed Time (s)");
                    b.Bind(Target.Voltage, ValueKind.Number, 1, false, "Potential (V)");
                    b.Bind(Target.Current, ValueKind.Number, 1, false, "Current (A)");
                    break;
                case Kind.PowerSuite:
                    b.Bind(Target.Frequency, ValueKind.Number, 1, true, "Frequency");
                    b.Bind(Target.ZReal, ValueKind.Number, 1, true, "Zre");
                    b.Bind(Target.ZImag, ValueKind.Number, 1, true, "Zimg");
                    break;
                case Kind.VersaStudio:
                    b.Bind(Target.Frequency, ValueKind.Number, 1, true, "Frequency(Hz)");
                    b.Bind(Target.ZReal, ValueKind.Number, 1, true, "Z Real");
                    b.Bind(Target.ZImag, ValueKind.Number, 1, true, "Z Imag");
                    b.Bind(Target.TestTime, ValueKind.Number, 1, false, "Elapsed Time(s)");
                    b.Bind(Target.Voltage, ValueKind.Number, 1, false, "E(V)");
                    b.Bind(Target.Current, ValueKind.Number, 1, false, "I(A)");
                    break;
                case Kind.MaccorFra:
                    b.Bind(Target.Frequency, ValueKind.Number, 1, true, "Freq(Hz)");
                    b.Bind(Target.ZReal, ValueKind.Number, 1, true, "Z'(a)");
                    b.Bind(Target.ZImag, ValueKind.Number, 1, true, "Z''(b)");
                    b.Bind(Target.TestTime, ValueKind.Number, 1, false, "time(sec)");
                    break;
                default:
                    b.Add(0, Target.Frequency, ValueKind.Number, 1, true);
                    b.Add(1, Target.ZReal, ValueKind.Number, 1, true);
                    b.Add(2, Target.ZImag, ValueKind.Number, 1, true);
                    break;
            }

            b.ThrowIfMissing(kind.ToString());
            return Layout(kind switch
            {
                Kind.ZPlot => "ZPlot .z",
                Kind.Autolab => "Autolab/ZView text",
                Kind.Chi => "CH Instruments text",
                Kind.Parstat => "Parstat text",
                Kind.PowerSuite => "PowerSuite text",
                Kind.VersaStudio => "VersaStudio .par",
                Kind.MaccorFra => "Maccor FRA export",
                _ => "header-less 'frequency, Re(Z), Im(Z)' CSV",
            }, b);
        }

        public override bool OnRow(ref RawRow row, ReadOnlySpan<byte> line, ReadOnlySpan<Range> fields, ReadContext context)
        {
            // Parstat writes the DC measurement (frequency 0) before the sweep: not impedance points.
            if (row.Q1 <= 0)
            {
                _dcRows++;
                return false;
            }

            return true;
        }

        public override void OnEnd(ReadContext context, bool headerFound, long dataRows)
        {
            base.OnEnd(context, headerFound, dataRows);
            if (_dcRows > 0)
            {
                context.Warn(0, "frequency", ProblemCodes.NoData, $"{_dcRows} rows with frequency 0 (DC measurement before the sweep) are not impedance points and were not imported as such");
            }
        }
    }
}
