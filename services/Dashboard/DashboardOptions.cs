// Settings (section "Dashboard"): which store, where, the demo writer, write authentication.
namespace DigitalTwin.Services.Dashboard;

public sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>"embedded" (SQLite file, default) or "influxdb".</summary>
    public string Store { get; set; } = "embedded";

    /// <summary>Embedded store file.</summary>
    public string DataPath { get; set; } = Path.Combine("data", "timeseries.db");

    public InfluxSettings Influx { get; set; } = new();

    public DemoSettings Demo { get; set; } = new();

    /// <summary>When set, /write and /api/v2/write need "Authorization: Token KEY" (or Basic with password KEY, or p=KEY).</summary>
    public string? WriteApiKey { get; set; }

    /// <summary>A cell with no telemetry for this long shows as offline.</summary>
    public TimeSpan OfflineAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the embedded store merges small chunks.</summary>
    public TimeSpan CompactionInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often live updates are pushed to browsers.</summary>
    public TimeSpan LiveInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    public sealed class InfluxSettings
    {
        public string Endpoint { get; set; } = "http://127.0.0.1:8086/";

        /// <summary>"v1" or "v2".</summary>
        public string Api { get; set; } = "v1";

        public string Database { get; set; } = "digitaltwin";

        public string? Username { get; set; }

        public string? Password { get; set; }

        public string? Organization { get; set; }

        public string? Bucket { get; set; }

        public string? Token { get; set; }

        public string BufferDirectory { get; set; } = Path.Combine("data", "influx-buffer");
    }

    public sealed class DemoSettings
    {
        /// <summary>Write a demo fleet replayed from a real cycler file (until the twin writes real data).</summary>
        public bool Enabled { get; set; }

        /// <summary>Arbin or other cycler file the demo replays; default: the shared arbin_example.csv.</summary>
        public string? Source { get; set; }

        public int Cells { get; set; } = 8;

        /// <summary>Replay speed: file seconds per wall-clock second.</summary>
        public double Speed { get; set; } = 20;

        public int HistoryCycles { get; set; } = 150;

        public int Seed { get; set; } = 7;

        /// <summary>Only write history (no live replay): deterministic data for tests.</summary>
        public bool LiveReplay { get; set; } = true;
    }
}
