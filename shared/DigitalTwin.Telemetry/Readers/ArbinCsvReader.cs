// Arbin CSV exports: the classic layout (Data_Point, Test_Time, DateTime as Unix seconds, as BEEP stores it)
// and MITS Pro 8+ (units in the names, "Date Time" local MM/DD/YYYY). Capacities are cumulative; + current = charge.
using DigitalTwin.Telemetry.Normalization;

namespace DigitalTwin.Telemetry.Readers;

public sealed class ArbinCsvReader : CyclerReader
{
    public override string Name => "arbin-csv";

    public override string Description => "Arbin CSV, classic (Data_Point, Test_Time, DateTime) and MITS Pro with units in the column names";

    public override int Probe(FileHead head)
    {
        var first = head.FirstLine.TrimStart('\uFEFF');
        var classic = first.StartsWith("Data_Point,", StringComparison.OrdinalIgnoreCase) && first.Contains("Test_Time", StringComparison.OrdinalIgnoreCase);
        var mits = first.StartsWith("Data Point,", StringComparison.OrdinalIgnoreCase) && first.Contains("Test Time (s)", StringComparison.OrdinalIgnoreCase);
        return (classic || mits) && first.Contains("Voltage", StringComparison.OrdinalIgnoreCase) ? 90 : 0;
    }

    public override void Read(ReadContext context) => TableEngine.Run(context, new Dialect());

    private sealed class Dialect : TableDialect
    {
        public override byte Delimiter => (byte)',';

        public override bool RowsAreIndependent => true;

        public override bool IsHeader(string line, long number, IReadOnlyList<string> preamble) => number == 1;

        public override TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine)
        {
            var h = new HeaderIndex(header.Select(n => n.TrimStart('\uFEFF')).ToArray());
            var b = new BindingBuilder(h, context, headerLine);
            var mits = h.Find("Test Time (s)") >= 0;
            var time = b.Bind(Target.TestTime, ValueKind.Number, 1, true, "Test_Time", "Test_Time(s)", "Test Time (s)");
            var clockUtc = b.Bind(Target.WallClock, ValueKind.UnixSeconds, 1, false, "DateTime");
            var clockLocal = !clockUtc && b.Bind(Target.WallClock, ValueKind.DateTime, 1, false, "Date Time", "Date_Time");
            var cycle = b.Bind(Target.Cycle, ValueKind.Integer, 1, false, "Cycle_Index", "Cycle Index");
            var step = b.Bind(Target.Step, ValueKind.Integer, 1, false, "Step_Index", "Step Index");
            BindScaled(b, h, Target.Current, true, "Current");
            BindScaled(b, h, Target.Voltage, true, "Voltage");
            var q = BindScaled(b, h, Target.Q1, false, "Charge_Capacity", "Charge Capacity");
            BindScaled(b, h, Target.Q2, false, "Discharge_Capacity", "Discharge Capacity");
            var e = BindScaled(b, h, Target.E1, false, "Charge_Energy", "Charge Energy");
            BindScaled(b, h, Target.E2, false, "Discharge_Energy", "Discharge Energy");
            var temperatureIndex = h.Find("Temperature", "Temperature (C)", "Aux_Temperature_1 (C)", "Temperature(C)");
            if (temperatureIndex < 0)
            {
                temperatureIndex = h.FindPrefix("Aux_Temperature_1");
            }

            if (temperatureIndex >= 0)
            {
                b.Add(temperatureIndex, Target.Temperature, ValueKind.Number);
            }

            b.ThrowIfMissing("Arbin CSV");
            _ = time;
            return new TableLayout
            {
                Schema = new RawSchema
                {
                    Dialect = mits ? "Arbin MITS Pro CSV (units in names, local Date Time)" : "Arbin CSV classic (BEEP layout, DateTime in Unix seconds)",
                    HasTestTime = true,
                    HasWallClock = clockUtc || clockLocal,
                    WallClockIsUtc = clockUtc,
                    HasCycle = cycle,
                    HasStep = step,
                    HasTemperature = temperatureIndex >= 0,
                    CurrentSign = CurrentSign.ChargePositive,
                    Capacity = q ? CounterKind.SplitCumulative : CounterKind.None,
                    Energy = e ? CounterKind.SplitCumulative : CounterKind.None,
                    Columns = b.Columns,
                },
                Bindings = b.Bindings,
                DateOrder = Parsing.DateOrder.MonthDayYear,
            };
        }

        /// <summary>Binds "Name", "Name (unit)" or "Name(unit)"; the unit gives the scale (A by default).</summary>
        private static bool BindScaled(BindingBuilder b, HeaderIndex h, Target target, bool required, params string[] names)
        {
            for (var i = 0; i < h.Names.Count; i++)
            {
                var (name, unit) = Units.Split(h.Names[i]);
                if (!names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase) || string.Equals(n, h.Names[i], StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                var scale = unit.Length == 0 ? 1 : Units.Scale(unit);
                b.Add(i, target, ValueKind.Number, double.IsNaN(scale) ? 1 : scale, required);
                return true;
            }

            return b.Bind(target, ValueKind.Number, 1, required, names);
        }
    }
}
