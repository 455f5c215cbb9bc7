// `twin dem compaction|crush|transport`: the DEM studies from the command line, with progress bars
// and JSON/CSV results. Files are read and written here; the physics library only sees arrays.
using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using DigitalTwin.Physics.Dem.Studies;
using DigitalTwin.Physics.Dem.Transport;
using Spectre.Console;

namespace DigitalTwin.Cli.Commands.Dem;

public sealed class DemCommandModule : ICommandModule
{
    private static string Version => typeof(DemCommandModule).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    public IEnumerable<Command> CreateCommands()
    {
        var dem = new Command("dem", "Discrete element studies: composite compaction, secondary-particle crush, voxel transport.");
        dem.Subcommands.Add(Compaction());
        dem.Subcommands.Add(Crush());
        dem.Subcommands.Add(Transport());
        yield return dem;
    }

    private static Command Compaction()
    {
        var particles = new Option<int>("--particles") { Description = "Particles to generate (footprint scaled to keep the loading)", DefaultValueFactory = _ => 5000 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random packing", DefaultValueFactory = _ => 1 };
        var pressure = new Option<string>("--pressure") { Description = "Uniaxial pressing pressure", DefaultValueFactory = _ => "375MPa" };
        var release = new Option<string>("--release") { Description = "Release pressure after pressing", DefaultValueFactory = _ => "1atm" };
        var isostatic = new Option<string[]>("--isostatic") { Description = "Isostatic pressure(s) held during cycling (repeat for branches)", DefaultValueFactory = _ => ["5MPa"], AllowMultipleArgumentsPerToken = true };
        var cycles = new Option<int>("--cycles") { Description = "Swelling cycles (+6 % AM diameter and back)", DefaultValueFactory = _ => 5 };
        var strain = new Option<double>("--swelling") { Description = "AM diameter change per half cycle", DefaultValueFactory = _ => 0.06 };
        var lithiated = new Option<bool>("--start-lithiated") { Description = "Shrink first (a twin whose cells start lithiated)" };
        var from = new Option<FileInfo?>("--from") { Description = "Start from a packing CSV (id,type,diameter_m,density_kgm3,x_m,y_m,z_m); box from a sibling .meta or --footprint/--height" };
        var footprint = new Option<string?>("--footprint") { Description = "Footprint edge L of a --from packing" };
        var height = new Option<string?>("--height") { Description = "Initial plate height H0 of a --from packing" };
        var uniaxialOnly = new Option<bool>("--uniaxial-only") { Description = "Stop after pressing (stage U)" };
        var threads = new Option<int>("--threads") { Description = "Force-loop threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = new Option<FileInfo?>("--out") { Description = "Result JSON (per stage: solidFraction, per type meanStressPa [xx, yy, zz])" };
        var csv = new Option<FileInfo?>("--csv") { Description = "Per-stage, per-type summary CSV" };
        var packings = new Option<DirectoryInfo?>("--packings") { Description = "Folder for each stage's particle list (input of `twin dem transport`)" };
        var cmd = new Command("compaction", "Seed-004 composite compaction: press, release, isostatic pressure, swelling cycles.")
        {
            particles, seed, pressure, release, isostatic, cycles, strain, lithiated, from, footprint, height, uniaxialOnly, threads, output, csv, packings,
        };
        cmd.SetAction(parse =>
        {
            var o = new CompactionOptions
            {
                UniaxialPressurePa = Units.ParsePressure(parse.GetValue(pressure)!, "--pressure"),
                ReleasePressurePa = Units.ParsePressure(parse.GetValue(release)!, "--release"),
                IsostaticPressuresPa = parse.GetValue(uniaxialOnly) ? [] : parse.GetValue(isostatic)!.Select(p => Units.ParsePressure(p, "--isostatic")).ToArray(),
                Cycles = parse.GetValue(cycles),
                SwellingStrain = parse.GetValue(strain),
                SwellingSign = parse.GetValue(lithiated) ? -1 : 1,
                Release = !parse.GetValue(uniaxialOnly),
                Threads = parse.GetValue(threads),
            };
            Packing packing;
            double l, h0;
            ulong? usedSeed = null;
            if (parse.GetValue(from) is { } file)
            {
                using (var reader = file.OpenText())
                {
                    packing = PackingCsv.Parse(reader, file.FullName);
                }

                (l, h0) = BoxOf(file, parse.GetValue(footprint), parse.GetValue(height));
            }
            else
            {
                usedSeed = parse.GetValue(seed);
                var g = PackingGenerator.Generate(o.Parameters, parse.GetValue(particles), usedSeed.Value);
                (packing, l, h0) = (g.Packing, g.FootprintM, g.HeightM);
            }

            AnsiConsole.MarkupLine($"[bold]Composite compaction[/]: {packing.Count} particles, footprint {l * 1e6:F1} um, H0 {h0 * 1e6:F1} um, {o.Parameters.Name}");
            CompactionResult result = null!;
            AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    var progress = new Reporter<CompactionProgress>(p =>
                    {
                        if (!tasks.TryGetValue(p.Stage, out var task))
                        {
                            task = tasks[p.Stage] = ctx.AddTask(Markup.Escape(p.Stage), maxValue: p.MaxChunks);
                        }

                        task.Value = p.Chunk;
                        task.Description = Markup.Escape($"{p.Stage,-18} {p.Message}");
                    });
                    result = CompactionStudy.Run(packing, l, h0, o, usedSeed, progress);
                    foreach (var t in tasks.Values)
                    {
                        t.StopTask();
                    }
                });
            PrintCompaction(result);
            if (parse.GetValue(output) is { } outFile)
            {
                File.WriteAllText(outFile.FullName, JsonSerializer.Serialize(DemJson.CompactionDocument(result, Version), DemJson.Options));
            }

            if (parse.GetValue(csv) is { } csvFile)
            {
                File.WriteAllText(csvFile.FullName, DemJson.CompactionCsv(result));
            }

            if (parse.GetValue(packings) is { } dir)
            {
                dir.Create();
                foreach (var s in result.Stages)
                {
                    var name = string.Concat(s.Name.Select(c => char.IsLetterOrDigit(c) || c == '.' ? c : '_'));
                    File.WriteAllText(Path.Combine(dir.FullName, $"packing_{name}.json"), JsonSerializer.Serialize(s.Snapshot, DemJson.Options));
                }
            }

            if (!result.Completed)
            {
                AnsiConsole.MarkupLine("[red]The study stopped: a stage did not converge (see its diagnosis); later stages were not run.[/]");
                return 3;
            }

            return 0;
        });
        return cmd;
    }

