// Every file in shared/data/cycler either parses with the expected reader or fails with the expected,
// clear error. A new file in the folder fails the test until it is added to the table.
using DigitalTwin.Testing;

namespace DigitalTwin.Telemetry.Tests;

public sealed class AllFilesTests
{
    /// <summary>Relative path → reader name, or "!code" for the error the file must produce.</summary>
    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        ["arbin_csv/2017-05-09_test-TC-contact_CH33.csv"] = "arbin-csv",
        ["arbin_csv/2017-05-09_test-TC-contact_CH33_Metadata.csv"] = "!unsupported-format",
        ["arbin_csv/FastCharge_000025_CH8.csv"] = "arbin-csv",
        ["arbin_csv/FastCharge_000025_CH8_Metadata.csv"] = "!unsupported-format",
        ["arbin_csv/arbin_example.csv"] = "arbin-csv",
        ["arbin_csv/sample_data_arbin.csv"] = "arbin-csv",
        ["arbin_res/20160805_test001_45_cc_01.res"] = "!unsupported-format",
        ["arbin_res/arbin_example.res"] = "!unsupported-format",
        ["arbin_res/aux_one_x_dx.res"] = "!unsupported-format",
        ["arbin_xlsx/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx"] = "arbin-xlsx",
        ["basytec_txt/sample_data_basytec.txt"] = "basytec",
        ["biologic_mpr/00_test_01_OCV_C01.mpr"] = "biologic-mpr",
        ["biologic_mpr/00_test_04_MB_C01.mpr"] = "biologic-mpr",
        ["biologic_mpr/cp.mpr"] = "biologic-mpr",
        ["biologic_mpr/gcpl.issue_149.mpr"] = "biologic-mpr",
        ["biologic_mpr/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"] = "biologic-mpr",
        ["biologic_mpr/mb.issue_223.mpr"] = "biologic-mpr",
        ["biologic_mpr/mb.issue_95.mpr"] = "biologic-mpr",
        ["biologic_mpr/wait.mpr"] = "biologic-mpr",
        ["biologic_mpt/Sample_data_biologic_01_MB_CA1.txt"] = "biologic-text",
        ["biologic_mpt/Sample_data_biologic_no_header.mpt"] = "biologic-text",
        ["biologic_mpt/Sample_data_biologic_timestamped.txt"] = "biologic-text",
        ["biologic_mpt/cp.mpt"] = "biologic-text",
        ["biologic_mpt/gcpl.issue_149.mpt"] = "biologic-text",
        ["biologic_mpt/mb.issue_223.mpt"] = "biologic-text",
        ["biologic_mpt/mb.issue_95.de.mpt"] = "biologic-text",
        ["biologic_mpt/mb.issue_95.mpt"] = "biologic-text",
        ["biologic_mpt/ocv.old.mpt"] = "biologic-text",
        ["biologic_mpt/test_loopsnewoutput_MB_CE1_short10k.csv"] = "biologic-text",
        ["biologic_mpt/test_loopsnewoutput_MB_CE1_short10k.mpl"] = "!unsupported-format",
        ["biologic_mpt/wait.mpt"] = "biologic-text",
        ["eis/exampleData.csv"] = "eis-text",
        ["eis/exampleDataAutolab.txt"] = "eis-text",
        ["eis/exampleDataBioLogic.mpt"] = "biologic-text",
        ["eis/exampleDataCHInstruments.txt"] = "eis-text",
        ["eis/exampleDataGamry.DTA"] = "gamry-dta",
        ["eis/exampleDataParstat.txt"] = "eis-text",
        ["eis/exampleDataPowersuite.txt"] = "eis-text",
        ["eis/exampleDataVersaStudio.par"] = "eis-text",
        ["eis/exampleDataZPlot.z"] = "eis-text",
        ["eis/maccor_test_file_4267-66-6519.041"] = "maccor-text",
        ["eis/maccor_test_file_4267-66-6519.EDA0001.041"] = "eis-text",
        ["eis/peis.mpr"] = "biologic-mpr",
        ["eis/peis.mpt"] = "biologic-text",
        ["generic_csv/CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_cycle_data.csv"] = "!unsupported-format",
        ["generic_csv/CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_timeseries.csv"] = "mapped-csv",
        ["generic_csv/batmo_bdf.csv"] = "mapped-csv",
        ["generic_csv/p492-13-raw.csv"] = "mapped-csv",
        ["indigo_h5/indigo_test_sample.h5"] = "!unsupported-format",
        ["maccor_txt/PreDiag_000229_000229_truncated.034"] = "maccor-text",
        ["maccor_txt/PreDiag_000412_00008Fshort.022"] = "maccor-text",
        ["maccor_txt/PredictionDiagnostics_000109_tztest.010"] = "maccor-text",
        ["maccor_txt/PredictionDiagnostics_000151_paused.052"] = "maccor-text",
        ["maccor_txt/PredictionDiagnostics_000151_test.052"] = "maccor-text",
        ["maccor_txt/maccor_002.txt"] = "maccor-text",
        ["maccor_txt/maccor_example.001"] = "maccor-text",
        ["maccor_txt/maccor_example.002"] = "maccor-text",
        ["maccor_txt/maccor_three.txt"] = "maccor-text",
        ["maccor_txt/maccor_two.txt"] = "maccor-text",
        ["maccor_txt/sample_data_maccor.csv"] = "maccor-text",
        ["maccor_txt/xTESLADIAG_000038.078"] = "maccor-text",
        ["maccor_txt/xTESLADIAG_000038con.078"] = "maccor-text",
        ["maccor_txt/xTESLADIAG_000038test.078"] = "maccor-text",
        ["malformed/BCS - 171.64.160.115_Ta19_ourprotocol_gdocSEP2019_CC7.mps"] = "!unsupported-format",
        ["malformed/EXP.000"] = "!unsupported-format",
        ["malformed/EXP_missing.000"] = "!unsupported-format",
        ["malformed/custom_good_small.csv"] = "!unrecognized-format",
        ["malformed/custom_missing_column.csv"] = "!unrecognized-format",
        ["malformed/custom_missing_cycle.csv"] = "!unrecognized-format",
        ["malformed/custom_nan_inf.csv"] = "!unrecognized-format",
        ["malformed/custom_truncated.csv"] = "!unrecognized-format",
        ["malformed/exampleDataBioLogic_MissingFreq.mpt"] = "!missing-column",
        ["malformed/exampleDataGamryABORT.DTA"] = "gamry-dta",
        ["malformed/unsupported_test.csv"] = "!unrecognized-format",
        ["neware_csv/neware_uio.csv"] = "neware-csv",
        ["neware_csv/nw_regular_export_ife_example.csv"] = "neware-csv",
        ["neware_nda/123456789012_Unit27_Example_Data_File.ndax"] = "neware-nda",
        ["neware_nda/2-1-6_61[07005012].nda"] = "neware-nda",
        ["neware_nda/20260302_IFE_BTS85_2_9_8_1.ndax"] = "neware-nda",
        ["neware_nda/46_1_5_60_ZZZZZZZZTEST_20250924092922.ndax"] = "neware-nda",
        ["neware_nda/TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.ndax"] = "neware-nda",
        ["neware_nda/TESTCELL0001-Test_Data_Collection_Ndc17.ndax"] = "neware-nda",
        ["neware_nda/TestFile.nda"] = "neware-nda",
        ["neware_nda/ZZZZZZZZTEST.ndax"] = "neware-nda",
        ["neware_nda/new_nda_file.nda"] = "neware-nda",
        ["neware_nda/test.ndax"] = "neware-nda",
        ["neware_nda/test_2.ndax"] = "neware-nda",
        ["novonix_csv/example_data.csv"] = "novonix",
        ["novonix_csv/sample_data_novonix.csv"] = "novonix",
        ["novonix_csv/test_Nova_Form-CH01-01_short.csv"] = "novonix",
        ["novonix_csv/test_Nova_Form-CH01-01_short_metadata.csv"] = "!unsupported-format",
        ["pec_csv/Test25195.csv"] = "pec-csv",
        ["pec_csv/Test25205.csv"] = "pec-csv",
        ["pec_csv/Test25209.csv"] = "pec-csv",
    };

    /// <summary>Files that legitimately hold no data rows (a Wait technique, an empty OCV).</summary>
    private static readonly HashSet<string> Empty = ["biologic_mpr/wait.mpr", "biologic_mpt/wait.mpt"];

    public static TheoryData<string> Files()
    {
        var root = SharedData.DataFile("cycler");
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "README.md").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(root, f).Replace('\\', '/'));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryFileParsesOrFailsClearly(string relative)
    {
        Assert.True(Expected.TryGetValue(relative, out var expected), $"{relative} is new in shared/data/cycler: add its expected outcome to the table");
        var path = SharedData.DataFile("cycler", relative);
        var sink = new CountingSink();
        if (expected.StartsWith('!'))
        {
            var error = Assert.Throws<IngestException>(() => TelemetryParser.Parse(path, sink));
            Assert.Equal(expected[1..], error.Code);
            var first = error.Problems.First(p => p.Severity == ProblemSeverity.Error);
            Assert.Equal(path, first.File);
            Assert.True(first.Message.Length > 40, $"error message too terse to act on: {first.Message}");
            return;
        }

        var result = TelemetryParser.Parse(path, sink);
        Assert.Equal(expected, result.Provenance.Reader);
        Assert.Equal(64, result.Provenance.Sha256.Length);
        Assert.Equal(result.SampleCount, sink.Samples);
        Assert.Equal(result.ImpedanceCount, sink.Impedance);
        if (Empty.Contains(relative))
        {
            Assert.Equal(0, sink.Samples + sink.Impedance);
            Assert.Contains(result.Provenance.Warnings, w => w.Code == ProblemCodes.NoData);
        }
        else
        {
            Assert.True(sink.Samples + sink.Impedance > 0, $"{relative}: no samples and no impedance points");
        }
    }

    [Fact]
    public void SamplesAreNormalized()
    {
        // Every sample of every readable file: finite voltage, non-decreasing test time, counters non-negative.
        foreach (var (relative, expected) in Expected.Where(e => !e.Value.StartsWith('!')))
        {
            var sink = new CollectingSink();
            TelemetryParser.Parse(SharedData.DataFile("cycler", relative), sink);
            var previous = double.NegativeInfinity;
            foreach (var s in sink.Samples)
            {
                Assert.True(double.IsFinite(s.Voltage), $"{relative}:{s.SourceRow} voltage {s.Voltage}");
                Assert.True(s.TestTime >= previous - 1e-9, $"{relative}:{s.SourceRow} test time goes back");
                Assert.True(s.ChargeCapacity >= 0 && s.DischargeCapacity >= 0, $"{relative}:{s.SourceRow} negative counter");
                Assert.True(s.Voltage is > -10 and < 10, $"{relative}:{s.SourceRow} voltage {s.Voltage} V is not a cell voltage (unit not normalized)");
                previous = s.TestTime;
            }

            _ = expected;
        }
    }
}
