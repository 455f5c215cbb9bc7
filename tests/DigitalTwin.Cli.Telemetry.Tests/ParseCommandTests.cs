// `twin parse` as a user runs it: the samples CSV and cycles JSON it writes, and what it says (and leaves behind)
// when a file is rejected.
using System.Globalization;
using System.Text.Json;
using DigitalTwin.Cli.Commands.Telemetry;
using DigitalTwin.Cli.Testing;
using DigitalTwin.Testing;

namespace DigitalTwin.Cli.Telemetry.Tests;

[Collection("console")] // the command writes to Console; keep these tests sequential
public sealed class ParseCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("twin-parse-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CommandRunner.Run(new ParseCommandModule(), ["parse", .. args]);

    [Fact]
    public void TheIssueExampleWritesSamplesAndCycles()
    {
        // The issue's command line on the DST test file (America/Los_Angeles, crosses 2019-11-03 01:00-02:00 twice).
        var input = SharedData.DataFile("cycler", "maccor_txt", "PredictionDiagnostics_000109_tztest.010");
        var samples = Path.Combine(_dir, "samples.csv");
        var cycles = Path.Combine(_dir, "cycles.json");
        var (code, stdout, _) = Run(input, "--format", "auto", "--tz", "America/Los_Angeles", "--out", samples, "--cycles", cycles);
        Assert.Equal(0, code);
        Assert.Contains("maccor-text", stdout, StringComparison.Ordinal);

        var lines = File.ReadAllLines(samples);
        Assert.Equal("sequence,source_row,timestamp_utc,test_time_s,cycle,step,step_type,current_a,voltage_v,temperature_c,charge_capacity_ah,discharge_capacity_ah,charge_energy_wh,discharge_energy_wh", lines[0]);

        // Line 3 of the file: 11/02/2019 23:28:51 PDT (UTC-7) = 2019-11-03 06:28:51 UTC; Volts column 4.10009918.
        var first = lines[1].Split(',');
        Assert.Equal(("0", "3", "2019-11-03T06:28:51.000000Z"), (first[0], first[1], first[2]));
        Assert.Equal(4.10009918, double.Parse(first[8], CultureInfo.InvariantCulture), 1e-9);

        using var json = JsonDocument.Parse(File.ReadAllText(cycles));
        var root = json.RootElement;
        Assert.Equal(lines.Length - 1, root.GetProperty("SampleCount").GetInt64());
        Assert.Equal("maccor-text", root.GetProperty("Provenance").GetProperty("Reader").GetString());
        Assert.Equal("America/Los_Angeles", root.GetProperty("Provenance").GetProperty("TimeZone").GetString());
        Assert.Equal(64, root.GetProperty("Provenance").GetProperty("Sha256").GetString()!.Length);
        Assert.True(root.GetProperty("Cycles").GetArrayLength() > 0);
    }

    [Fact]
    public void ARejectedFileListsEveryProblemAndWritesNothing()
    {
        // custom_nan_inf.csv through its mapping: empty voltage on line 24, inf on 28, -inf on 32 (diff against custom_good_small.csv).
        var mapping = Path.Combine(AppContext.BaseDirectory, "Mappings", "cellpy-custom.json");
        var input = SharedData.DataFile("cycler", "malformed", "custom_nan_inf.csv");
        var samples = Path.Combine(_dir, "rejected.csv");
        var (code, _, stderr) = Run(input, "--mapping", mapping, "--policy", "reject", "--out", samples);
        Assert.Equal(1, code);
        Assert.False(File.Exists(samples), "a rejected file must leave no output behind");
        foreach (var line in new[] { 24, 28, 32 })
        {
            Assert.Contains($"custom_nan_inf.csv:{line} [voltage]: error", stderr, StringComparison.Ordinal);
        }

        // The default policy skips those three rows with warnings and keeps the other 57.
        var (skipCode, stdout, _) = Run(input, "--mapping", mapping, "--out", samples);
        Assert.Equal(0, skipCode);
        Assert.Contains("57 samples", stdout, StringComparison.Ordinal);
        Assert.Equal(58, File.ReadAllLines(samples).Length);
    }

    [Fact]
    public void BadArgumentsAndUnreadableFilesFailWithAReason()
    {
        var output = Path.Combine(_dir, "x.csv");
        var arbin = SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv");

        var (policy, _, policyErr) = Run(arbin, "--policy", "sometimes", "--out", output);
        Assert.Equal((2, true), (policy, policyErr.Contains("--policy", StringComparison.Ordinal)));

        var (zone, _, zoneErr) = Run(arbin, "--tz", "Mars/Olympus", "--out", output);
        Assert.Equal((1, true), (zone, zoneErr.Contains("[tz]: error time-zone", StringComparison.Ordinal)));

        var (res, _, resErr) = Run(SharedData.DataFile("cycler", "arbin_res", "arbin_example.res"), "--out", output);
        Assert.Equal((1, true), (res, resErr.Contains("unsupported-format", StringComparison.Ordinal) && resErr.Contains("Jet", StringComparison.Ordinal)));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void ASpectrumOnlyFileWritesItsImpedancePoints()
    {
        var output = Path.Combine(_dir, "spectrum.csv");
        var (code, _, _) = Run(SharedData.DataFile("cycler", "eis", "exampleDataGamry.DTA"), "--out", output);
        Assert.Equal(0, code);
        var lines = File.ReadAllLines(output);
        Assert.StartsWith("sequence,source_row,spectrum,cycle,test_time_s,frequency_hz,z_real_ohm,z_imag_ohm", lines[0], StringComparison.Ordinal);

        // exampleDataGamry.DTA: first ZCURVE row (file line 449) is 200015.6 Hz, Zreal 825.8584 Ω, Zimag -1367.239 Ω.
        var first = lines[1].Split(',');
        Assert.Equal(("449", 200015.6, 825.8584, -1367.239), (first[1], double.Parse(first[5], CultureInfo.InvariantCulture), double.Parse(first[6], CultureInfo.InvariantCulture), double.Parse(first[7], CultureInfo.InvariantCulture)));
    }
}
