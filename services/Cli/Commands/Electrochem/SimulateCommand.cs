// `twin simulate`: runs SPM, SPMe or DFN on a built-in parameter set, a set JSON or a BPX file through an
// experiment written as engineers write it, and writes time, current (charge > 0), voltage and stoichiometries.
using System.CommandLine;
using System.Globalization;
using System.Text;
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Cli.Commands.Electrochem;

public sealed class SimulateCommand : ICommandModule
{
    public IEnumerable<Command> CreateCommands()
    {
        var model = new Option<string>("--model") { Description = "spm, spme or dfn", DefaultValueFactory = _ => "dfn" };
        var parameters = new Option<string>("--params")
        {
            Description = $"a built-in set ({string.Join(", ", ParameterSets.Names)}), a parameter-set JSON, or a BPX file",
            DefaultValueFactory = _ => "Marquis2019",
        };
        var experiment = new Option<string[]>("--experiment")
        {
            Description = "steps, e.g. \"Discharge at 1C until 3.0 V\"; repeat the option or separate steps with ';'",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var output = new Option<string>("--out") { Description = "CSV file to write (default: standard output)" };
        var cycles = new Option<int>("--cycles") { Description = "repeat the whole experiment N times", DefaultValueFactory = _ => 1 };
        var soc = new Option<double?>("--soc") { Description = "initial state of charge in [0, 1] (BPX stoichiometry windows); default: the set's initial state" };
        var points = new Option<int>("--points") { Description = "finite volumes per domain and per particle", DefaultValueFactory = _ => 20 };
        var period = new Option<double>("--period") { Description = "at most one output row per this many seconds (0: every step)", DefaultValueFactory = _ => 0 };
        var quiet = new Option<bool>("--quiet") { Description = "no progress on standard error" };
        var command = new Command("simulate", "Simulate a cell with SPM, SPMe or DFN through an experiment.")
        {
            model, parameters, experiment, output, cycles, soc, points, period, quiet,
        };
        command.SetAction(parse => Run(new Request(
            parse.GetValue(model)!, parse.GetValue(parameters)!, parse.GetValue(experiment) ?? [], parse.GetValue(output),
            parse.GetValue(cycles), parse.GetValue(soc), parse.GetValue(points), parse.GetValue(period), parse.GetValue(quiet))));
        yield return command;
    }

    private sealed record Request(string Model, string Params, string[] Experiment, string? Out, int Cycles, double? Soc, int Points, double Period, bool Quiet);

    private static int Run(Request request)
    {
        try
        {
            var kind = ModelFactory.ParseKind(request.Model);
            var set = LoadParameters(request.Params);
            if (set.RestrictedToModel is { } only && !string.Equals(only, kind.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"error: {request.Params} is a BPX {only} parameterisation (no electrolyte); use --model {only.ToLowerInvariant()}.");
                return 2;
            }

            if (request.Cycles is < 1 or > 100000)
            {
                Console.Error.WriteLine("error: --cycles must be between 1 and 100000.");
                return 2;
            }

            var lines = Enumerable.Repeat(request.Experiment, request.Cycles).SelectMany(x => x).ToList();
            var exp = Experiment.Parse(lines, ReadDriveCycle);
            var options = new ModelOptions
            {
                Model = kind,
                PointsNegative = request.Points,
                PointsSeparator = request.Points,
                PointsPositive = request.Points,
                PointsParticle = request.Points,
            };
            var cell = ModelFactory.Create(set, options);
            if (request.Soc is { } s)
            {
                ApplySoc(cell, set, s);
            }

            var started = DateTime.UtcNow;
            var lastReport = started;
            var progress = request.Quiet ? null : new Progress<RunProgress>(p =>
            {
                var now = DateTime.UtcNow;
                if ((now - lastReport).TotalSeconds >= 1)
                {
                    lastReport = now;
                    Console.Error.WriteLine($"  step {p.Step}/{p.Steps}  t = {p.Time:F0} s  V = {p.Voltage:F4} V  ({(now - started).TotalSeconds:F0} s elapsed)");
                }
            });
            var runner = new ExperimentRunner { OutputPeriod = request.Period, Progress = progress };
            var result = runner.Run(cell, exp);
            var elapsed = DateTime.UtcNow - started;
            var csv = ToCsv(result, set, kind, request);
            if (request.Out is null)
            {
                Console.Out.Write(csv);
            }
            else
            {
                File.WriteAllText(request.Out, csv);
            }

            if (!request.Quiet)
            {
                foreach (var step in result.Steps)
                {
                    Console.Error.WriteLine($"  {step.Index,3}. {step.Text,-40} {step.Start,9:F1} -> {step.End,9:F1} s  {step.Reason}");
                }

                Console.Error.WriteLine($"{kind} on {set.Name}: {result.Samples.Count} rows, {result.AcceptedSteps} steps ({result.RejectedSteps} rejected), "
                    + $"net charge delivered {result.DischargeCapacity():F4} A.h, {elapsed.TotalMilliseconds:F0} ms{(request.Out is null ? "" : $", written to {request.Out}")}");
            }

            return 0;
        }
        catch (ExperimentParseException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
        catch (ParameterSetException ex)
        {
            Console.Error.WriteLine($"error: parameters {ex.Message}");
            return 2;
        }
        catch (SolverException ex)
        {
            Console.Error.WriteLine($"error: the solve failed at t = {ex.Time:G8} s in {ex.Variable}: {ex.Message}");
            return 3;
        }
        catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException or IOException or FormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
    }

    /// <summary>A built-in name, a parameter-set JSON (has "parameters"), or a BPX file (has "Header").</summary>
    internal static ParameterSet LoadParameters(string spec)
    {
        if (ParameterSets.Exists(spec))
        {
            return ParameterSets.Get(spec);
        }

        if (!File.Exists(spec))
        {
            throw new FileNotFoundException($"'{spec}' is neither a built-in parameter set ({string.Join(", ", ParameterSets.Names)}) nor a file.", spec);
        }

        var json = File.ReadAllText(spec);
        return json.Contains("\"Parameterisation\"", StringComparison.Ordinal)
            ? BpxImporter.Import(json, spec)
            : ParameterSet.FromJson(json, spec, ParameterSets.Get);
    }

    private static void ApplySoc(CellModel cell, ParameterSet set, double soc)
    {
        if (soc is < 0 or > 1)
        {
            throw new ArgumentException($"--soc {soc} is outside [0, 1].");
        }

        double Window(string side, bool negative)
        {
            var min = set.Find($"{side} electrode minimum stoichiometry")?.Value.Evaluate(0);
            var max = set.Find($"{side} electrode maximum stoichiometry")?.Value.Evaluate(0);
            if (min is null || max is null)
            {
                throw new ArgumentException($"--soc needs the stoichiometry window of the set (BPX files have it); {set.Name} does not.");
            }

            return negative ? min.Value + soc * (max.Value - min.Value) : max.Value - soc * (max.Value - min.Value);
        }

        cell.SetInitialStoichiometry(cell.Cell.HalfCell ? null : Window("Negative", true), Window("Positive", false));
    }

    /// <summary>A drive cycle CSV as PyBaMM ships them: '#' comments, then time [s] and current [A] or power [kW]; discharge &gt; 0.</summary>
    internal static DriveCycle ReadDriveCycle(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Drive cycle '{path}' not found.", path);
        }

        var isPower = false;
        var scale = 1.0;
        var times = new List<double>();
        var values = new List<double>();
        var problems = new List<string>();
        var lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#') || !char.IsDigit(line[0]) && line[0] != '-' && line[0] != '.')
            {
                if (line.Contains("power", StringComparison.OrdinalIgnoreCase))
                {
                    isPower = true;
                    scale = line.Contains("kW", StringComparison.Ordinal) ? 1000 : 1;
                }

                continue;
            }

            var parts = line.Split(',');
            if (parts.Length < 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var t)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                problems.Add($"{path}:{lineNo}: expected 'time, value', found '{line}'");
                continue;
            }

            if (times.Count > 0 && t <= times[^1])
            {
                problems.Add($"{path}:{lineNo}: time {t} s is not after {times[^1]} s");
                continue;
            }

            times.Add(t);
            values.Add(v * scale);
        }

