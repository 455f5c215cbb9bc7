// `make bench` suite "electrochem": DFN, SPMe and SPM 1C discharges (Marquis2019, 20 volumes per domain and per
// particle) and one live Advance step, beside PyBaMM's published solve times. PyBaMM cannot be installed here (no
// PyPI), so its figures are printed as published, labelled so, and the ratio is ours against that figure.
using System.Diagnostics;
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Benchmarks.Electrochem;

public sealed class ElectrochemSuite : IBenchmarkSuite
{
    public string Name => "electrochem";

    public string Description => "SPM/SPMe/DFN 1C discharge and live Advance vs PyBaMM's published IDAKLU/PETLION times";

    private sealed record Row(string Case, double WallMs, double CpuMs, string Published, double? PublishedMs, double GoalMs, string Note);

    public Task<bool> RunAsync(BenchmarkContext context)
    {
        var o = context.Output;
        var runs = context.Quick ? 10 : 60;
        var set = ParameterSets.Get("Marquis2019");
        var rows = new List<Row>();
        foreach (var (kind, published, publishedMs, goal) in new[]
        {
            (ModelKind.Dfn, "IDAKLU ~17-28 ms; PETLION ~3 ms", (double?)17.0, 10.0),
            (ModelKind.Spme, "IDAKLU ~2.5 ms", 2.5, double.NaN),
            (ModelKind.Spm, "IDAKLU ~1 ms", 1.0, 0.1),
        })
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var model = ModelFactory.Create(set, new ModelOptions { Model = kind });
            var experiment = Experiment.Parse("Discharge at 1C until 3.105 V");
            var runner = new ExperimentRunner();
            SimulationResult? last = null;
            void Once()
            {
                model.SetInitialStoichiometry(0.8, 0.6);
                model.SetTime(0);
                last = runner.Run(model, experiment);
            }

            var (wall, cpu) = Measure(Once, runs, warmup: TimeSpan.FromSeconds(context.Quick ? 1 : 3));
            var before = model.NewtonIterations;
            Once();
            rows.Add(new Row($"{kind} 1C discharge", wall, cpu, published, publishedMs, goal,
                $"{last!.AcceptedSteps} steps, {model.NewtonIterations - before} Newton iterations"));
        }

        foreach (var (kind, goal) in new[] { (ModelKind.Spm, 0.005), (ModelKind.Spme, double.NaN), (ModelKind.Dfn, double.NaN) })
        {
            var live = new LiveCell(set, ModelOptions.For(kind));
            var state = live.Initial();
            var oneC = live.Model.Cell.OneC;
            var t = new double[1];
            var i = new double[] { -oneC };
            var v = new double[1];
            var steps = kind == ModelKind.Spm ? 20000 : kind == ModelKind.Spme ? 2000 : 200;
            void Segment()
            {
                // 1 s samples at 1C; restart from full once the cell is nearly empty so every step is a normal one.
                for (var k = 0; k < steps; k++)
                {
                    if (state.Time >= 3000)
                    {
                        state = live.Initial();
                    }

                    t[0] = state.Time + 1;
                    state = live.Advance(state, t, i, v);
                }
            }

            var (wall, cpu) = Measure(Segment, context.Quick ? 3 : 10, warmup: TimeSpan.FromSeconds(context.Quick ? 0.5 : 2));
            rows.Add(new Row($"{kind} live Advance (1 sample)", wall / steps, cpu / steps, "no published figure", null, goal,
                $"state {state.ToBytes().Length} bytes"));
        }

        o.WriteLine($"Marquis2019, 20 volumes per domain and per particle; median wall time of {runs} runs after warm-up, CPU = process CPU time per run.");
        o.WriteLine("Peer: PyBaMM (IDAKLU) and PETLION times are the PUBLISHED figures quoted in issue 3, not measured here:");
        o.WriteLine("PyBaMM is not installable on this machine (no PyPI registry), and no other DFN solver is packaged for Debian or npm.");
        o.WriteLine();
        o.WriteLine($"{"case",-30} {"ours wall",12} {"ours CPU",12} {"peer (published)",-34} {"peer/ours",10} {"goal",10} {"met wall/CPU",13}  note");
        foreach (var r in rows)
        {
            var ratio = r.PublishedMs is { } p ? $"{p / r.WallMs:F1}x" : "-";
            var goal = double.IsNaN(r.GoalMs) ? "-" : Format(r.GoalMs);
            var met = double.IsNaN(r.GoalMs) ? "-" : $"{(r.WallMs <= r.GoalMs ? "yes" : "no")}/{(r.CpuMs <= r.GoalMs ? "yes" : "no")}";
            o.WriteLine($"{r.Case,-30} {Format(r.WallMs),12} {Format(r.CpuMs),12} {r.Published,-34} {ratio,10} {goal,10} {met,13}  {r.Note}");
        }

        o.WriteLine();
        o.WriteLine("Machine load during the run (1-minute average): " + LoadAverage());
        return Task.FromResult(true);
    }

    private static string Format(double ms) => ms >= 1 ? $"{ms:F2} ms" : ms >= 1e-3 ? $"{ms * 1e3:F2} us" : $"{ms * 1e6:F0} ns";

    private static (double WallMs, double CpuMs) Measure(Action action, int runs, TimeSpan warmup)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < warmup)
        {
            action();
        }

        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var times = new double[runs];
        for (var k = 0; k < runs; k++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            times[k] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        process.Refresh();
        Array.Sort(times);
        return (times[runs / 2], (process.TotalProcessorTime - cpu0).TotalMilliseconds / runs);
    }

    private static string LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? File.ReadAllText(path).Split(' ')[0] : "unknown";
    }
}
