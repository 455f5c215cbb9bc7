// Neware BTSDA CSV (flat and 3-level cycle/step/record), Basytec result files and PEC/SBT ACT CSV exports.
using DigitalTwin.Telemetry.Normalization;
using DigitalTwin.Telemetry.Parsing;

namespace DigitalTwin.Telemetry.Readers;

public sealed class NewareCsvReader : CyclerReader
{
    internal static readonly TokenMap StepNames = new TokenMap()
        .Add("Rest", StepType.Rest, 0)
        .Add("CC Chg", StepType.CcCharge, 1)
        .Add("CC_Chg", StepType.CcCharge, 1)
        .Add("CV Chg", StepType.CvCharge, 1)
        .Add("CV_Chg", StepType.CvCharge, 1)
        .Add("CCCV Chg", StepType.CcCharge, 1)
        .Add("CCCV_Chg", StepType.CcCharge, 1)
        .Add("CP Chg", StepType.CcCharge, 1)
        .Add("CC DChg", StepType.CcDischarge, -1)
        .Add("CC_DChg", StepType.CcDischarge, -1)
        .Add("CV DChg", StepType.CvDischarge, -1)
        .Add("CV_DChg", StepType.CvDischarge, -1)
        .Add("CCCV DChg", StepType.CcDischarge, -1)
        .Add("CCCV_DChg", StepType.CcDischarge, -1)
        .Add("CP DChg", StepType.CcDischarge, -1)
        .Add("Pulse", StepType.Pulse, 0)
        .Add("SIM", StepType.Other, 0);

    public override string Name => "neware-csv";

    public override string Description => "Neware BTSDA CSV exports, flat (DataPoint rows) and 3-level (cycle / step / record rows)";

    public override int Probe(FileHead head)
    {
        var first = head.FirstLine.TrimStart('\uFEFF');
        if (first.StartsWith("DataPoint,", StringComparison.Ordinal) && first.Contains("Step Type", StringComparison.Ordinal))
        {
            return 90;
        }

        return first.StartsWith("Cycle Index,", StringComparison.Ordinal) && head.Lines.Length > 2
            && head.Lines[1].StartsWith(",Step Index", StringComparison.Ordinal) && head.Lines[2].StartsWith(",,DataPoint", StringComparison.Ordinal) ? 95 : 0;
    }

    public override void Read(ReadContext context)
    {
        var hierarchical = context.Head.FirstLine.StartsWith("Cycle Index,", StringComparison.Ordinal);
        TableEngine.Run(context, hierarchical ? new Hierarchical() : new Flat());
    }

    private static int Temperature(HeaderIndex h)
    {
        var i = h.FindPrefix("T1(");
        return i >= 0 ? i : h.FindPrefix("Temperature");
    }

    private sealed class Flat : TableDialect
    {
        public override byte Delimiter => (byte)',';

        public override bool IsHeader(string line, long number, IReadOnlyList<string> preamble) => number == 1;

