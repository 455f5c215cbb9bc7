// Starts a throwaway PostgreSQL server on 127.0.0.1 from Debian's binaries (initdb/pg_ctl) for integration tests.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DigitalTwin.Grains.Testing;

/// <summary>
/// A real PostgreSQL server in a temporary directory, trust-authenticated on a free loopback port. When the tests run
/// as root the server runs as the <c>postgres</c> (or <c>nobody</c>) user, because PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgreSqlServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _directory;
    private readonly string? _runAs;

    private PostgreSqlServer(string bin, string directory, string? runAs, int port)
    {
        _bin = bin;
        _directory = directory;
        _runAs = runAs;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Npgsql connection string to the server's <c>postgres</c> database as user <c>twin</c>.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=twin;Database=postgres;Pooling=true;Maximum Pool Size=20";

    public static async Task<PostgreSqlServer> StartAsync()
    {
        var bin = FindBinaries();
        var directory = Directory.CreateTempSubdirectory("dt-pg-").FullName;
        string? runAs = null;
        if (Environment.UserName == "root")
        {
            runAs = UserExists("postgres") ? "postgres" : "nobody";
            await RunAsync("chown", null, "-R", runAs, directory).ConfigureAwait(false);
        }

        var data = Path.Combine(directory, "data");
        await RunAsync(Path.Combine(bin, "initdb"), runAs, "-D", data, "-A", "trust", "-U", "twin", "-E", "UTF8", "--no-sync", "--no-instructions").ConfigureAwait(false);
        var port = FreePort();
        var server = new PostgreSqlServer(bin, directory, runAs, port);
        await RunAsync(Path.Combine(bin, "pg_ctl"), runAs, "-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start").ConfigureAwait(false);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), _runAs, "-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop").ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            $"PostgreSQL server binaries (initdb, pg_ctl) were not found under {root}: install the Debian package 'postgresql' (listed in build/apt-test.txt; `make deps-test` installs it).");
    }

    private static bool UserExists(string user) =>
        File.ReadLines("/etc/passwd").Any(line => line.StartsWith(user + ":", StringComparison.Ordinal));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string? runAs, params string[] arguments)
    {
        var start = new ProcessStartInfo(runAs is null ? file : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAs is not null)
        {
            foreach (var a in new[] { "-u", runAs, "--", file })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90)).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} exited with {process.ExitCode}:{Environment.NewLine}{await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
        }
    }
}
