// Maccor text exports in every dialect seen: classic tab ".0xx" (seconds or minutes), KIT/SIMBA
// (key/value preamble, decimal comma, bare-minute TestTime, unsigned current with Md), WMG (mAmps, mV labelled
// "Volts", "0d hh:mm:ss" times) and the comma CSV export. The Amp-hr counter restarts per step or per direction.
using DigitalTwin.Telemetry.Normalization;
using DigitalTwin.Telemetry.Parsing;

namespace DigitalTwin.Telemetry.Readers;

public sealed class MaccorTextReader : CyclerReader
{
    private static readonly TokenMap States = new TokenMap()
        .Add("R", StepType.Rest, 0)
        .Add("C", StepType.CcCharge, 1)
        .Add("D", StepType.CcDischarge, -1)
        .Add("S", StepType.Rest, 0)
        .Add("P", StepType.Rest, 0)
        .Add("O", StepType.Unknown, 0)
        .Add("FRA", StepType.Eis, 0);

    public override string Name => "maccor-text";

    public override string Description => "Maccor text exports: classic tab .0xx (seconds/minutes), KIT/SIMBA decimal comma, WMG milli-units, comma CSV";

    public override int Probe(FileHead head)
    {
        var first = head.FirstLine;
        if (first.StartsWith("Today's Date", StringComparison.Ordinal) || first.StartsWith("Today''s Date", StringComparison.Ordinal))
        {
            return head.Lines.Take(12).Any(IsHeaderLine) ? 95 : 0;
        }

        if (first.StartsWith("Name:\t", StringComparison.Ordinal) && head.Lines.Take(8).Any(l => l.Contains("Maccor", StringComparison.OrdinalIgnoreCase)))
        {
            return 90;
        }

        return head.Lines.Take(30).Any(IsHeaderLine) ? 60 : 0;
    }

    public override void Read(ReadContext context)
    {
        var header = context.Head.Lines.Take(200).FirstOrDefault(IsHeaderLine);
        var delimiter = header is not null && !header.Contains('\t') ? (byte)',' : (byte)'\t';
        TableEngine.Run(context, new Dialect(delimiter, context.Head.FirstLine.StartsWith("Name:", StringComparison.Ordinal)));
    }

    private static bool IsHeaderLine(string line) =>
        (line.StartsWith("Rec#", StringComparison.Ordinal) || line.StartsWith("Rec\t", StringComparison.Ordinal) || line.StartsWith("Rec,", StringComparison.Ordinal))
        && line.Contains("Step", StringComparison.Ordinal);

    private sealed class Dialect(byte delimiter, bool simba) : TableDialect
    {
        private long _fraRows;
        private long _firstFra;

        public override byte Delimiter => delimiter;

        /// <summary>FRA records repeat one placeholder row per frequency; the spectrum itself is in the .EDA export.</summary>
        public override bool OnRow(ref RawRow row, ReadOnlySpan<byte> line, ReadOnlySpan<Range> fields, ReadContext context)
        {
            if (row.StepHint != StepType.Eis)
            {
                return true;
            }

            if (_fraRows++ == 0)
            {
                _firstFra = row.Line;
            }

            return false;
        }

        public override void OnEnd(ReadContext context, bool headerFound, long dataRows)
        {
            base.OnEnd(context, headerFound, dataRows);
            if (_fraRows > 0)
            {
                context.Warn(_firstFra, "State", ProblemCodes.NoData, $"{_fraRows} FRA (impedance) placeholder records from line {_firstFra} are not samples; the spectrum is in the companion .EDA export (read it with the eis-text reader)");
            }
        }

        public override bool IsHeader(string line, long number, IReadOnlyList<string> preamble) => IsHeaderLine(line);