        public override TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine)
        {
            var h = new HeaderIndex(header.Select(n => n.TrimStart('\uFEFF')).ToArray());
            var b = new BindingBuilder(h, context, headerLine);
            b.Bind(Target.Cycle, ValueKind.Integer, 1, true, "Cycle Index");
            b.Bind(Target.Step, ValueKind.Integer, 1, true, "Step Index");
            b.Bind(Target.StepHint, ValueKind.Token, 1, true, "Step Type");
            var time = b.Bind(Target.TestTime, ValueKind.Duration, 1, false, "Cumulative Time", "Total Time", "Total Time(h:min:s.ms)");
            b.Bind(Target.WallClock, ValueKind.DateTime, 1, !time, "Date", "Realtime", "Absolute Time");
            b.Bind(Target.Current, ValueKind.Number, 1, true, "Current(A)");
            b.Bind(Target.Voltage, ValueKind.Number, 1, true, "Voltage(V)");
            var split = b.Bind(Target.Q1, ValueKind.Number, 1, false, "Chg. Cap.(Ah)") & b.Bind(Target.Q2, ValueKind.Number, 1, false, "DChg. Cap.(Ah)");
            var energy = b.Bind(Target.E1, ValueKind.Number, 1, false, "Chg. Energy(Wh)") & b.Bind(Target.E2, ValueKind.Number, 1, false, "DChg. Energy(Wh)");
            var t = Temperature(h);
            if (t >= 0)
            {
                b.Add(t, Target.Temperature, ValueKind.Number);
            }

            b.ThrowIfMissing("Neware CSV");
            return new TableLayout
            {
                Schema = new RawSchema
                {
                    Dialect = "Neware BTSDA CSV, flat",
                    HasTestTime = time,
                    HasWallClock = b.Has(Target.WallClock),
                    HasCycle = true,
                    HasStep = true,
                    HasStepHint = true,
                    StepHintHasMode = true,
                    HasTemperature = t >= 0,
                    CurrentSign = CurrentSign.ChargePositive,
                    Capacity = split ? CounterKind.SplitCumulative : CounterKind.None,
                    Energy = energy ? CounterKind.SplitCumulative : CounterKind.None,
                    Columns = b.Columns,
                },
                Bindings = b.Bindings,
                Tokens = StepNames,
                DateOrder = DateOrder.MonthDayYear,
            };
        }
    }

    /// <summary>Cycle rows start with the cycle index, step rows with one empty field, record rows with two.</summary>
    private sealed class Hierarchical : TableDialect
    {
        private int _cycle = int.MinValue;
        private int _step = int.MinValue;
        private StepType _type;
        private sbyte _direction;

        public override byte Delimiter => (byte)',';

        public override bool IsHeader(string line, long number, IReadOnlyList<string> preamble) => line.StartsWith(",,DataPoint", StringComparison.Ordinal);

        public override bool IsSkippable(ReadOnlySpan<byte> line)
        {
            if (line.StartsWith(",,"u8))
            {
                return false;
            }

            Span<Range> f = stackalloc Range[24];
            var n = FieldSplitter.Split(line, (byte)',', f);
            var offset = 0;
            if (n > 0 && !line[f[0]].IsEmpty)
            {
                if (FastNumber.TryParseInt(line[f[0]], (byte)'.', out var cycle))
                {
                    _cycle = cycle;
                }

                // The first cycle row of an export carries its first step row on the same line.
                if (n <= 8)
                {
                    return true;
                }

                offset = 7;
            }

            if (n > offset + 3 && FastNumber.TryParseInt(line[f[offset + 1]], (byte)'.', out var step))
            {
                _step = step;
                if (!StepNames.TryLookup(line[f[offset + 3]], out _type, out _direction))
                {
                    _type = StepType.Unknown;
                    _direction = 0;
                }
            }

            return true;
        }

        public override TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine)
        {
            var h = new HeaderIndex(header);
            var b = new BindingBuilder(h, context, headerLine);
            var time = b.Bind(Target.TestTime, ValueKind.Duration, 1, false, "Total Time");
            b.Bind(Target.WallClock, ValueKind.DateTime, 1, !time, "Date");
            b.Bind(Target.Current, ValueKind.Number, 1, true, "Current(A)");
            b.Bind(Target.Voltage, ValueKind.Number, 1, true, "Voltage(V)");
            var capacity = b.Bind(Target.Q1, ValueKind.Number, 1, false, "Capacity(Ah)");
            var energy = b.Bind(Target.E1, ValueKind.Number, 1, false, "Energy(Wh)");
            var t = Temperature(h);
            if (t >= 0)
            {
                b.Add(t, Target.Temperature, ValueKind.Number);
            }

            b.ThrowIfMissing("Neware CSV (3-level)");
            return new TableLayout
            {
                Schema = new RawSchema
                {
                    Dialect = "Neware BTSDA CSV, 3-level cycle/step/record",
                    HasTestTime = time,
                    HasWallClock = b.Has(Target.WallClock),
                    HasCycle = true,
                    HasStep = true,
                    HasStepHint = true,
                    StepHintHasMode = true,
                    HasTemperature = t >= 0,
                    CurrentSign = CurrentSign.ChargePositive,
                    Capacity = capacity ? CounterKind.SingleWithDirection : CounterKind.None,
                    Energy = energy ? CounterKind.SingleWithDirection : CounterKind.None,
                    Columns = b.Columns,
                },
                Bindings = b.Bindings,
                Tokens = StepNames,
                DateOrder = DateOrder.MonthDayYear,
            };
        }

        public override bool OnRow(ref RawRow row, ReadOnlySpan<byte> line, ReadOnlySpan<Range> fields, ReadContext context)
        {
            row.Cycle = _cycle;
            row.Step = _step;
            row.StepHint = _type;
            row.Direction = _direction;
            return true;
        }
    }
}

