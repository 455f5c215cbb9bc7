// Novonix HPC/UHPC CSV: [Summary] and [Protocol] sections, then [Data] with a comma header. Files may hold
// several runs (an aborted run and its restart): each new [Summary] starts a run whose run time restarts.
using DigitalTwin.Telemetry.Normalization;

namespace DigitalTwin.Telemetry.Readers;

public sealed class NovonixReader : CyclerReader
{
    // Step codes (preparenovonix): 0 OCV, 1 CC (either way), 2 CC discharge, 7/8 CCCV charge CC/CV, 9/10 CCCV discharge CC/CV.
    private static readonly TokenMap Codes = new TokenMap()
        .Add("0", StepType.Rest, 0)
        .Add("2", StepType.CcDischarge, -1)
        .Add("7", StepType.CcCharge, 1)
        .Add("8", StepType.CvCharge, 1)
        .Add("9", StepType.CcDischarge, -1)
        .Add("10", StepType.CvDischarge, -1);

    public override string Name => "novonix";

    public override string Description => "Novonix HPC/UHPC CSV ([Summary]/[Protocol]/[Data]), including files holding several runs";

    public override int Probe(FileHead head) =>
        head.FirstLine.StartsWith("[Summary]", StringComparison.Ordinal) && head.Text.Contains("Novonix", StringComparison.OrdinalIgnoreCase) ? 95 : 0;

    public override void Read(ReadContext context) => TableEngine.Run(context, new Dialect());

    private sealed class Dialect : TableDialect
    {
        private static ReadOnlySpan<byte> Summary => "[Summary]"u8;

        public override byte Delimiter => (byte)',';

        public override bool IsHeader(string line, long number, IReadOnlyList<string> preamble) =>
            line.TrimStart('"').StartsWith("Date and Time", StringComparison.Ordinal);

        public override bool IsSectionStart(ReadOnlySpan<byte> line) => line.StartsWith(Summary);

        public override TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine)
        {
            var h = new HeaderIndex(header.Select(n => n.Trim()).ToArray());
            var b = new BindingBuilder(h, context, headerLine);
            b.Bind(Target.WallClock, ValueKind.DateTime, 1, false, "Date and Time");
            b.Bind(Target.Cycle, ValueKind.Integer, 1, false, "Cycle Number");
            b.Bind(Target.TestTime, ValueKind.Number, 3600, true, "Run Time (h)");
            b.Bind(Target.Current, ValueKind.Number, 1, true, "Current (A)");
            b.Bind(Target.Voltage, ValueKind.Number, 1, true, "Potential (V)");
            var capacity = b.Bind(Target.Q1, ValueKind.Number, 1, false, "Capacity (Ah)");
            var energy = b.Bind(Target.E1, ValueKind.Number, 1, false, "Energy (Wh)");
            var temperature = b.Bind(Target.Temperature, ValueKind.Number, 1, false, "Temperature (°C)", "Temperature (C)");

            // New files: "Step Type" holds the code and "Step Number" the index; old files call the code "Step Number".
            var hasType = h.Find("Step Type") >= 0;
            b.Bind(Target.StepHint, ValueKind.Token, 1, false, hasType ? "Step Type" : "Step Number");
            var step = hasType && b.Bind(Target.Step, ValueKind.Integer, 1, false, "Step Number");
            b.ThrowIfMissing("Novonix");

            foreach (var l in preamble)
            {
                if (l.StartsWith("Cell:", StringComparison.Ordinal) && l.Length > 6 && !l.Contains("****", StringComparison.Ordinal))
                {
                    context.CellIdHint ??= l[5..].Trim();
                }
                else if (l.StartsWith("Started:", StringComparison.Ordinal))
                {
                    context.Metadata.TryAdd("started", l[8..].Trim());
                }
                else if (l.StartsWith("Version:", StringComparison.Ordinal))
                {
                    context.Metadata.TryAdd("software", l[8..].Trim());
                }
            }

            return new TableLayout
            {
                Schema = new RawSchema
                {
                    Dialect = hasType ? "Novonix UHPC/HPC CSV (Step Type codes, Step Number index)" : "Novonix HPC CSV, old layout (step code in Step Number)",
                    HasTestTime = true,
                    HasWallClock = b.Has(Target.WallClock),
                    HasCycle = b.Has(Target.Cycle),
                    HasStep = step,
                    HasStepHint = true,
                    StepHintHasMode = true,
                    HasTemperature = temperature,
                    CurrentSign = CurrentSign.ChargePositive,
                    Capacity = capacity ? CounterKind.NetSigned : CounterKind.None,
                    Energy = energy ? CounterKind.NetSigned : CounterKind.None,
                    Columns = b.Columns,
                },
                Bindings = b.Bindings,
                Tokens = Codes,
                DateOrder = Parsing.DateOrder.MonthDayYear,
            };
        }
    }
}
