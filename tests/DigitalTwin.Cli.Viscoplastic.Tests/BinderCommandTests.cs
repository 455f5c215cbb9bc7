// `twin binder tensile|cycle` as an engineer runs them: curves and per-cycle reports, and the errors for bad input.
using System.Globalization;
using DigitalTwin.Cli.Commands.Binder;
using DigitalTwin.Cli.Testing;

namespace DigitalTwin.Cli.Viscoplastic.Tests;

[Collection("console")] // the commands write to Console; keep these tests sequential
public sealed class BinderCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("twin-binder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CommandRunner.Run(new BinderCommands(), args);

    private static double[][] Csv(string path) => File.ReadAllLines(path).Skip(1)
        .Select(l => l.Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray()).ToArray();

    [Fact]
    public void TensileAtTheIssueRateGivesTheRecordedCurve()
    {
        // KazemGhamsari2025_PVdF.json calibration.curves at 3e-4 1/s: 10.50, 20.00, 24.31, 41.79 MPa at 1, 2, 5, 10 %
        // strain and 45 MPa at strain 0.1073 (printed to 0.01 MPa / 1e-4).
        var curve = Path.Combine(_dir, "curve.csv");
        var (code, stdout, err) = Run("binder", "tensile", "--rate", "3e-4", "--out", curve);
        Assert.True(code == 0, err);
        Assert.Contains("stress at 5 % strain: 24.31 MPa", stdout);
        Assert.Contains("stress at 10 % strain: 41.79 MPa", stdout);
        Assert.Contains("fracture stress 45 MPa reached at strain 0.1073", stdout);
        var rows = Csv(curve);
        Assert.Equal(1501, rows.Length);
        // Elastic start: σ = E ε with E = 1.05 GPa (seed 002 Table 3), round-off only.
        Assert.Equal(1.05e9 * rows[1][1], rows[1][2], 1e-6 * rows[1][2]);
        Assert.Equal(0.15, rows[^1][1], 1e-12);
    }

    [Fact]
    public void CycleStudyOfTheSeed002HistorySaturatesBelowFracture()
    {
        // docs/viscoplastic.md §4: yield stress 36.51 → 38.60 → 38.85 → 38.91 → 38.93 MPa, below 45 MPa; 0.01 MPa.
        var history = Path.Combine(_dir, "history.csv");
        var report = Path.Combine(_dir, "cycles.csv");
        var (code, _, err) = Run("binder", "cycle", "--write-seed002-history", history);
        Assert.True(code == 0, err);
        (code, _, err) = Run("binder", "cycle", "--cell-history", history, "--out", report);
        Assert.True(code == 0, err);
        var rows = Csv(report);
        Assert.Equal(5, rows.Length);
        double[] yield = [36.51, 38.60, 38.85, 38.91, 38.93];
        for (var c = 0; c < 5; c++)
        {
            Assert.Equal(c + 1, rows[c][0]);
            Assert.Equal(yield[c], rows[c][5] / 1e6, 0.01);
            Assert.True(rows[c][3] < 45e6 && rows[c][6] > 0 && rows[c][7] > 0, $"cycle {c + 1}");
        }
    }

    [Fact]
    public void BadHistoriesListEveryProblem()
    {
        var history = Path.Combine(_dir, "bad.csv");
        File.WriteAllLines(history, ["time_s,x,cycle", "0,0.9,1", "0,1.5,1"]);
        var (code, _, err) = Run("binder", "cycle", "--cell-history", history);
        Assert.Equal(1, code);
        Assert.Contains("2 problem(s)", err);
        Assert.Contains("sample 1: time 0 s does not increase", err);
        Assert.Contains("outside [0, 1]", err);
        (code, _, err) = Run("binder", "cycle");
        Assert.Equal(1, code);
        Assert.Contains("--cell-history is required", err);
    }
}
