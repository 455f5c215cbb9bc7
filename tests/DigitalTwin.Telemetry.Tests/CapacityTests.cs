// Per-cycle capacities against the files' own capacity columns (±0.5 %) and against coulomb counting of the
// current (±1 %). The reference values are computed here from the raw text, independently of the readers.
using System.Globalization;
using DigitalTwin.Testing;

namespace DigitalTwin.Telemetry.Tests;

public sealed class CapacityTests
{
    private const double FileTolerance = 0.005;
    private const double CoulombTolerance = 0.01;

    private static Dictionary<int, CycleSummary> Cycles(string folder, string file, IngestOptions? options = null) =>
        TelemetryParser.Parse(SharedData.DataFile("cycler", folder, file), new CountingSink(), options).Cycles.ToDictionary(c => c.Cycle);

    private static void Near(double expected, double actual, double relative, string what)
    {
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Abs(expected) + 1e-9, $"{what}: expected {expected:R}, got {actual:R} (tolerance {relative:P1})");
    }

    [Fact]
    public void NewareCycleRowsMatch()
    {
        // Reference: the cycle rows of the 3-level export (columns Chg. Cap.(Ah), DChg. Cap.(Ah)).
        var path = SharedData.DataFile("cycler", "neware_csv", "nw_regular_export_ife_example.csv");
        var cycles = Cycles("neware_csv", "nw_regular_export_ife_example.csv");
        var checkedRows = 0;
        foreach (var line in File.ReadLines(path).Skip(3).Where(l => l.Length > 0 && char.IsDigit(l[0])))
        {
            var f = line.Split(',');
            var cycle = int.Parse(f[0], CultureInfo.InvariantCulture);
            Near(double.Parse(f[1], CultureInfo.InvariantCulture), cycles[cycle].ChargeCapacity, FileTolerance, $"cycle {cycle} charge");
            Near(double.Parse(f[2], CultureInfo.InvariantCulture), cycles[cycle].DischargeCapacity, FileTolerance, $"cycle {cycle} discharge");
            checkedRows++;
        }

        Assert.Equal(20, checkedRows);
    }

    [Fact]
    public void ArbinCumulativeColumnsMatch()
    {
        // Reference: Charge_/Discharge_Capacity are cumulative and restart at 0 in a new cycle (except the partial first one):
        // the value at the end of the cycle minus where it stood before (the previous cycle's end, or 0 after a restart).
        var path = SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv");
        var cycles = Cycles("arbin_csv", "arbin_example.csv");
        var rows = File.ReadLines(path).Skip(1).Select(l => l.Split(',')).Select(f => (Cycle: int.Parse(f[5], CultureInfo.InvariantCulture), Qc: double.Parse(f[8], CultureInfo.InvariantCulture), Qd: double.Parse(f[9], CultureInfo.InvariantCulture))).ToList();
        foreach (var group in rows.GroupBy(r => r.Cycle))
        {
            var before = rows.TakeWhile(r => r.Cycle != group.Key).LastOrDefault(rows[0]);
            var first = group.First();
            var baseQc = first.Qc >= before.Qc ? before.Qc : 0;
            var baseQd = first.Qd >= before.Qd ? before.Qd : 0;
            Near(group.Last().Qc - baseQc, cycles[group.Key].ChargeCapacity, FileTolerance, $"cycle {group.Key} charge");
            Near(group.Last().Qd - baseQd, cycles[group.Key].DischargeCapacity, FileTolerance, $"cycle {group.Key} discharge");
        }
    }

    [Fact]
    public void MaccorStepCountersMatch()
    {
        // Reference: Amp-hr restarts at every step; a cycle's charge is the sum of the last Amp-hr of its C steps.
        var path = SharedData.DataFile("cycler", "maccor_txt", "xTESLADIAG_000038.078");
        var cycles = Cycles("maccor_txt", "xTESLADIAG_000038.078");
        var sums = new Dictionary<(int Cycle, string State), double>();
        string? previousKey = null;
        double last = 0;
        (int, string) lastKey = default;
        foreach (var f in File.ReadLines(path).Skip(2).Select(l => l.Split('\t')))
        {
            var key = $"{f[1]}/{f[2]}/{f[9]}";
            if (previousKey is not null && key != previousKey)
            {
                sums[lastKey] = sums.GetValueOrDefault(lastKey) + last;
            }

            previousKey = key;
            lastKey = (int.Parse(f[1], CultureInfo.InvariantCulture), f[9]);
            last = double.Parse(f[5], CultureInfo.InvariantCulture);
        }

        sums[lastKey] = sums.GetValueOrDefault(lastKey) + last;
        foreach (var (cycle, summary) in cycles)
        {
            Near(sums.GetValueOrDefault((cycle, "C")), summary.ChargeCapacity, FileTolerance, $"cycle {cycle} charge");
            Near(sums.GetValueOrDefault((cycle, "D")), summary.DischargeCapacity, FileTolerance, $"cycle {cycle} discharge");
        }
    }

    [Fact]
    public void BasytecCycleCountersMatch()
    {
        // Reference: Ah-Cyc-Charge / Ah-Cyc-Discharge are per-cycle counters; their largest magnitude per Cyc-Count.
        var path = SharedData.DataFile("cycler", "basytec_txt", "sample_data_basytec.txt");
        var cycles = Cycles("basytec_txt", "sample_data_basytec.txt");
        var rows = File.ReadLines(path, System.Text.Encoding.Latin1).Where(l => !l.StartsWith('~')).Select(l => l.Split('\t')).ToList();
        foreach (var group in rows.GroupBy(f => int.Parse(f[26], CultureInfo.InvariantCulture)))
        {
            Near(group.Max(f => Math.Abs(double.Parse(f[11], CultureInfo.InvariantCulture))), cycles[group.Key].ChargeCapacity, FileTolerance, $"cycle {group.Key} charge");
            Near(group.Max(f => Math.Abs(double.Parse(f[12], CultureInfo.InvariantCulture))), cycles[group.Key].DischargeCapacity, FileTolerance, $"cycle {group.Key} discharge");
        }
    }

    /// <summary>Files whose counters and current agree within 1 % on every cycle that moved at least 1 mAh.</summary>
    [Theory]
    [InlineData("arbin_csv", "arbin_example.csv")]
    [InlineData("arbin_csv", "FastCharge_000025_CH8.csv")]
    [InlineData("maccor_txt", "xTESLADIAG_000038.078")]
    [InlineData("maccor_txt", "PreDiag_000229_000229_truncated.034")]
    [InlineData("maccor_txt", "maccor_three.txt")]
    [InlineData("neware_csv", "neware_uio.csv")]
    [InlineData("neware_csv", "nw_regular_export_ife_example.csv")]
    [InlineData("novonix_csv", "test_Nova_Form-CH01-01_short.csv")]
    [InlineData("basytec_txt", "sample_data_basytec.txt")]
    [InlineData("biologic_mpt", "Sample_data_biologic_01_MB_CA1.txt")]
    [InlineData("arbin_csv", "2017-05-09_test-TC-contact_CH33.csv")]
    [InlineData("arbin_xlsx", "bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx")]
    [InlineData("biologic_mpt", "cp.mpt")]
    [InlineData("biologic_mpr", "cp.mpr")]
    [InlineData("biologic_mpt", "test_loopsnewoutput_MB_CE1_short10k.csv")]
    [InlineData("generic_csv", "CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_timeseries.csv")]
    [InlineData("maccor_txt", "maccor_002.txt")]
    [InlineData("maccor_txt", "xTESLADIAG_000038con.078")]
    [InlineData("maccor_txt", "PredictionDiagnostics_000109_tztest.010")]
    [InlineData("novonix_csv", "sample_data_novonix.csv")]
    public void CountersAgreeWithCoulombCounting(string folder, string file) => CheckCoulomb(folder, file, CoulombTolerance);

    [Fact]
    public void CoarselySampledBdfAgreesWithinThreePercent()
    {
        // Exception to the 1 % rule: batmo_bdf.csv is sampled every 0.1389 h (500 s), so the trapezoid misses up to one
        // interval of current at each step edge; 3 % bounds that (one 500 s edge at C/10 over a ~10 h half cycle is ~1.4 %).
        CheckCoulomb("generic_csv", "batmo_bdf.csv", 0.03);
    }

    private static void CheckCoulomb(string folder, string file, double tolerance)
    {
        foreach (var c in Cycles(folder, file).Values)
        {
            if (c.ChargeCapacity > 1e-3)
            {
                Near(c.ChargeCapacity, c.CoulombCountedCharge, tolerance, $"{file} cycle {c.Cycle} charge vs ∫I dt");
            }

            if (c.DischargeCapacity > 1e-3)
            {
                Near(c.DischargeCapacity, c.CoulombCountedDischarge, tolerance, $"{file} cycle {c.Cycle} discharge vs ∫I dt");
            }
        }
    }
}