public sealed class BasytecReader : CyclerReader
{
    private static readonly TokenMap Commands = new TokenMap()
        .Add("Pause", StepType.Rest, 0)
        .Add("Charge", StepType.CcCharge, 1)
        .Add("Discharge", StepType.CcDischarge, -1);

    public override string Name => "basytec";

    public override string Description => "Basytec result file ('~' header lines, tab-separated, Latin-1)";

    public override int Probe(FileHead head)
    {
        if (head.FirstLine.StartsWith("~Resultfile from Basytec", StringComparison.OrdinalIgnoreCase))
        {
            return 100;
        }

        return head.FirstLine.StartsWith('~') && head.Lines.Any(l => l.StartsWith('~') && l.Contains("Time[s]", StringComparison.Ordinal) && l.Contains("U[V]", StringComparison.Ordinal)) ? 85 : 0;
    }

    public override void Read(ReadContext context) => TableEngine.Run(context, new Dialect());

    private sealed class Dialect : TableDialect
    {
        public override byte Delimiter => (byte)'\t';

        public override bool IsHeader(string line, long number, IReadOnlyList<string> preamble) =>
            line.StartsWith('~') && line.Contains("Time[s]", StringComparison.Ordinal) && line.Contains("U[V]", StringComparison.Ordinal);

        public override string[] SplitHeader(string line) => base.SplitHeader(line.TrimStart('~'));

        public override TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine)
        {
            var h = new HeaderIndex(header);
            var b = new BindingBuilder(h, context, headerLine);
            b.Bind(Target.TestTime, ValueKind.Number, 1, true, "Time[s]");
            b.Bind(Target.Voltage, ValueKind.Number, 1, true, "U[V]");
            b.Bind(Target.Current, ValueKind.Number, 1, true, "I[A]");
            b.Bind(Target.Cycle, ValueKind.Integer, 1, false, "Cyc-Count");
            b.Bind(Target.Step, ValueKind.Integer, 1, false, "Line");
            b.Bind(Target.StepHint, ValueKind.Token, 1, false, "Command");
            var capacity = b.Bind(Target.Q1, ValueKind.Number, 1, false, "Ah-Cyc-Charge") & b.Bind(Target.Q2, ValueKind.Number, 1, false, "Ah-Cyc-Discharge");
            var energy = b.Bind(Target.E1, ValueKind.Number, 1, false, "Wh-Cyc-Charge") & b.Bind(Target.E2, ValueKind.Number, 1, false, "Wh-Cyc-Discharge");
            var t = h.FindPrefix("T1[");
            if (t >= 0)
            {
                b.Add(t, Target.Temperature, ValueKind.Number);
            }

            b.ThrowIfMissing("Basytec");
            long start = 0;
            foreach (var l in preamble)
            {
                if (l.StartsWith("~Start of Test:", StringComparison.Ordinal)
                    && WallClock.TryParse(System.Text.Encoding.UTF8.GetBytes(l[15..].Trim()), DateOrder.DayMonthYear, out var ticks, out _, out var timeOnly) && !timeOnly)
                {
                    start = ticks;
                }
                else if (l.StartsWith("~Battery:", StringComparison.Ordinal) && l.Length > 10)
                {
                    context.CellIdHint ??= l[9..].Trim();
                }
            }

            return new TableLayout
            {
                Schema = new RawSchema
                {
                    Dialect = "Basytec result file",
                    HasTestTime = true,
                    StartWallTicks = start,
                    HasCycle = b.Has(Target.Cycle),
                    HasStep = b.Has(Target.Step),
                    HasStepHint = b.Has(Target.StepHint),
                    HasTemperature = t >= 0,
                    CurrentSign = CurrentSign.ChargePositive,
                    Capacity = capacity ? CounterKind.SplitCumulative : CounterKind.None,
                    Energy = energy ? CounterKind.SplitCumulative : CounterKind.None,
                    Columns = b.Columns,
                },
                Bindings = b.Bindings,
                Tokens = Commands,
                DateOrder = DateOrder.DayMonthYear,
            };
        }
    }
}

