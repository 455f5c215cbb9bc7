// `twin fleet`: starts every service, registers cells and replays real cycler files through Ingest (what `make run` runs).
using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;

namespace DigitalTwin.Cli.Commands.Fleet;

public sealed class FleetCommandModule : ICommandModule
{
    public IEnumerable<Command> CreateCommands()
    {
        var files = new Option<string[]>("--file", "-f")
        {
            Description = "Cycler file to replay (repeatable): a path, or relative to shared/data/cycler. Default: "
                + string.Join(", ", FleetSettings.DefaultFiles),
            AllowMultipleArgumentsPerToken = true,
        };
        var speed = new Option<double>("--speed") { Description = "File seconds replayed per wall-clock second", DefaultValueFactory = _ => 100 };
        var clones = new Option<int>("--clones") { Description = "Synthetic cells cloned from each file (another cell id, ±3 % capacity, ±3 mV)", DefaultValueFactory = _ => 0 };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long (30s, 5m, 1h, or hh:mm:ss); default: run until Ctrl-C" };
        var once = new Option<bool>("--once") { Description = "Replay each file once instead of starting it again at its end" };
        var dataDir = new Option<string>("--data-dir") { Description = "Logs and stores (emptied at start)", DefaultValueFactory = _ => Path.Combine("artifacts", "run") };
        var portBase = new Option<int>("--port-base")
        {
            Description = "Ports: dashboard = base, twin +80, electrochem +101, mechanics +104, viscoplastic +105, dem +106, ingest gRPC +107 and HTTP +108; 0 = free ports",
            DefaultValueFactory = _ => 5000,
        };
        var command = new Command("fleet", "Start every service on 127.0.0.1, register cells and replay real cycler files through Ingest, live")
        {
            files, speed, clones, duration, once, dataDir, portBase,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var problems = new List<string>();
            var settings = new FleetSettings
            {
                Files = parse.GetValue(files) is { Length: > 0 } f ? f : FleetSettings.DefaultFiles,
                Speed = parse.GetValue(speed),
                Clones = parse.GetValue(clones),
                Duration = ParseDuration(parse.GetValue(duration), problems),
                Loop = !parse.GetValue(once),
                DataDirectory = parse.GetValue(dataDir)!,
                PortBase = parse.GetValue(portBase),
            };
            if (!(settings.Speed > 0 && double.IsFinite(settings.Speed)))
            {
                problems.Add($"--speed must be a positive number, got {settings.Speed}");
            }

            if (settings.Clones is < 0 or > 1000)
            {
                problems.Add($"--clones must be 0..1000, got {settings.Clones}");
            }

            if (settings.PortBase != 0 && settings.PortBase is < 1024 or > 65535 - 108)
            {
                problems.Add($"--port-base must be 0 or 1024..{65535 - 108}, got {settings.PortBase}");
            }

            if (problems.Count > 0)
            {
                foreach (var p in problems)
                {
                    Console.Error.WriteLine(p);
                }

                return 2;
            }

            var runner = new FleetRunner(settings, Console.Out, terminal: !Console.IsOutputRedirected);
            // Ctrl-C, SIGTERM and a closed terminal stop the fleet in order (children stopped, summary printed, exit 0)
            // instead of ending the process at once; whatever else ends the process still stops the children first.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }

            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => runner.StopAsync().GetAwaiter().GetResult();
            return await runner.RunAsync(stop.Token);
        });
        return [command];
    }

    /// <summary>30s, 5m, 1.5h, 250ms, or a TimeSpan (hh:mm:ss); null when not given.</summary>
    public static TimeSpan? ParseDuration(string? text, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var t = text.Trim();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)];
        foreach (var (suffix, seconds) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0)
            {
                return TimeSpan.FromSeconds(v * seconds);
            }
        }

        if (TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        problems.Add($"--duration '{text}' is not a positive duration such as 30s, 5m, 1h or 00:10:00");
        return null;
    }
}
