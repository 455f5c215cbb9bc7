// `twin mechanics stress|interface|strength` as an engineer runs them: CSV in, numbers and CSV out, exit codes.
using System.Globalization;
using DigitalTwin.Cli.Commands.Mechanics;
using DigitalTwin.Cli.Testing;

namespace DigitalTwin.Cli.Mechanics.Tests;

[Collection("console")] // the commands write to Console; keep these tests sequential
public sealed class MechanicsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("twin-mechanics-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CommandRunner.Run(new MechanicsCommands(), args);

    private string Profile(string name, int times, Func<int, double, double> concentration)
    {
        const double radius = 5.3e-6;
        var path = Path.Combine(_dir, name);
        using var w = new StreamWriter(path);
        w.WriteLine(times == 1 ? "r_m,c_mol_m3" : "time_s,r_m,c_mol_m3");
        for (var k = 0; k < times; k++)
        {
            for (var i = 0; i <= 30; i++)
            {
                var rho = i / 30.0;
                var row = string.Create(CultureInfo.InvariantCulture, $"{radius * rho:R},{concentration(k, rho):R}");
                w.WriteLine(times == 1 ? row : string.Create(CultureInfo.InvariantCulture, $"{60 * k},{row}"));
            }
        }

        return path;
    }

    private static double[][] Csv(string path) => File.ReadAllLines(path).Skip(1)
        .Select(l => l.Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray()).ToArray();

    [Fact]
    public void StressOfAParabolicProfileMatchesTheClosedForm()
    {
        // Ai2020 positive (Ω = −7.28e-7 m3/mol, E = 375 GPa, ν = 0.2; parameter_sets.md): c = 20000 + 5000 ρ² has
        // c̄ − c_s = 5000 (3/5 − 1), so σ_θ(R) = Ω E (c̄ − c_s)/(3(1 − ν)) = 227.5 MPa; σ_r(R) = 0 (traction-free).
        var profile = Profile("profile.csv", 1, (_, rho) => 20000 + 5000 * rho * rho);
        var output = Path.Combine(_dir, "stress.csv");
        var (code, stdout, err) = Run("mechanics", "stress", "--params", "Ai2020", "--electrode", "positive", "--profile", profile, "--out", output);
        Assert.True(code == 0, err);
        var summary = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Split(',');
        var expected = -7.28e-7 * 3.75e11 * (5000 * (0.6 - 1)) / (3 * 0.8);
        // The summary prints 7 significant digits; the quadratic profile is integrated exactly on the nodes: 1e-6.
        Assert.Equal(expected, double.Parse(summary[1], CultureInfo.InvariantCulture), 1e-6 * expected);
        var rows = Csv(output);
        Assert.Equal(31, rows.Length);
        Assert.Equal(expected, rows[^1][4], 1e-6 * expected);
        Assert.Equal(0, rows[^1][3], 1e-9 * expected);
    }

    [Fact]
    public void InterfaceHistoryNeverHealsAndStackPressureNarrowsTheGap()
    {
        // A particle in LLZO (seed 001 set) delithiating over five 60 s profiles; damage is irreversible, and a 5 MPa
        // stack pressure pushes the matrix back onto the particle, so the gap is never wider than without it.
        var history = Profile("history.csv", 5, (k, rho) => 20000 - 2000 * k * rho * rho);
        var free = Path.Combine(_dir, "free.csv");
        var pressed = Path.Combine(_dir, "pressed.csv");
        var (code, _, err) = Run("mechanics", "interface", "--params", "NCM111_LLZO_seed001", "--profile", history, "--out", free);
        Assert.True(code == 0, err);
        (code, _, err) = Run("mechanics", "interface", "--params", "NCM111_LLZO_seed001", "--profile", history, "--stack-pressure", "5e6", "--out", pressed);
        Assert.True(code == 0, err);
        var a = Csv(free);
        var b = Csv(pressed);
        Assert.Equal(5, a.Length);
        for (var k = 0; k < 5; k++)
        {
            Assert.Equal(60.0 * k, a[k][0]);
            Assert.True(k == 0 || a[k][4] >= a[k - 1][4], $"damage fell at row {k}");
            Assert.True(b[k][2] <= a[k][2], $"row {k}: mean gap {b[k][2]:E3} m with pressure vs {a[k][2]:E3} m without");
        }
    }

    [Fact]
    public void StrengthPrintsHiramatsuOkaAndTheSeed000History()
    {
        // Seed 000 §2.1: 15.8 mN on an 8 µm particle → 0.7 F/(π R²) = 220.06 MPa; liquid history 220 → 50 → 100 MPa
        // (docs/mechanics.md §5 calibration, printed to 0.1 MPa).
        var (code, stdout, err) = Run("mechanics", "strength", "--force", "15.8e-3", "--diameter", "8e-6");
        Assert.True(code == 0, err);
        Assert.StartsWith("sigma_T = 220.0 MPa", stdout, StringComparison.Ordinal);
        (code, stdout, err) = Run("mechanics", "strength", "--environment", "liquid", "--cycles", "1");
        Assert.True(code == 0, err);
        Assert.Contains("0,pristine,220.0", stdout);
        Assert.Contains("1,charged,50.0", stdout);
        Assert.Contains("2,discharged,100.0", stdout);
    }

    [Fact]
    public void BadProfilesAndUnknownSetsAreNamed()
    {
        var profile = Profile("bad.csv", 1, (_, rho) => rho < 0.1 ? -5 : 60000);
        var (code, _, err) = Run("mechanics", "stress", "--params", "Ai2020", "--profile", profile);
        Assert.Equal(1, code);
        // Nodes 0..3 are negative and 4..30 above c_max (49943 mol/m3): all 31 named at once.
        Assert.Contains("31 problem(s)", err);
        Assert.Contains("node 0: concentration -5", err);
        Assert.Contains("node 30: concentration 60000", err);
        (code, _, err) = Run("mechanics", "stress", "--params", "Nope2000", "--profile", profile);
        Assert.Equal(1, code);
        Assert.Contains("no set named 'Nope2000'", err);
        Assert.Contains("Ai2020", err);
    }
}
