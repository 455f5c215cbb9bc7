// .mpr vs .mpt twins, time zones across a DST change, unit surprises, bad-input policy, and the corruption
// property: in a damaged file every data line either becomes a sample or is reported with its line number.
using System.Globalization;
using System.Text;
using DigitalTwin.Testing;
using DigitalTwin.Telemetry.Parsing;

namespace DigitalTwin.Telemetry.Tests;

public sealed class RobustnessTests
{
    private static readonly string Mapping = Path.Combine(AppContext.BaseDirectory, "Mappings", "cellpy-custom.json");

    [Theory]
    [InlineData("cp")]
    [InlineData("gcpl.issue_149")]
    [InlineData("mb.issue_95")]
    [InlineData("mb.issue_223")]
    [InlineData("wait")]
    public void MprGivesTheSameSamplesAsItsMptTwin(string name)
    {
        var binary = new CollectingSink();
        var text = new CollectingSink();
        TelemetryParser.Parse(SharedData.DataFile("cycler", "biologic_mpr", name + ".mpr"), binary);
        TelemetryParser.Parse(SharedData.DataFile("cycler", "biologic_mpt", name + ".mpt"), text);
        Assert.Equal(text.Samples.Count, binary.Samples.Count);
        for (var i = 0; i < text.Samples.Count; i++)
        {
            var a = text.Samples[i];
            var b = binary.Samples[i];

            // Text holds float32 columns with 8 significant digits: agreement to 1e-6 relative (float32 epsilon ~6e-8).
            Assert.True(Math.Abs(a.TestTime - b.TestTime) <= 1e-6 * Math.Max(1, Math.Abs(a.TestTime)), $"{name} sample {i}: time {a.TestTime} vs {b.TestTime}");
            Assert.True(Math.Abs(a.Voltage - b.Voltage) <= 1e-6 * Math.Max(1, Math.Abs(a.Voltage)), $"{name} sample {i}: voltage {a.Voltage} vs {b.Voltage}");
            Assert.True(Math.Abs(a.Current - b.Current) <= 1e-6 * Math.Max(1e-3, Math.Abs(a.Current)), $"{name} sample {i}: current {a.Current} vs {b.Current}");
            Assert.Equal(a.Step, b.Step);
            Assert.Equal(a.StepType, b.StepType);

            // The .mpt's "cycle number" counts from 0 (EC-Lab); an .mpr without that column numbers the same way, from
            // its "half cycle" column (/2) or, without one, by inference starting at 0 (cp, mb.issue_223 were 1 vs 0).
            Assert.True(a.Cycle == b.Cycle, $"{name} sample {i}: cycle {a.Cycle} in the .mpt, {b.Cycle} in the .mpr");
            Assert.Equal(a.TimestampMicros, b.TimestampMicros, 1000.0);

            // Counters: twins may carry different charge columns (dq, (Q-Qo), Q charge/discharge); on mb.issue_223, a µA
            // cell, they differ by ~1 µAh over the file (measured 1.3 vs 0.65 µAh): 1e-4 relative plus 2 µAh absolute.
            // (cp.mpt once read its running "dQ/C" as per-point charge: 0.20 Ah against the 3.3 mAh of its .mpr.)
            Assert.True(Math.Abs(a.ChargeCapacity - b.ChargeCapacity) <= (1e-4 * Math.Abs(a.ChargeCapacity)) + 2e-6, $"{name} sample {i}: charge {a.ChargeCapacity} vs {b.ChargeCapacity}");
            Assert.True(Math.Abs(a.DischargeCapacity - b.DischargeCapacity) <= (1e-4 * Math.Abs(a.DischargeCapacity)) + 2e-6, $"{name} sample {i}: discharge {a.DischargeCapacity} vs {b.DischargeCapacity}");
        }
    }

    [Fact]
    public void PeisMprGivesTheSameSpectrumAsItsMpt()
    {
        var binary = new CollectingSink();
        var text = new CollectingSink();
        TelemetryParser.Parse(SharedData.DataFile("cycler", "eis", "peis.mpr"), binary);
        TelemetryParser.Parse(SharedData.DataFile("cycler", "eis", "peis.mpt"), text);
        Assert.Equal(text.Impedance.Count, binary.Impedance.Count);
        for (var i = 0; i < text.Impedance.Count; i++)
        {
            Assert.Equal(text.Impedance[i].Frequency, binary.Impedance[i].Frequency, 1e-6 * text.Impedance[i].Frequency);
            Assert.Equal(text.Impedance[i].ZReal, binary.Impedance[i].ZReal, 1e-6 * Math.Abs(text.Impedance[i].ZReal) + 1e-9);
            Assert.Equal(text.Impedance[i].ZImag, binary.Impedance[i].ZImag, 1e-6 * Math.Abs(text.Impedance[i].ZImag) + 1e-9);
        }

        // BioLogic stores -Im(Z); a capacitive (low-frequency) point must come out negative.
        Assert.True(text.Impedance.MinBy(p => p.Frequency).ZImag < 0);
    }

