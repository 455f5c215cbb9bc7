// `twin simulate` as a user runs it: the CSV it writes, and the errors and exit codes for bad input.
using System.Globalization;
using DigitalTwin.Cli.Commands.Electrochem;
using DigitalTwin.Cli.Testing;
using DigitalTwin.Testing;

namespace DigitalTwin.Cli.Electrochem.Tests;

[Collection("console")] // the command writes to Console; keep these tests sequential
public sealed class SimulateCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CommandRunner.Run(new SimulateCommand(), ["simulate", .. args]);

    [Fact]
    public void WritesTheIssueExampleCsv()
    {
        var path = Path.Combine(Path.GetTempPath(), $"twin-simulate-{Guid.NewGuid():N}.csv");
        try
        {
            var (code, _, err) = Run("--model", "dfn", "--params", "Marquis2019Comsol", "--experiment", "Discharge at 1C until 3.105 V", "--out", path, "--quiet");
            Assert.True(code == 0, err);
            var lines = File.ReadAllLines(path);
            Assert.StartsWith("Time [s],Current [A],Voltage [V],Step,Negative electrode average stoichiometry", lines.First(l => !l.StartsWith('#')), StringComparison.Ordinal);
            var last = lines[^1].Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            // Current written with the telemetry sign (charge > 0): a 1C discharge of the 24 A.h COMSOL cell is -24 A.
            Assert.Equal(-24, last[1], 9);
            Assert.True(Math.Abs(last[2] - 3.105) <= 1e-6, $"{last[2]}");
            // COMSOL crosses 3.105 V after 3600 s at 1C (reference README section 1: 1C stays above it for the whole hour).
            Assert.InRange(last[0], 3600, 3650);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BadExperimentPointsAtTheWord()
    {
        var (code, _, err) = Run("--model", "spm", "--experiment", "Discharge at 1C untill 3 V");
        Assert.Equal(2, code);
        Assert.Contains("\"untill\"", err, StringComparison.Ordinal);
        Assert.Contains("Accepted steps:", err, StringComparison.Ordinal);
    }

    [Fact]
    public void BadBpxListsEveryProblem()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, File.ReadAllText(SharedData.DataFile("reference", "bpx", "converted_v1", "nmc_pouch_cell_BPX_v1.1.1.json"))
                .Replace("\"Particle radius [m]\": 4.6e-06", "\"Particle radius [m]\": 4.6", StringComparison.Ordinal)
                .Replace("\"Cation transference number\": 0.2594,", "", StringComparison.Ordinal));
            var (code, _, err) = Run("--params", path, "--experiment", "Discharge at 1C until 3 V");
            Assert.Equal(2, code);
            Assert.Contains("Positive electrode.Particle radius [m]", err, StringComparison.Ordinal);
            Assert.Contains("Electrolyte.Cation transference number: missing", err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SpmOnlyBpxRefusesTheDfn()
    {
        var spm = SharedData.DataFile("reference", "bpx", "faraday_bpx_examples", "nmc_pouch_cell_BPX_SPM.json");
        var (code, _, err) = Run("--model", "dfn", "--params", spm, "--experiment", "Discharge at 1C until 3 V");
        Assert.Equal(2, code);
        Assert.Contains("use --model spm", err, StringComparison.Ordinal);
        var (ok, csv, _) = Run("--model", "spm", "--params", spm, "--experiment", "Discharge at 1C until 3 V", "--quiet", "--period", "600");
        Assert.Equal(0, ok);
        Assert.Contains("Time [s]", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownSetNamesTheKnownOnes()
    {
        var (code, _, err) = Run("--params", "Marquis2091", "--experiment", "Rest for 1 s");
        Assert.Equal(2, code);
        Assert.Contains("Marquis2019", err, StringComparison.Ordinal);
    }
}
