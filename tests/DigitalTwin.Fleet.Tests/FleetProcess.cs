// `twin fleet` as a child process (the built twin.dll): its output collected, SIGINT like Ctrl-C, and its manifest read.
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using DigitalTwin.Testing;

namespace DigitalTwin.Fleet.Tests;

internal sealed class FleetProcess : IDisposable
{
    public const int Sigint = 2;
    public const int Sigkill = 9;
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private FleetProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static FleetProcess Start(string dataDirectory, params string[] arguments) => Start(dataDirectory, newSession: false, arguments);

    /// <summary>
    /// Starts the fleet; with <paramref name="newSession"/> in a session of its own (setsid, which execs in place: the
    /// pid stays the fleet's), as from a shell, so nothing the test host's session does can reach the services.
    /// </summary>
    public static FleetProcess Start(string dataDirectory, bool newSession, params string[] arguments)
    {
        var start = new ProcessStartInfo(newSession ? "setsid" : "dotnet")
        {
            // From a shell the fleet's stdin is the terminal, open for as long as the fleet runs; here the test holds it.
            RedirectStandardInput = newSession,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The fleet reads the same shared data as the test (the BPX set for LFP cells), wherever the clone lives.
        start.Environment["DIGITALTWIN_SHARED"] = SharedData.RootDirectory;
        if (newSession)
        {
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "twin.dll"));
        start.ArgumentList.Add("fleet");
        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(dataDirectory);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var fleet = new FleetProcess(process, dataDirectory);
        process.OutputDataReceived += (_, e) => fleet.Add(e.Data);
        process.ErrorDataReceived += (_, e) => fleet.Add(e.Data is null ? null : "stderr: " + e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return fleet;
    }

    /// <summary>fleet.json, written once the cells are registered; null until then.</summary>
    public JsonElement? Manifest()
    {
        var path = Path.Combine(DataDirectory, "fleet.json");
        try
        {
            return File.Exists(path) ? JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone() : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            // Being written: read it on the next poll.
            return null;
        }
    }

    public bool HasExited => _process.HasExited;

    public void Signal(int signal) => Assert.Equal(0, SendSignal(_process.Id, signal));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the fleet did not exit within {timeout.TotalSeconds:0} s; its output:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(30_000);
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
