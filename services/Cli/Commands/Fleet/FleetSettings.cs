// What `twin fleet` was asked for (files, speed, clones, duration, ports, data folder) and the port plan it derives.
using System.Net;
using System.Net.Sockets;

namespace DigitalTwin.Cli.Commands.Fleet;

public sealed record FleetSettings
{
    /// <summary>Real files replayed when none are named: one per vendor, each a full cell the twin can follow.</summary>
    public static readonly IReadOnlyList<string> DefaultFiles =
    [
        "arbin_csv/arbin_example.csv",
        "maccor_txt/xTESLADIAG_000038con.078",
        "novonix_csv/example_data.csv",
    ];

    /// <summary>Cycler files: absolute, relative to the working folder, or relative to shared/data/cycler.</summary>
    public IReadOnlyList<string> Files { get; init; } = DefaultFiles;

    /// <summary>File seconds replayed per wall-clock second.</summary>
    public double Speed { get; init; } = 100;

    /// <summary>Synthetic cells cloned from each file (a different cell id and a small perturbation).</summary>
    public int Clones { get; init; }

    /// <summary>Stop after this long; null runs until Ctrl-C.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Start the file again when it ends (cycles and test time continue), so the fleet stays live.</summary>
    public bool Loop { get; init; } = true;

    /// <summary>Logs, the Ingest log, the twin's grain store and the dashboard's store.</summary>
    public string DataDirectory { get; init; } = Path.Combine("artifacts", "run");

    /// <summary>Base of the port plan (the services' own defaults for 5000); 0 picks free ports.</summary>
    public int PortBase { get; init; } = 5000;

    /// <summary>Progress every this often (one updating line on a terminal, else one line per period).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for a service to answer its health check.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>The ports every service gets; with base 5000 they equal each service's own default.</summary>
public sealed record PortPlan(int Dashboard, int Twin, int Electrochem, int Mechanics, int Viscoplastic, int Dem, int IngestGrpc, int IngestHttp)
{
    public static PortPlan From(int portBase)
    {
        if (portBase != 0)
        {
            return new PortPlan(portBase, portBase + 80, portBase + 101, portBase + 104, portBase + 105, portBase + 106, portBase + 107, portBase + 108);
        }

        // Every listener is opened at once so the eight ports differ; they are released just before the services bind them.
        var listeners = Enumerable.Range(0, 8).Select(_ =>
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return l;
        }).ToArray();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners)
        {
            l.Stop();
        }

        return new PortPlan(ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], ports[6], ports[7]);
    }
}