        if (times.Count < 2)
        {
            problems.Add($"{path}: needs at least two rows of time and value");
        }

        if (problems.Count > 0)
        {
            throw new FormatException(string.Join(Environment.NewLine, problems.Take(20)));
        }

        return new DriveCycle(Path.GetFileName(path), [.. times], [.. values], isPower);
    }

    private static string ToCsv(SimulationResult result, ParameterSet set, ModelKind kind, Request request)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var version = typeof(SimulateCommand).Assembly.GetName().Version;
        sb.AppendLine(inv, $"# twin simulate {version}: model {kind}, parameters {set.Name} ({set.Source}), {request.Points} volumes per domain and particle");
        sb.AppendLine(inv, $"# experiment: {string.Join("; ", request.Experiment)}{(request.Cycles > 1 ? $" x {request.Cycles}" : "")}");
        sb.AppendLine("# current sign: charge > 0 (telemetry convention)");
        sb.AppendLine("Time [s],Current [A],Voltage [V],Step,Negative electrode average stoichiometry,Negative electrode surface stoichiometry,Positive electrode average stoichiometry,Positive electrode surface stoichiometry");
        foreach (var s in result.Samples)
        {
            sb.Append(s.Time.ToString("R", inv)).Append(',')
                .Append((-s.Current).ToString("R", inv)).Append(',')
                .Append(s.Voltage.ToString("F6", inv)).Append(',')
                .Append(s.Step.ToString(inv)).Append(',')
                .Append(Num(s.NegativeAverage)).Append(',').Append(Num(s.NegativeSurface)).Append(',')
                .Append(Num(s.PositiveAverage)).Append(',').Append(Num(s.PositiveSurface)).AppendLine();
        }

        return sb.ToString();

        static string Num(double x) => double.IsNaN(x) ? "" : x.ToString("F6", CultureInfo.InvariantCulture);
    }
}
