// `twin binder tensile|cycle`: carbon–binder viscoplasticity (issue 5) — a PVdF tensile test at a strain rate, and
// the binder bridge driven by a cell's particle stoichiometry history, reported per cycle.
using System.CommandLine;
using System.Globalization;
using DigitalTwin.Physics.Viscoplastic;
using DigitalTwin.Physics.Viscoplastic.Binder;
using DigitalTwin.Physics.Viscoplastic.Drivers;
using DigitalTwin.Physics.Viscoplastic.ParameterSets;

namespace DigitalTwin.Cli.Commands.Binder;

public sealed class BinderCommands : ICommandModule
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public IEnumerable<Command> CreateCommands()
    {
        var binder = new Command("binder", "Carbon–binder (PVdF) viscoplasticity: tensile tests and cycling studies.");
        binder.Subcommands.Add(TensileCommand());
        binder.Subcommands.Add(CycleCommand());
        yield return binder;
    }

    private static Command TensileCommand()
    {
        var rate = new Option<double>("--rate") { Description = "Strain rate [1/s]", DefaultValueFactory = _ => 3e-4 };
        var final = new Option<double>("--final-strain") { Description = "Final axial strain [-]", DefaultValueFactory = _ => 0.15 };
        var steps = new Option<int>("--steps") { Description = "Equal strain steps", DefaultValueFactory = _ => 1500 };
        var output = new Option<FileInfo?>("--out") { Description = "CSV of time_s, strain, stress_Pa, plastic_strain" };
        var command = new Command("tensile", "Uniaxial tension of the binder at a constant strain rate (seed 002 PVdF law).") { rate, final, steps, output };
        command.SetAction(parse => Run(() =>
        {
            var set = BinderParameterSet.Load();
            var curve = TensileTest.Run(set.Law, parse.GetValue(rate), parse.GetValue(final), parse.GetValue(steps));
            if (parse.GetValue(output) is { } file)
            {
                using var w = new StreamWriter(file.FullName);
                w.WriteLine("time_s,strain,stress_Pa,plastic_strain");
                for (var i = 0; i < curve.Strain.Length; i++)
                {
                    w.WriteLine(string.Create(Inv, $"{curve.Time[i]:R},{curve.Strain[i]:R},{curve.Stress[i]:R},{curve.PlasticStrain[i]:R}"));
                }
            }

            Console.WriteLine(string.Create(Inv, $"rate {curve.StrainRate} 1/s, A = {set.Law.RateCoefficient:E4} 1/s, k = {set.Law.StrengthCoefficient:E4} Pa"));
            foreach (var e in new[] { 0.01, 0.02, 0.05, 0.10 })
            {
                Console.WriteLine(string.Create(Inv, $"stress at {e:P0} strain: {curve.StressAtStrain(e) / 1e6:F2} MPa"));
            }

            var f = curve.StrainAtStress(set.FractureStress);
            Console.WriteLine(double.IsNaN(f)
                ? string.Create(Inv, $"fracture stress {set.FractureStress / 1e6} MPa not reached")
                : string.Create(Inv, $"fracture stress {set.FractureStress / 1e6} MPa reached at strain {f:F4}"));
        }));
        return command;
    }

    private static Command CycleCommand()
    {
        var history = new Option<FileInfo?>("--cell-history") { Description = "CSV with time_s, x (particle-average Li fraction), optional x2, cycle" };
        var writeExample = new Option<FileInfo?>("--write-seed002-history") { Description = "Write seed 002's five 1C cycles as a history CSV and exit" };
        var geometry = new Option<string>("--geometry") { Description = "bridge or film", DefaultValueFactory = _ => "bridge" };
        var radius = new Option<double>("--radius") { Description = "Particle radius [m]", DefaultValueFactory = _ => 5e-6 };
        var length = new Option<double?>("--length") { Description = "Bridge length [m] (default from the seed-002 composition)" };
        var constraint = new Option<double>("--constraint") { Description = "Electrode strain / particle strain along the bridge, 0..1", DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo?>("--out") { Description = "Per-cycle report CSV" };
        var command = new Command("cycle", "Binder stress, yield and fracture margin per cycle from a cell's particle stoichiometry history.")
        {
            history, writeExample, geometry, radius, length, constraint, output,
        };
        command.SetAction(parse => Run(() =>
        {
            var set = BinderParameterSet.Load();
            if (parse.GetValue(writeExample) is { } example)
            {
                WriteSeed002History(example.FullName);
                Console.WriteLine($"wrote {example.FullName}");
                return;
            }

            var file = parse.GetValue(history) ?? throw new ViscoplasticInputException("twin binder cycle", ["--cell-history is required (or --write-seed002-history to make one)"]);
            var swelling = ReadHistory(file.FullName, set.SwellingPerStoichiometry);
            var r = parse.GetValue(radius);
            var bridge = parse.GetValue(geometry) switch
            {
                "bridge" => parse.GetValue(length) is { } l ? BinderBridge.Create(BinderGeometryKind.Bridge, r, r, l, parse.GetValue(constraint)) : BinderBridge.Seed002(r),
                "film" => BinderBridge.Create(BinderGeometryKind.Film, r, r, 1, 1),
                var other => throw new ViscoplasticInputException("twin binder cycle", [$"--geometry '{other}' must be bridge or film"]),
            };
            var reports = BinderCycleStudy.Run(set.Law, bridge, swelling, set.FractureStress, set.FractureWork);
            const string header = "cycle,peak_von_mises_Pa,mean_von_mises_Pa,peak_max_principal_Pa,accumulated_plastic_strain,yield_stress_Pa,stress_margin,energy_margin";
            Console.WriteLine(header);
            using var w = parse.GetValue(output) is { } o ? new StreamWriter(o.FullName) : null;
            w?.WriteLine(header);
            foreach (var c in reports)
            {
                var line = string.Create(Inv, $"{c.Cycle},{c.PeakVonMises:E4},{c.MeanVonMises:E4},{c.PeakMaxPrincipal:E4},{c.AccumulatedPlasticStrain:F5},{c.YieldStress:E4},{c.StressMargin:F4},{c.EnergyMargin:F4}");
                Console.WriteLine(line);
                w?.WriteLine(line);
            }
        }));
        return command;
    }

    private static void WriteSeed002History(string path)
    {
        var h = SwellingHistory.Seed002FiveCycles1C(1);
        using var w = new StreamWriter(path);
        w.WriteLine("time_s,x,cycle");
        for (var i = 0; i < h.Time.Length; i++)
        {
            // Swelling per stoichiometry 1 makes the strain equal x − 0.91.
            w.WriteLine(string.Create(Inv, $"{h.Time[i]:R},{h.Swelling1[i] + 0.91:R},{h.Cycle[i]}"));
        }
    }

    private static SwellingHistory ReadHistory(string path, double strainPerStoichiometry)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: file not found");
        }

        var lines = File.ReadAllLines(path);
        var header = lines.Length > 0 ? lines[0].Split(',').Select(h => h.Trim()).ToArray() : [];
        int t = Array.IndexOf(header, "time_s"), x = Array.IndexOf(header, "x"), x2 = Array.IndexOf(header, "x2"), c = Array.IndexOf(header, "cycle");
        if (t < 0 || x < 0 || c < 0)
        {
            throw new InvalidDataException($"{path}:1: header must name time_s, x and cycle (optionally x2)");
        }

        var problems = new List<string>();
        var time = new List<double>();
        var xs = new List<double>();
        var x2s = new List<double>();
        var cycles = new List<int>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var f = lines[i].Split(',');
            double Field(int col, string name)
            {
                if (col >= f.Length || !double.TryParse(f[col], NumberStyles.Float, Inv, out var v) || !double.IsFinite(v))
                {
                    problems.Add($"{path}:{i + 1}: field {name} = '{(col < f.Length ? f[col] : "")}' is not a finite number");
                    return 0;
                }

                return v;
            }

            time.Add(Field(t, "time_s"));
            var a = Field(x, "x");
            xs.Add(a);
            x2s.Add(x2 >= 0 ? Field(x2, "x2") : a);
            cycles.Add((int)Field(c, "cycle"));
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException(string.Join(Environment.NewLine, problems));
        }

        return SwellingHistory.FromStoichiometry([.. time], [.. xs], [.. x2s], [.. cycles], strainPerStoichiometry, xs[0]);
    }

    private static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception ex) when (ex is ViscoplasticInputException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }
}