    private static (double L, double H0) BoxOf(FileInfo csv, string? footprint, string? height)
    {
        if (footprint is not null && height is not null)
        {
            return (Units.ParseLength(footprint, "--footprint"), Units.ParseLength(height, "--height"));
        }

        var meta = Path.ChangeExtension(csv.FullName, ".meta");
        if (!File.Exists(meta))
        {
            throw new FileNotFoundException($"{csv.FullName}: give --footprint and --height, or put the deck's .meta (L=, H0=) beside it", meta);
        }

        var kv = File.ReadAllLines(meta).Select(x => x.Split('=', 2)).Where(x => x.Length == 2).ToDictionary(x => x[0].Trim(), x => x[1].Trim());
        if (!kv.TryGetValue("L", out var ls) || !kv.TryGetValue("H0", out var hs))
        {
            throw new FormatException($"{meta}: needs lines L=<m> and H0=<m>");
        }

        return (double.Parse(ls, CultureInfo.InvariantCulture), double.Parse(hs, CultureInfo.InvariantCulture));
    }

    private static void PrintCompaction(CompactionResult r)
    {
        var table = new Table().AddColumns("stage", "converged", "phi", "type", "sigma_xx [MPa]", "sigma_yy [MPa]", "sigma_zz [MPa]", "Z");
        foreach (var s in r.Stages)
        {
            foreach (var t in s.Report.Types)
            {
                table.AddRow(Markup.Escape(s.Name), s.Converged ? "yes" : "[red]no[/]", $"{s.Report.SolidFraction:F4}", t.Type,
                    $"{t.MeanStressPa[0] / 1e6:F2}", $"{t.MeanStressPa[1] / 1e6:F2}", $"{t.MeanStressPa[2] / 1e6:F2}", $"{t.MeanCoordination:F2}");
            }
        }

        AnsiConsole.Write(table);
    }

