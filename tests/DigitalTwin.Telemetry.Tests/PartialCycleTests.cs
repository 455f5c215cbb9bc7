// Partial cycles at the source: the first cycle of an export that begins mid-charge, and the last cycle of a
// file that stops mid-discharge, are marked partial and carry no coulombic efficiency; whole cycles keep theirs.
using DigitalTwin.Testing;

namespace DigitalTwin.Telemetry.Tests;

public sealed class PartialCycleTests
{
    [Fact]
    public void The_first_cycle_of_an_export_that_starts_mid_charge_is_partial()
    {
        var path = SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv");
        var cycles = TelemetryParser.Parse(path, new CountingSink()).Cycles;
        Assert.Equal([1, 2], cycles.Select(c => c.Cycle));

        // Cycle 1 starts at step 10 with Charge_Capacity 0.88 Ah: 0.19 Ah charged, 1.07 Ah discharged (was shown as 559 %).
        var first = cycles[0];
        Assert.True(first.IsPartial, $"cycle 1 gaps {first.Gaps}");
        Assert.True(first.Gaps.HasFlag(CycleSummaryGaps.StartMissing));
        Assert.True(double.IsNaN(first.CoulombicEfficiency), $"cycle 1 CE {first.CoulombicEfficiency} should be absent");

        // Cycle 2 runs every step (14, 7–13) and ends at the previous cycle's lower voltage limit: whole. Its CE is the
        // file's last counters, 1.0729095 / 1.0725317 (arbin_example.csv, last row), within the parser's 0.5 % capacity tolerance.
        var second = cycles[1];
        Assert.Equal(CycleSummaryGaps.None, second.Gaps);
        Assert.Equal(1.0729095 / 1.0725317, second.CoulombicEfficiency, 0.005);
    }

    [Fact]
    public void A_file_that_stops_mid_discharge_has_a_partial_last_cycle()
    {
        // The same export cut 300 rows before its end: cycle 2's discharge stops at 2.94 V, far above cycle 1's 2.07 V limit.
        var path = SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv");
        var lines = File.ReadAllLines(path);
        var cut = Path.Combine(Path.GetTempPath(), $"dt-partial-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(cut, lines.Take(lines.Length - 300));
        try
        {
            var cycles = TelemetryParser.Parse(cut, new CountingSink()).Cycles;
            var last = cycles[^1];
            Assert.Equal(2, last.Cycle);
            Assert.True(last.Gaps.HasFlag(CycleSummaryGaps.EndMissing), $"cycle 2 gaps {last.Gaps}");
            Assert.True(double.IsNaN(last.CoulombicEfficiency));
        }
        finally
        {
            File.Delete(cut);
        }
    }
}