        public override TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine)
        {
            var h = new HeaderIndex(header);
            var b = new BindingBuilder(h, context, headerLine);
            b.Bind(Target.Cycle, ValueKind.Integer, 1, false, "Cyc#", "Cycle C", "Cycle");
            b.Bind(Target.Step, ValueKind.Integer, 1, true, "Step");
            var minutes = h.Find("Test (Min)") >= 0;
            if (!b.Bind(Target.TestTime, ValueKind.Number, 1, false, "Test (Sec)", "Test Time (sec)", "Test Time (s)")
                && !b.Bind(Target.TestTime, ValueKind.Number, 60, false, "Test (Min)"))
            {
                // "0d 06:00:00.04" or, in the KIT/SIMBA dialect, bare minutes.
                b.Bind(Target.TestTime, ValueKind.Duration, simba ? 60 : 1, true, "TestTime", "Test Time");
            }

            var milliCurrent = h.Find("mAmps") >= 0;
            b.Bind(Target.Current, ValueKind.Number, milliCurrent ? 1e-3 : 1, true, "Amps", "mAmps", "Current [A]", "Current", "Current (A)");
            b.Bind(Target.Voltage, ValueKind.Number, 1, true, "Volts", "Voltage [V]", "Voltage", "Voltage (V)");
            var milliCapacity = h.Find("mAmp-hr") >= 0;
            var capacity = b.Bind(Target.Q1, ValueKind.Number, milliCapacity ? 1e-3 : 1, false, "Amp-hr", "mAmp-hr", "Cap. [Ah]", "Capacity", "Capacity (Ah)");
            var milliEnergy = h.Find("mWatt-hr") >= 0;
            var energy = b.Bind(Target.E1, ValueKind.Number, milliEnergy ? 1e-3 : 1, false, "Watt-hr", "mWatt-hr", "Ener. [Wh]", "Energy", "Energy (Wh)");
            var state = b.Bind(Target.StepHint, ValueKind.Token, 1, false, "State", "Md");
            var clock = b.Bind(Target.WallClock, ValueKind.DateTime, 1, false, "DPt Time", "DPT Time");
            var temperature = b.Bind(Target.Temperature, ValueKind.Number, 1, false, "Temp 1", "Temperature", "Temp (C)");
            b.ThrowIfMissing("Maccor text");

            // Metadata from the preamble: test date (for time-only clocks), barcode, procedure.
            long baseDate = 0;
            foreach (var l in preamble)
            {
                var parts = l.Split('\t', ',');
                for (var k = 0; k < parts.Length - 1; k++)
                {
                    var key = parts[k].Trim();
                    var value = parts[k + 1].Trim();
                    if (key.Contains("Date of Test", StringComparison.Ordinal) && baseDate == 0
                        && WallClock.TryParse(System.Text.Encoding.UTF8.GetBytes(value), DateOrder.MonthDayYear, out var ticks, out _, out var timeOnly) && !timeOnly)
                    {
                        baseDate = new DateTime(ticks).Date.Ticks;
                    }
                    else if (key.StartsWith("Comment/Barcode", StringComparison.Ordinal) && value.Length > 0)
                    {
                        context.CellIdHint ??= value;
                        context.Metadata["barcode"] = value;
                    }
                    else if (key.StartsWith("Name:", StringComparison.Ordinal) && value.Length > 0)
                    {
                        context.CellIdHint ??= value;
                    }
                }

                var barcode = l.IndexOf("Comment/Barcode:", StringComparison.Ordinal);
                if (barcode >= 0 && l[(barcode + 16)..].Trim().Length > 0)
                {
                    var value = l[(barcode + 16)..].Split('\t')[0].Trim();
                    context.CellIdHint ??= value;
                    context.Metadata.TryAdd("barcode", value);
                }

                var procedure = l.IndexOf("Procedure:", StringComparison.Ordinal);
                if (procedure >= 0)
                {
                    context.Metadata["procedure"] = l[(procedure + 10)..].Split('\t')[0].Trim();
                }
            }

            var unsigned = h.Find("Md") >= 0;
            var dialect = simba ? "Maccor KIT/SIMBA text (key/value preamble, Md state, bare-minute TestTime)"
                : milliCurrent ? "Maccor WMG text (mAmps, mAmp-hr, voltage checked for mV)"
                : delimiter == (byte)',' ? "Maccor comma CSV export"
                : minutes ? "Maccor classic tab text, minutes" : "Maccor classic tab text, seconds";
            return new TableLayout
            {
                Schema = new RawSchema
                {
                    Dialect = dialect,
                    HasTestTime = true,
                    HasWallClock = clock,
                    HasCycle = b.Has(Target.Cycle),
                    HasStep = true,
                    HasStepHint = state,
                    HasTemperature = temperature,
                    CurrentSign = unsigned ? CurrentSign.Unsigned : CurrentSign.ChargePositive,
                    Capacity = capacity ? CounterKind.SingleWithDirection : CounterKind.None,
                    Energy = energy ? CounterKind.SingleWithDirection : CounterKind.None,
                    Columns = b.Columns,
                },
                Bindings = b.Bindings,
                Tokens = States,
                Decimal = 0,
                DateOrder = DateOrder.MonthDayYear,
                BaseDateTicks = baseDate,
            };
        }
    }
}