    private static Command Transport()
    {
        var packing = new Argument<FileInfo>("packing") { Description = "A stage's particle list JSON (from `twin dem compaction --packings`)" };
        var voxel = new Option<string>("--voxel") { Description = "Voxel edge", DefaultValueFactory = _ => "0.5um" };
        var output = new Option<FileInfo?>("--out") { Description = "Result JSON" };
        var cmd = new Command("transport", "Voxelise a packing and solve AM conduction and SE diffusion (PCG, periodic laterally).") { packing, voxel, output };
        cmd.SetAction(parse =>
        {
            var file = parse.GetValue(packing)!;
            var snapshot = JsonSerializer.Deserialize<ParticleSnapshot>(File.ReadAllText(file.FullName), DemJson.Options)
                ?? throw new FormatException($"{file.FullName}: not a particle list");
            var h = Units.ParseLength(parse.GetValue(voxel)!, "--voxel");
            TransportReport report = null!;
            AnsiConsole.Progress().AutoClear(false).Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var progress = new Reporter<(string Phase, double Fraction)>(p =>
                {
                    if (!tasks.TryGetValue(p.Phase, out var t))
                    {
                        t = tasks[p.Phase] = ctx.AddTask(p.Phase, maxValue: 1.0);
                    }

                    t.Value = p.Fraction;
                });
                report = TransportStudy.Run(snapshot, h, progress: progress);
                foreach (var t in tasks.Values)
                {
                    t.Value = t.MaxValue;
                }
            });
            AnsiConsole.MarkupLine($"grid {string.Join(" x ", report.GridSize)} at {report.VoxelSizeM * 1e6:G3} um, pore fraction {report.PoreFraction:F4}");
            AnsiConsole.MarkupLine($"AM: fraction {report.Am.PhaseFraction:F4}, sigma_el/sigma_AM {report.ConductivityRatio:F4}, tortuosity factor {report.Am.TortuosityFactor:F3} ({report.Am.Iterations} PCG iterations)");
            AnsiConsole.MarkupLine($"SE: fraction {report.Se.PhaseFraction:F4}, D_eff/D_SE {report.DiffusivityRatio:F4}, tau {report.SeTortuosity:F3} ({report.Se.Iterations} PCG iterations)");
            if (parse.GetValue(output) is { } outFile)
            {
                File.WriteAllText(outFile.FullName, JsonSerializer.Serialize(new { study = "voxel-transport", version = Version, source = file.Name, report }, DemJson.Options));
            }

            return 0;
        });
        return cmd;
    }

    private static Command Crush()
    {
        var environment = new Option<string>("--environment") { Description = "liquid or solid (embedded in SE particles) during cycling", DefaultValueFactory = _ => "liquid" };
        var cycles = new Option<int>("--cycles") { Description = "Swelling/shrinking cycles; the specimen is crushed after 0, 1, 2, 5, 10, ... up to this count", DefaultValueFactory = _ => 0 };
        var model = new Option<string>("--model") { Description = "bonded (irreversible parallel bonds) or sjkr (cohesion that re-forms on contact)", DefaultValueFactory = _ => "bonded" };
        var seeds = new Option<int>("--seeds") { Description = "Aggregates (seed, seed+1, ...) per point: mean and standard deviation", DefaultValueFactory = _ => 1 };
        var calibrate = new Option<bool>("--calibrate") { Description = "Re-calibrate the bond strength (or SJKR cohesion) so the mean pristine strength over --seeds is the target" };
        var target = new Option<string>("--target-strength") { Description = "Pristine Hiramatsu-Oka strength to calibrate to", DefaultValueFactory = _ => "220MPa" };
        var bondStrength = new Option<string?>("--bond-strength") { Description = "Mean bond tensile strength (e.g. 2.8GPa; the calibration's start value); default: the parameter set's" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the first aggregate", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Force-loop threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = new Option<FileInfo?>("--out") { Description = "Result JSON: strength vs cycles (points: cycles, strengthPa, sdPa) for the Mechanics strength law, and every run" };
        var curve = new Option<FileInfo?>("--curve") { Description = "Force-displacement CSV of the first seed's last crush" };
        var cmd = new Command("crush", "Seed-000 secondary-particle crush test between flat platens (bonded or SJKR grains), Hiramatsu-Oka strength vs swelling cycles.")
        {
            environment, cycles, model, seeds, calibrate, target, bondStrength, seed, threads, output, curve,
        };
        cmd.SetAction(parse =>
        {
            var env = parse.GetValue(environment)!.ToLowerInvariant() switch
            {
                "liquid" => CrushEnvironment.Liquid,
                "solid" => CrushEnvironment.Solid,
                var other => throw new FormatException($"--environment = '{other}': use liquid or solid"),
            };
            var m = parse.GetValue(model)!.ToLowerInvariant() switch
            {
                "bonded" => CrushModel.Bonded,
                "sjkr" => CrushModel.Sjkr,
                var other => throw new FormatException($"--model = '{other}': use bonded or sjkr"),
            };
            var n = parse.GetValue(seeds);
            var o = new CrushOptions { Environment = env, Model = m, Cycles = parse.GetValue(cycles), Seed = parse.GetValue(seed), Threads = parse.GetValue(threads), CalibrationSeeds = n };
            if (parse.GetValue(bondStrength) is { } bs)
            {
                o = o with { BondTensileStrength = Units.ParsePressure(bs, "--bond-strength") };
            }

            CrushSeriesResult? series = null;
            if (parse.GetValue(calibrate) && m == CrushModel.Bonded)
            {
                // a line per seed and per step (a calibration over many seeds runs for a long time), then the table
                var targetPa = Units.ParsePressure(parse.GetValue(target)!, "--target-strength");
                AnsiConsole.MarkupLine($"calibrating the bond tensile strength to a mean pristine strength of {targetPa / 1e6:F1} MPa over seeds {o.Seed}-{o.Seed + (ulong)Math.Max(1, n) - 1}");
                var cal = CrushStudy.CalibrateBondStrength(o, targetPa,
                    new Reporter<CrushProgress>(p => AnsiConsole.MarkupLine(Markup.Escape($"  {DateTime.UtcNow:HH:mm:ss} {p.Message}"))),
                    st => AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"sigma_c = {st.Value / 1e6:F1} MPa -> mean {st.MeanPa / 1e6:F1} +- {st.SdPa / 1e6:F1} MPa (sd), standard error {st.StandardErrorPa / 1e6:F1} MPa"))));
                var table = new Table().AddColumns("sigma_c [[MPa]]", "mean [[MPa]]", "sd [[MPa]]", "SE [[MPa]]", "mean/target", "seeds [[MPa]]");
                foreach (var st in cal.Steps)
                {
                    table.AddRow(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{st.Value / 1e6:F1}{(st == cal.Best ? " *" : "")}")),
                        Inv($"{st.MeanPa / 1e6:F1}"), Inv($"{st.SdPa / 1e6:F1}"), Inv($"{st.StandardErrorPa / 1e6:F1}"), Inv($"{st.MeanPa / targetPa:F3}"),
                        Markup.Escape(string.Join(", ", st.ValuesPa.Select(v => Inv($"{v / 1e6:F0}")))));
                }

                AnsiConsole.Write(table);
                AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"calibrated bond tensile strength: {cal.Value / 1e6:F1} MPa (mean {cal.Best.MeanPa / 1e6:F1} +- {cal.Best.SdPa / 1e6:F1} MPa sd, SE {cal.Best.StandardErrorPa / 1e6:F1} MPa, {cal.Best.ValuesPa.Length} seeds; target {targetPa / 1e6:F1} MPa)")));
                o = o with { BondTensileStrength = cal.Value };
                if (o.Cycles == 0)
                {
                    // the pristine series at the calibrated value is the best step: no need to crush every seed again
                    series = CrushSeries.FromRuns(o, [0], [.. cal.Best.Runs]);
                }
            }

            AnsiConsole.Progress().AutoClear(false).Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var progress = new Reporter<CrushProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var t))
                    {
                        t = tasks[p.Stage] = ctx.AddTask(Markup.Escape(p.Stage), maxValue: 1.0);
                    }

                    t.Value = p.Fraction;
                    t.Description = Markup.Escape($"{p.Stage,-14} {p.Message}");
                });
                if (parse.GetValue(calibrate) && m == CrushModel.Sjkr)
                {
                    var cal = CrushStudy.Calibrate(o, Units.ParsePressure(parse.GetValue(target)!, "--target-strength"), progress);
                    o = o with { CohesionEnergyDensity = cal };
                    AnsiConsole.MarkupLine($"calibrated cohesion energy density: {cal:G5} J/m3");
                }

                series ??= CrushSeries.Run(o, CrushSeries.DefaultCounts(o.Cycles), n, progress);
            });
            ArgumentNullException.ThrowIfNull(series);
            var first = series.Runs[0];
            AnsiConsole.MarkupLine($"{first.Grains} grains, secondary radius {first.SecondaryRadiusM * 1e6:F2} um, {series.Model} ({series.Environment}), seeds {string.Join(", ", series.Seeds)}");
            foreach (var p in series.Points)
            {
                AnsiConsole.MarkupLine($"after {p.Cycles,4} cycles: strength {p.StrengthPa / 1e6:F1} +- {p.SdPa / 1e6:F1} MPa, intact bonds {p.IntactBondFraction:P1}");
            }

            if (parse.GetValue(output) is { } outFile)
            {
                var result = series.Runs[^1];
                var points = series.Points.Select(p => new { cycles = p.Cycles, strengthPa = p.StrengthPa, sdPa = p.SdPa, values = p.Values, intactBondFraction = p.IntactBondFraction });
                var runs = series.Runs.Select(r => r with { Displacement = [], Force = [] });
                File.WriteAllText(outFile.FullName, JsonSerializer.Serialize(new
                {
                    study = "secondary-particle-crush", version = Version, environment = series.Environment.ToString().ToLowerInvariant(),
                    model = series.Model.ToString().ToLowerInvariant(), seeds = series.Seeds, bondTensileStrengthPa = series.BondTensileStrengthPa,
                    points, result, runs,
                }, DemJson.Options));
            }

            if (parse.GetValue(curve) is { } curveFile)
            {
                var last = series.Runs.Where(r => r.Cycles == series.Points[^1].Cycles).First();
                File.WriteAllLines(curveFile.FullName, new[] { "displacement_m,force_n" }.Concat(
                    last.Displacement.Zip(last.Force, (d, f) => string.Create(CultureInfo.InvariantCulture, $"{d:G6},{f:G6}"))));
            }

            return 0;
        });
        return cmd;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
