// Normalization against synthetic Arbin files whose every value is known analytically: per-cycle figures
// (capacity, energy, mean voltages, CE, CV time, dQ/dV), unit surprises, duplicates, UTF-16 and a DST gap.
using System.Globalization;
using System.Text;

namespace DigitalTwin.Telemetry.Tests;

public sealed class NormalizationTests
{
    private const string ClassicHeader = "Data_Point,Test_Time,DateTime,Step_Time,Step_Index,Cycle_Index,Current,Voltage,Charge_Capacity,Discharge_Capacity,Charge_Energy,Discharge_Energy,dV/dt,Internal_Resistance,Temperature";
    private const double Tau = 600;        // CV current decay constant [s]
    private const double CvSeconds = 1800;  // length of the CV phase [s]
    private const long Epoch = 1_600_000_000;

    /// <summary>One row of the synthetic test (SI units, + = charging).</summary>
    private readonly record struct Row(double T, int Step, int Cycle, double I, double V, double Qc, double Qd, double Ec, double Ed);

    /// <summary>
    /// Per cycle: 60 s rest at 3.0 V; CC-CV charge in one step (1 A while V rises linearly 3.0 → 4.0 V over 3600 s, then
    /// 4.0 V with I = exp(-t/600 s) for 1800 s); 60 s rest; 1 A discharge for 3000 s while V falls linearly 3.9 → 3.1 V.
    /// Counters are the exact integrals, cumulative within the cycle (Arbin convention).
    /// </summary>
    private static List<Row> Cycles(int count, double dt)
    {
        var rows = new List<Row>();
        double t = 0;
        for (var cycle = 1; cycle <= count; cycle++)
        {
            for (double s = dt; s <= 60 + 1e-9; s += dt)
            {
                rows.Add(new Row(t + s, 1, cycle, 0, 3.0, 0, 0, 0, 0));
            }

            t += 60;
            for (double s = dt; s <= 3600 + CvSeconds + 1e-9; s += dt)
            {
                if (s <= 3600 + 1e-9)
                {
                    rows.Add(new Row(t + s, 2, cycle, 1, 3 + (s / 3600), s / 3600, 0, ((3 * s) + (s * s / 7200)) / 3600, 0));
                }
                else
                {
                    var q = 1 + (Tau * (1 - Math.Exp(-(s - 3600) / Tau)) / 3600);
                    rows.Add(new Row(t + s, 2, cycle, Math.Exp(-(s - 3600) / Tau), 4, q, 0, 3.5 + (4 * (q - 1)), 0));
                }
            }

            t += 3600 + CvSeconds;
            var qc = rows[^1].Qc;
            var ec = rows[^1].Ec;
            for (double s = dt; s <= 60 + 1e-9; s += dt)
            {
                rows.Add(new Row(t + s, 3, cycle, 0, 4, qc, 0, ec, 0));
            }

            t += 60;
            for (double s = dt; s <= 3000 + 1e-9; s += dt)
            {
                rows.Add(new Row(t + s, 4, cycle, -1, 3.9 - (0.8 * s / 3000), qc, s / 3600, ec, ((3.9 * s) - (0.8 * s * s / 6000)) / 3600));
            }

            t += 3000;
        }

        return rows;
    }

    private static string Classic(IEnumerable<Row> rows, Func<Row, Row>? alter = null)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder(ClassicHeader).Append('\n');
        var n = 0;
        foreach (var original in rows)
        {
            var r = alter is null ? original : alter(original);
            n++;
            text.Append(c, $"{n},{r.T:R},{Epoch + original.T:R},0,{r.Step},{r.Cycle},{r.I:R},{r.V:R},{r.Qc:R},{r.Qd:R},{r.Ec:R},{r.Ed:R},0,0.02,25\n");
        }