    [Fact]
    public void RepeatedHourAtDaylightSavingEndIsResolved()
    {
        // The file crosses 2019-11-03 01:00-02:00 twice (US DST end): UTC must advance exactly with test time.
        var sink = new CollectingSink();
        TelemetryParser.Parse(SharedData.DataFile("cycler", "maccor_txt", "PredictionDiagnostics_000109_tztest.010"), sink,
            new IngestOptions { TimeZone = "America/Los_Angeles" });
        var samples = sink.Samples;
        Assert.True(samples.Count > 2000);
        for (var i = 1; i < samples.Count; i++)
        {
            var dUtc = (samples[i].TimestampMicros - samples[i - 1].TimestampMicros) / 1e6;
            var dTest = samples[i].TestTime - samples[i - 1].TestTime;
            Assert.True(Math.Abs(dUtc - dTest) < 1.5, $"line {samples[i].SourceRow}: UTC advanced {dUtc} s while test time advanced {dTest} s");
        }

        // First row: 11/02/2019 23:28:51 PDT (UTC-7) is 2019-11-03 06:28:51 UTC.
        Assert.Equal(new DateTime(2019, 11, 3, 6, 28, 51, DateTimeKind.Utc), samples[0].TimestampUtc);
    }

    [Fact]
    public void MillivoltsLabelledVoltsAreRescaled()
    {
        // maccor_three.txt (WMG) writes "Volts" but the values are mV (1853.8 = 1.8538 V, per cellpy's WMG config).
        var sink = new CollectingSink();
        var result = TelemetryParser.Parse(SharedData.DataFile("cycler", "maccor_txt", "maccor_three.txt"), sink);
        Assert.Contains(result.Provenance.Warnings, w => w.Code == ProblemCodes.UnitGuess && w.Field == "voltage");
        Assert.Equal(1.8538186, sink.Samples[0].Voltage, 1e-9);
    }

    [Fact]
    public void SimbaBareMinutesBecomeSeconds()
    {
        // maccor_002.txt: TestTime 1273.411833 at 5/12/2021 12:53:48 PM, start 5/11/2021 3:40:24 PM: 76404 s = 1273.4 min.
        var sink = new CollectingSink();
        TelemetryParser.Parse(SharedData.DataFile("cycler", "maccor_txt", "maccor_002.txt"), sink);
        var row = sink.Samples.First(s => s.SourceRow == 2305);
        Assert.Equal(1273.411833 * 60, row.TestTime, 1e-6);
        Assert.True(row.Current < 0, "SIMBA 'D' rows are discharge: current must be negative");
    }

    [Fact]
    public void MultiRunNovonixContinuesTestTime()
    {
        var sink = new CollectingSink();
        var result = TelemetryParser.Parse(SharedData.DataFile("cycler", "novonix_csv", "example_data.csv"), sink);
        var run = Assert.Single(result.Provenance.Warnings, w => w.Code == ProblemCodes.NewRun);
        Assert.Equal(1621, run.Line);
        var first = sink.Samples.First(s => s.SourceRow > 1621);
        var last = sink.Samples.Last(s => s.SourceRow < 1621);
        Assert.True(first.TestTime >= last.TestTime, "the second run must continue after the first");

        // Stale records with run time going backwards (a known Novonix defect) are reported, never silently dropped.
        Assert.All(result.Provenance.Warnings.Where(w => w.Code == ProblemCodes.TimeBackwards), w => Assert.True(w.Line > 0));
    }

    [Fact]
    public void NanAndInfUnderBothPolicies()
    {
        // custom_nan_inf.csv: empty voltage on line 24, "inf" on line 28, "-inf" on line 32 (diff against custom_good_small.csv).
        var path = SharedData.DataFile("cycler", "malformed", "custom_nan_inf.csv");
        var reject = Assert.Throws<IngestException>(() => TelemetryParser.Parse(path, new CountingSink(), new IngestOptions { MappingFile = Mapping, BadRows = BadRowPolicy.RejectFile }));
        Assert.Equal([24L, 28L, 32L], reject.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.Line).ToArray());
        Assert.All(reject.Problems.Where(p => p.Severity == ProblemSeverity.Error), p => Assert.Equal("voltage", p.Field));