public sealed class PecCsvReader : CyclerReader
{
    public override string Name => "pec-csv";

    public override string Description => "PEC/SBT ACT CSV export (Key:,value preamble, 'Test,Cell,Rack,...' header, mAh/mWh)";

    public override int Probe(FileHead head) =>
        head.Lines.Take(200).Any(l => l.StartsWith("Test,Cell,Rack,", StringComparison.Ordinal)) && head.Lines.Take(5).Any(l => l.Contains(":,", StringComparison.Ordinal)) ? 95 : 0;

    public override void Read(ReadContext context) => TableEngine.Run(context, new Dialect());

    private sealed class Dialect : TableDialect
    {
        public override byte Delimiter => (byte)',';

        public override bool IsHeader(string line, long number, IReadOnlyList<string> preamble) => line.StartsWith("Test,Cell,Rack,", StringComparison.Ordinal);

        public override TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine)
        {
            var h = new HeaderIndex(header);
            var b = new BindingBuilder(h, context, headerLine);
            b.Bind(Target.TestTime, ValueKind.Duration, 1, true, "Total Time (Hours in hh:mm:ss.xxx)", "Total Time");
            b.Bind(Target.WallClock, ValueKind.DateTime, 1, false, "Real Time");
            b.Bind(Target.Cycle, ValueKind.Integer, 1, false, "Cycle");
            b.Bind(Target.Step, ValueKind.Integer, 1, false, "Step");
            b.Bind(Target.Voltage, ValueKind.Number, 1, true, "Voltage (V)");
            b.Bind(Target.Current, ValueKind.Number, 1, true, "Current (A)");
            var capacity = b.Bind(Target.Q1, ValueKind.Number, 1e-3, false, "Charge Capacity (mAh)") & b.Bind(Target.Q2, ValueKind.Number, 1e-3, false, "Discharge Capacity (mAh)");
            var energy = b.Bind(Target.E1, ValueKind.Number, 1e-3, false, "Charge Energy (mWh)") & b.Bind(Target.E2, ValueKind.Number, 1e-3, false, "Discharge Energy (mWh)");
            var t = h.FindPrefix("Temp (");
            if (t >= 0)
            {
                b.Add(t, Target.Temperature, ValueKind.Number);
            }

            b.ThrowIfMissing("PEC CSV");
            foreach (var l in preamble)
            {
                var comma = l.IndexOf(":,", StringComparison.Ordinal);
                if (comma > 0)
                {
                    context.Metadata.TryAdd(l[..comma].Trim(), l[(comma + 2)..].Trim().TrimEnd(','));
                }
            }

            if (context.Metadata.TryGetValue("Test", out var test))
            {
                context.CellIdHint ??= $"PEC-{test}";
            }

            return new TableLayout
            {
                Schema = new RawSchema
                {
                    Dialect = "PEC/SBT ACT CSV",
                    HasTestTime = true,
                    HasWallClock = b.Has(Target.WallClock),
                    HasCycle = b.Has(Target.Cycle),
                    HasStep = b.Has(Target.Step),
                    HasTemperature = t >= 0,
                    CurrentSign = CurrentSign.ChargePositive,
                    Capacity = capacity ? CounterKind.SplitCumulative : CounterKind.None,
                    Energy = energy ? CounterKind.SplitCumulative : CounterKind.None,
                    Columns = b.Columns,
                },
                Bindings = b.Bindings,
                DateOrder = DateOrder.MonthDayYear,
            };
        }
    }
}