        return text.ToString();
    }

    private static (ParseResult Result, List<Sample> Samples) Parse(string text, IngestOptions? options = null, Encoding? encoding = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"synthetic-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
        try
        {
            var sink = new CollectingSink();
            return (TelemetryParser.Parse(path, sink, options), sink.Samples);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Near(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R} ± {tolerance:R}, got {actual:R}");

    [Fact]
    public void CycleSummaryEqualsTheAnalyticCycle()
    {
        var (result, samples) = Parse(Classic(Cycles(2, 1)));
        Assert.Equal("arbin-csv", result.Provenance.Reader);
        Assert.Equal(2, result.Cycles.Count);

        // Analytic integrals of the profile above (see Cycles): Qc = 1 + τ(1 − e^−3)/3600 Ah, Qd = 3000/3600 Ah,
        // Ec = 3.5 Wh (∫(3 + t/3600) dt / 3600 over 3600 s) + 4 V·(Qc − 1), Ed = (3.9·3000 − 0.8·3000/2)/3600 Wh.
        var qc = 1 + (Tau * (1 - Math.Exp(-CvSeconds / Tau)) / 3600);
        var qd = 3000.0 / 3600;
        var ec = 3.5 + (4 * (qc - 1));
        var ed = ((3.9 * 3000) - (0.8 * 1500)) / 3600;
        foreach (var c in result.Cycles)
        {
            var what = $"cycle {c.Cycle}";
            Near(qc, c.ChargeCapacity, 1e-9, what + " charge capacity (file counter)");
            Near(qd, c.DischargeCapacity, 1e-9, what + " discharge capacity");
            Near(qd / qc, c.CoulombicEfficiency, 1e-9, what + " coulombic efficiency");
            Near(ec, c.ChargeEnergy, 1e-9, what + " charge energy");
            Near(ed, c.DischargeEnergy, 1e-9, what + " discharge energy");
            Near(ec / qc, c.MeanChargeVoltage, 1e-9, what + " mean charge voltage");
            Near(3.5, c.MeanDischargeVoltage, 1e-9, what + " mean discharge voltage (linear 3.9 → 3.1 V)");
            Near(3.0, c.VoltageMin, 1e-12, what + " V min");
            Near(4.0, c.VoltageMax, 1e-12, what + " V max");
            Near(25, c.TemperatureMax, 1e-12, what + " T max");

            // Sampled at 1 s, 60 + 5400 + 60 + 3000 s per cycle; the first sample is 1 s after the cycle starts.
            Near(8520 - 1, c.Duration, 1e-6, what + " duration");

            // Trapezoid of the sampled current: exact for the CC parts, O(dt²) on the exponential; the 0 → 1 A edge at
            // the start of the charge adds half a sample (0.5 s · 1 A); 0.1 % covers both.
            Near(qc, c.CoulombCountedCharge, 1e-3 * qc, what + " coulomb-counted charge");
            Near(qd, c.CoulombCountedDischarge, 1e-3 * qd, what + " coulomb-counted discharge");

            // CV is recognized once |I| < 95 % of the step's peak at constant voltage: τ·ln(1/0.95) = 30.8 s into the
            // 1800 s phase (docs/ingest.md "Step types"); ± one sample.
            Near(CvSeconds - (Tau * Math.Log(1 / 0.95)), c.CvTime, 1.5, what + " CV time");

            // dQ/dV conserves charge: Σ (dQ/dV)·ΔV = capacity. Inside the linear CC ramp dQ/dV = 1 Ah / 1 V on charge
            // and (3000/3600 Ah) / 0.8 V on discharge; a 10 mV bin holds 36 (37.5) samples, so ±1 sample = ±3 %.
            Near(qc, c.DqDvCharge.Sum() * 0.01, 1e-9, what + " Σ dQ/dV charge");
            Near(qd, c.DqDvDischarge.Sum() * 0.01, 1e-9, what + " Σ dQ/dV discharge");
            for (var k = 0; k < c.DqDvVoltage.Length; k++)
            {
                var v = c.DqDvVoltage[k];
                if (v is > 3.02 and < 3.98)
                {
                    Near(1.0, c.DqDvCharge[k], 0.03, $"{what} dQ/dV charge at {v:0.000} V");
                }

                if (v is > 3.12 and < 3.88)
                {
                    Near(qd / 0.8, c.DqDvDischarge[k], 0.03 * qd / 0.8, $"{what} dQ/dV discharge at {v:0.000} V");
                }
            }
        }

        // Samples: step types from the profile, UTC from the Unix DateTime column, source rows = file lines.
        var first = samples[0];
        Assert.Equal((StepType.Rest, 2L), (first.StepType, first.SourceRow));
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(Epoch + 1), first.TimestampUtc);
        Assert.Equal(StepType.CcCharge, samples.First(s => s.Step == 2).StepType);
        Assert.Equal(StepType.CvCharge, samples.Last(s => s.Step == 2).StepType);
        Assert.All(samples.Where(s => s.Step == 4), s => Assert.Equal(StepType.CcDischarge, s.StepType));
        Assert.All(samples, s => Assert.Equal(Epoch + s.TestTime, s.TimestampMicros / 1e6, 1e-6));
    }

    /// <summary>The unit surprises of the issue, each judged on the first rows and reported with a warning naming the field.</summary>
    [Theory]
    [InlineData("current", "mA")]
    [InlineData("current", "sign")]
    [InlineData("test time", "min")]
    [InlineData("test time", "h")]
    [InlineData("voltage", "mV")]
    public void UnitSurprisesAreCorrectedAndReported(string field, string surprise)
    {
        // 5 s sampling: the first 256 rows span 1280 s, enough clock for the minutes/hours check (≥ 300 s).
        var rows = Cycles(1, 5);
        Row Alter(Row r) => surprise switch
        {
            "mA" => r with { I = r.I * 1000 },
            "sign" => r with { I = -r.I },
            "min" => r with { T = r.T / 60 },
            "h" => r with { T = r.T / 3600 },
            _ => r with { V = r.V * 1000 },
        };

        var (result, samples) = Parse(Classic(rows, Alter));
        var warning = Assert.Single(result.Provenance.Warnings, w => w.Code == ProblemCodes.UnitGuess);
        Assert.Equal(field, warning.Field);
        Assert.True(warning.Line > 0);
        Assert.Equal(rows.Count, samples.Count);
        for (var k = 0; k < rows.Count; k++)
        {
            // Rescaling by 1000 or 60 is exact to a few ulps of the values (≤ 1e-12 relative).
            Assert.Equal(rows[k].I, samples[k].Current, 1e-12);
            Assert.Equal(rows[k].V, samples[k].Voltage, 1e-12);
            Assert.Equal(rows[k].T, samples[k].TestTime, 1e-9);
        }
    }

    [Fact]
    public void DuplicatedAndRepeatedRowsAreReportedWithTheirLine()
    {
        var rows = Cycles(1, 5);
        var lines = Classic(rows).TrimEnd('\n').Split('\n').ToList();

        // Line 101 repeated verbatim as line 102 (a duplicate); line 201 gets line 200's test time with other values.
        lines.Insert(101, lines[100]);
        var fields = lines[200].Split(',');
        fields[1] = lines[199].Split(',')[1];
        lines[200] = string.Join(',', fields);
        var text = string.Join('\n', lines) + "\n";

        var (result, samples) = Parse(text);
        var duplicate = Assert.Single(result.Provenance.Warnings, w => w.Code == ProblemCodes.Duplicate);
        Assert.Equal(102, duplicate.Line);
        var repeat = Assert.Single(result.Provenance.Warnings, w => w.Code == ProblemCodes.TimeRepeats);
        Assert.Equal((201L, "test time"), (repeat.Line, repeat.Field));
        Assert.Equal(rows.Count, samples.Count);
        Assert.Contains(samples, s => s.SourceRow == 201);
        Assert.Equal(1, result.SkippedRows);

        var reject = Assert.Throws<IngestException>(() => Parse(text, new IngestOptions { BadRows = BadRowPolicy.RejectFile }));
        Assert.Equal(ProblemCodes.Duplicate, reject.Code);
        Assert.Equal(102, reject.Problems.Single(p => p.Severity == ProblemSeverity.Error).Line);
    }

    [Fact]
    public void ChunkedParsingEqualsTheOneThreadPath()
    {
        // ~17 k rows = several 4096-line chunks, damaged around the chunk edges: garbage lines, a bad number, a
        // duplicate, a swapped pair and a truncated last line. Samples, warnings and skip counts must be identical.
        var lines = Classic(Cycles(2, 1)).TrimEnd('\n').Split('\n').ToList();
        foreach (var k in new[] { 4096, 4097, 8193, 12000 })
        {
            lines.Insert(k, k % 2 == 0 ? "###garbage###,x,y" : string.Join(',', lines[k].Split(',').Select((f, j) => j == 7 ? "1.2.3" : f)));
        }

        lines.Insert(8190, lines[8189]);
        (lines[9000], lines[9001]) = (lines[9001], lines[9000]);
        var text = string.Join('\n', lines);
        text = text[..^20];

        var (one, oneSamples) = Parse(text, new IngestOptions { ParseThreads = 1 });
        var (many, manySamples) = Parse(text, new IngestOptions { ParseThreads = 4 });
        Assert.True(one.Provenance.Warnings.Count >= 7, $"only {one.Provenance.Warnings.Count} problems reported");
        Assert.Equal(one.Provenance.Warnings.Select(w => (w.Line, w.Field, w.Code, w.Message)), many.Provenance.Warnings.Select(w => (w.Line, w.Field, w.Code, w.Message)));
        Assert.Equal(one.SkippedRows, many.SkippedRows);
        Assert.Equal(oneSamples, manySamples);
        Assert.Equal(one.Cycles.Select(c => (c.Cycle, c.ChargeCapacity, c.DischargeCapacity, c.CvTime)), many.Cycles.Select(c => (c.Cycle, c.ChargeCapacity, c.DischargeCapacity, c.CvTime)));
    }

    [Fact]
    public void Utf16FilesGiveTheSameSamplesAsUtf8()
    {
        var text = Classic(Cycles(1, 5));
        var (_, utf8) = Parse(text);
        var (result, utf16) = Parse(text, encoding: new UnicodeEncoding(bigEndian: false, byteOrderMark: true));
        Assert.Contains(result.Provenance.Warnings, w => w.Code == ProblemCodes.Encoding);
        Assert.Equal(utf8.Count, utf16.Count);
        Assert.Equal(utf8.Select(s => (s.Voltage, s.Current, s.TestTime, s.SourceRow)), utf16.Select(s => (s.Voltage, s.Current, s.TestTime, s.SourceRow)));
    }

    [Fact]
    public void WallClockAcrossTheSpringGapFollowsTestTime()
    {
        // MITS Pro layout, local Date Time in Europe/Berlin across 2021-03-28 02:00 CET → 03:00 CEST (EU rule: last
        // Sunday of March). Every 10 s for 20 min from 01:50:00 local; the wall clock jumps an hour at 02:00.
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder("Data Point,Date Time,Test Time (s),Step Time (s),Cycle Index,Step Index,Current (A),Voltage (V),Charge Capacity (Ah),Discharge Capacity (Ah)\n");
        var startUtc = new DateTime(2021, 3, 28, 0, 50, 0, DateTimeKind.Utc); // 01:50 CET = UTC+1
        for (var k = 0; k <= 120; k++)
        {
            var utc = startUtc.AddSeconds(10 * k);
            var local = utc.AddHours(utc < new DateTime(2021, 3, 28, 1, 0, 0, DateTimeKind.Utc) ? 1 : 2);
            text.Append(c, $"{k + 1},{local:MM/dd/yyyy HH:mm:ss.fff},{10.0 * k},{10.0 * k},1,1,0.5,{3.5 + (k * 1e-3)},{5.0 * k / 3600},0\n");
        }

        var (result, samples) = Parse(text.ToString(), new IngestOptions { TimeZone = "Europe/Berlin" });
        Assert.Equal(121, samples.Count);
        Assert.DoesNotContain(result.Provenance.Warnings, w => w.Code == ProblemCodes.TimeZone && w.Line > 2);
        for (var k = 0; k < samples.Count; k++)
        {
            Assert.Equal(startUtc.AddSeconds(10 * k), samples[k].TimestampUtc);
        }
    }
}
