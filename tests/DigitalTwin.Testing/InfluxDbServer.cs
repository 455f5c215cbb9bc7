// A real influxd (Debian influxdb 1.x) for tests and benchmarks: temp config and data folder,
// dynamic loopback ports, readiness from its own "Listening on HTTP" log line (no polling),
// kill and restart on the same ports and data to test that a restart loses nothing.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DigitalTwin.Testing;

public sealed class InfluxDbServer : IAsyncDisposable
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private readonly string _root;
    private readonly StringBuilder _log = new();
    private readonly string _dataSettings;
    private Process? _process;

    private InfluxDbServer(string root, int httpPort, int rpcPort, string dataSettings)
    {
        _root = root;
        HttpPort = httpPort;
        RpcPort = rpcPort;
        _dataSettings = dataSettings;
    }

    /// <summary>
    /// [data] settings for write throughput: the in-memory cache is snapshotted to TSM files only when it reaches
    /// 256 MB or after an hour cold, and one compaction at a time, so a benchmark's influxd spends its CPU on writes
    /// (points stay durable in the WAL). Used by the `timeseries` benchmark for our store and the raw peer alike.
    /// </summary>
    public const string IngestTuning = """
          cache-snapshot-memory-size = "256m"
          cache-snapshot-write-cold-duration = "1h"
          max-concurrent-compactions = 1
        """;

    /// <summary>[data] settings of tests: cold shards are snapshotted after 10 s (restart tests read TSM files soon).</summary>
    public const string DefaultData = """
          cache-snapshot-write-cold-duration = "10s"
        """;

    /// <summary>CPU time influxd has used so far (user + system), for points per CPU-second on a shared machine.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            var process = _process ?? throw new InvalidOperationException("influxd is not running.");
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    public int HttpPort { get; }

    public int RpcPort { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{HttpPort}/");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's log so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts a fresh server; installs Debian's influxdb first if influxd is missing.</summary>
    /// <param name="timeout">How long to wait for "Listening on HTTP".</param>
    /// <param name="dataSettings">Extra lines of the [data] section; null = <see cref="DefaultData"/> (or e.g. <see cref="IngestTuning"/>).</param>
    public static async Task<InfluxDbServer> StartAsync(TimeSpan? timeout = null, string? dataSettings = null)
    {
        await EnsureInstalledAsync().ConfigureAwait(false);
        var root = Path.Combine(Path.GetTempPath(), "dt-influxd", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        for (var attempt = 1; ; attempt++)
        {
            var server = new InfluxDbServer(root, FreePort(), FreePort(), dataSettings ?? DefaultData);
            try
            {
                await server.RestartAsync(timeout).ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await server.StopAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Starts (again) on the same ports and data folder and waits until it listens.</summary>
    public async Task RestartAsync(TimeSpan? timeout = null)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("influxd is already running.");
        }

        var config = Path.Combine(_root, "influxdb.conf");
        await File.WriteAllTextAsync(config, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{RpcPort}"
            [meta]
              dir = "{_root}/meta"
            [data]
              dir = "{_root}/data"
              wal-dir = "{_root}/wal"
              query-log-enabled = false
            {_dataSettings}
            [monitor]
              store-enabled = false
            [http]
              bind-address = "127.0.0.1:{HttpPort}"
              log-enabled = false
              max-body-size = 0
            [logging]
              level = "info"
            """).ConfigureAwait(false);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(Executable(), ["-config", config])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            },
            EnableRaisingEvents = true,
        };
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_log)
            {
                _log.AppendLine(e.Data);
            }

            if (e.Data.Contains("msg=\"Listening on HTTP\"", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"influxd exited (code {process.ExitCode}) before listening. Log:\n{Log}"));
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        var wait = timeout ?? TimeSpan.FromSeconds(30);
        try
        {
            await listening.Task.WaitAsync(wait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"influxd did not log \"Listening on HTTP\" on port {HttpPort} within {wait.TotalSeconds} s. Log:\n{Log}");
        }
    }

    /// <summary>Kills the server (SIGKILL: acknowledged writes must survive even this) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the dying process; the temp folder is cleaned by the OS.
        }
    }

    private static string Executable()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/bin"))
        {
            var candidate = Path.Combine(directory, "influxd");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("influxd not found: install Debian's influxdb package (build/install-deps.sh test does).");
    }

    /// <summary>The issue asks tests to install influxd when it is missing: apt-get as root, or through sudo.</summary>
    private static async Task EnsureInstalledAsync()
    {
        await InstallGate.WaitAsync().ConfigureAwait(false);
        try
        {
            try
            {
                Executable();
                return;
            }
            catch (FileNotFoundException)
            {
                var root = Environment.UserName == "root";
                var install = new ProcessStartInfo(root ? "apt-get" : "sudo", root
                    ? ["install", "-y", "-qq", "--no-install-recommends", "influxdb"]
                    : ["-n", "apt-get", "install", "-y", "-qq", "--no-install-recommends", "influxdb"]);
                install.Environment["DEBIAN_FRONTEND"] = "noninteractive";
                using var process = Process.Start(install) ?? throw new InvalidOperationException("Could not start apt-get.");
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
                Executable();
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