        var sink = new CollectingSink();
        var skip = TelemetryParser.Parse(path, sink, new IngestOptions { MappingFile = Mapping });
        Assert.Equal(3, skip.SkippedRows);
        Assert.Equal(57, sink.Samples.Count);
        Assert.Equal(60, TelemetryParser.Parse(SharedData.DataFile("cycler", "malformed", "custom_good_small.csv"), new CountingSink(), new IngestOptions { MappingFile = Mapping }).SampleCount);
    }

    [Fact]
    public void MalformedCustomFilesThroughAMapping()
    {
        var options = new IngestOptions { MappingFile = Mapping };
        var missing = Assert.Throws<IngestException>(() => TelemetryParser.Parse(SharedData.DataFile("cycler", "malformed", "custom_missing_column.csv"), new CountingSink(), options));
        Assert.Equal(ProblemCodes.MissingColumn, missing.Code);
        Assert.Contains("voltage", missing.Message, StringComparison.Ordinal);

        var gap = TelemetryParser.Parse(SharedData.DataFile("cycler", "malformed", "custom_missing_cycle.csv"), new CountingSink(), options);
        Assert.Contains(gap.Provenance.Warnings, w => w.Code == ProblemCodes.CycleGap && w.Message.Contains("from 1 to 3", StringComparison.Ordinal));

        var truncated = TelemetryParser.Parse(SharedData.DataFile("cycler", "malformed", "custom_truncated.csv"), new CountingSink(), options);
        var last = Assert.Single(truncated.Provenance.Warnings, w => w.Code == ProblemCodes.Truncated);
        Assert.Equal(80, last.Line);
        Assert.Equal(59, truncated.SampleCount);
    }

    [Fact]
    public void EmptyFileIsAClearError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"empty-{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(path, []);
        try
        {
            var e = Assert.Throws<IngestException>(() => TelemetryParser.Parse(path, new CountingSink()));
            Assert.Equal(ProblemCodes.Empty, e.Code);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FieldSplitterMatchesStringSplit()
    {
        // Lines of 0-200 bytes (the vector path takes ≥ 32) with random delimiters, empty fields and a delimiter at either end;
        // reference: string.Split. A field array shorter than the line keeps the first fields only.
        var random = new Random(7);
        var fields = new Range[64];
        for (var n = 0; n < 5000; n++)
        {
            var chars = new char[random.Next(0, 200)];
            for (var k = 0; k < chars.Length; k++)
            {
                chars[k] = random.Next(6) == 0 ? ',' : (char)('0' + random.Next(10));
            }

            var text = new string(chars);
            var bytes = Encoding.ASCII.GetBytes(text);
            var expected = text.Split(',');
            var capacity = random.Next(4) == 0 ? random.Next(1, 8) : fields.Length;
            var count = FieldSplitter.Split(bytes, (byte)',', fields.AsSpan(0, capacity));
            Assert.Equal(Math.Min(expected.Length, capacity), count);
            for (var k = 0; k < count; k++)
            {
                Assert.Equal(expected[k], Encoding.ASCII.GetString(bytes.AsSpan()[fields[k]]));
            }
        }

        // A quote anywhere (here past the first 32 bytes) makes the quoted splitter handle the line.
        var quoted = Encoding.ASCII.GetBytes("1,2,3,4,5,6,7,8,9,10,11,12,13,14,\"a,b\",16");
        Assert.Equal(16, FieldSplitter.Split(quoted, (byte)',', fields));
        Assert.Equal("a,b", Encoding.ASCII.GetString(quoted.AsSpan()[fields[14]]));
    }

    [Fact]
    public void AMissingFileOrAWrongForcedFormatSaysSo()
    {
        var missing = Assert.Throws<IngestException>(() => TelemetryParser.Parse(Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.csv"), new CountingSink()));
        Assert.Equal(ProblemCodes.NotFound, missing.Code);

        // An Arbin CSV forced through the Maccor reader: the reader's own error, then what the content looks like.
        var path = SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv");
        var forced = Assert.Throws<IngestException>(() => TelemetryParser.Parse(path, new CountingSink(), new IngestOptions { Format = "maccor-text" }));
        var hint = Assert.Single(forced.Problems, p => p.Code == ProblemCodes.Unrecognized);
        Assert.Equal("format", hint.Field);
        Assert.Contains("'arbin-csv'", hint.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void CorruptedFilesLoseNoValidRowAndReportEveryProblem(int seed)
    {
        var lines = File.ReadAllLines(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
        var random = new Random(seed);
        var output = new List<string> { lines[0] };
        var garbage = new HashSet<int>();
        var originals = new Dictionary<int, string>();
        var body = lines.Skip(1).ToList();

        // Swap a few neighbouring rows (time goes backwards for one of each pair).
        for (var k = 0; k < 5; k++)
        {
            var i = random.Next(body.Count - 1);
            (body[i], body[i + 1]) = (body[i + 1], body[i]);
        }

        foreach (var row in body)
        {
            if (random.NextDouble() < 0.01)
            {
                output.Add(random.Next(3) switch
                {
                    0 => "###garbage###,x,y",
                    1 => string.Join(',', row.Split(',').Select((f, j) => j == 7 ? "1.2.3" : f)),
                    _ => "\u00ff\u00fe binary \u0001\u0002",
                });
                garbage.Add(output.Count);
            }

            output.Add(row);
            originals[output.Count] = row;
        }

        // Truncate in the middle of the last row.
        var text = string.Join('\n', output);
        text = text[..(text.Length - random.Next(3, 20))];
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{seed}-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text, Encoding.Latin1);
        try
        {
            var sink = new CollectingSink();
            var result = TelemetryParser.Parse(path, sink);
            var emitted = sink.Samples.Select(s => s.SourceRow).ToHashSet();
            var reported = result.Provenance.Warnings.Select(w => w.Line).ToHashSet();
            var lineCount = text.Split('\n').Length;
            for (var line = 2; line <= lineCount; line++)
            {
                Assert.True(emitted.Contains(line) || reported.Contains(line), $"seed {seed}: line {line} neither imported nor reported");
                if (garbage.Contains(line))
                {
                    Assert.DoesNotContain(line, emitted);
                }
            }

            // Every emitted sample is an original row, unchanged.
            foreach (var s in sink.Samples)
            {
                var fields = originals[(int)s.SourceRow].Split(',');
                Assert.Equal(double.Parse(fields[7], CultureInfo.InvariantCulture), s.Voltage);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FastNumberMatchesTheFrameworkParser()
    {
        var random = new Random(42);
        for (var i = 0; i < 20000; i++)
        {
            var value = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-12, 12));
            foreach (var text in new[] { value.ToString("R", CultureInfo.InvariantCulture), value.ToString("E15", CultureInfo.InvariantCulture), value.ToString("F6", CultureInfo.InvariantCulture) })
            {
                Assert.True(FastNumber.TryParseDouble(Encoding.ASCII.GetBytes(text), (byte)'.', out var parsed));
                Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), parsed);
            }
        }

        Assert.True(FastNumber.TryParseDouble("3,015299923827115E+001"u8, (byte)',', out var comma));
        Assert.Equal(30.15299923827115, comma);
        Assert.False(FastNumber.TryParseDouble("1.2.3"u8, (byte)'.', out _));
    }

    [Theory]
    [InlineData("12/16/2019 14:03:25", 2019, 12, 16, 14, 3, 25, 0)]
    [InlineData("5/11/2021 3:40:24 PM", 2021, 5, 11, 15, 40, 24, 0)]
    [InlineData("23-Nov-23 3:56:11 PM", 2023, 11, 23, 15, 56, 11, 0)]
    [InlineData("2022-04-11 10:58:07 AM", 2022, 4, 11, 10, 58, 7, 0)]
    [InlineData("\t09/20/2024 08:32:34.558", 2024, 9, 20, 8, 32, 34, 558)]
    [InlineData("19.06.2023 17:56:53", 2023, 6, 19, 17, 56, 53, 0)]
    [InlineData("08/23/2021 12:04:19 AM", 2021, 8, 23, 0, 4, 19, 0)]
    public void WallClockFormats(string text, int y, int mo, int d, int h, int mi, int s, int ms)
    {
        Assert.True(WallClock.TryParse(Encoding.UTF8.GetBytes(text), DateOrder.MonthDayYear, out var ticks, out _, out var timeOnly));
        Assert.False(timeOnly);
        Assert.Equal(new DateTime(y, mo, d, h, mi, s, ms), new DateTime(ticks));
    }
}
