// One service of the fleet as a child process (`dotnet <built dll> --key=value ...`): output to its own log file,
// a health probe to wait on, and a graceful stop (SIGTERM, then a kill after a grace period) that leaves no orphan;
// if this process dies without stopping them (SIGKILL), their stdin pipe closes and they stop themselves.
using System.Diagnostics;
using System.Runtime.InteropServices;
using DigitalTwin.Rpc;
using DigitalTwin.Rpc.Health;
using DigitalTwin.Rpc.Health.V1;

namespace DigitalTwin.Cli.Commands.Fleet;

public sealed class ChildService : IAsyncDisposable
{
    private const int Sigterm = 15;

    /// <summary>DigitalTwin.ServiceDefaults.ParentExitWatch.Variable: the service stops when its stdin pipe closes.</summary>
    private const string StopOnStdinEof = "DIGITALTWIN_STOP_ON_STDIN_EOF";
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Func<CancellationToken, Task<bool>> _healthy;
    private readonly Lock _gate = new();

    private ChildService(string name, Process process, StreamWriter log, string logPath, Func<CancellationToken, Task<bool>> healthy)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
        _healthy = healthy;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="dll"/> with <paramref name="arguments"/>; stdout and stderr go to <paramref name="logPath"/>.</summary>
    public static ChildService Start(string name, string dll, IEnumerable<string> arguments, string workingDirectory, string logPath, Func<CancellationToken, Task<bool>> healthy)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{name}: the built service {dll} does not exist; build the solution first (make build, or dotnet build DigitalTwin.sln -c Release)", dll);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Never written: it closes when this process exits however it exits, and the child then stops (ParentExitWatch).
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment[StopOnStdinEof] = "1";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        log.WriteLine($"# {name}: dotnet {string.Join(' ', start.ArgumentList)}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildService(name, process, log, logPath, healthy);
        process.OutputDataReceived += (_, e) => child.Append(e.Data, "");
        process.ErrorDataReceived += (_, e) => child.Append(e.Data, "stderr: ");
        if (!process.Start())
        {
            throw new InvalidOperationException($"{name}: dotnet did not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until the health probe answers, the process exits (false) or the timeout passes (false).</summary>
    public async Task<bool> WaitHealthyAsync(TimeSpan timeout, CancellationToken cancel)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        limit.CancelAfter(timeout);
        while (!limit.IsCancellationRequested)
        {
            if (_process.HasExited)
            {
                return false;
            }

            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                if (await _healthy(attempt.Token))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or OperationCanceledException or IOException)
            {
                // Not listening yet: try again shortly.
            }

            try
            {
                await Task.Delay(150, limit.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return false;
    }

    /// <summary>The last lines of the service's log, for a failure message.</summary>
    public string Tail(int lines = 20)
    {
        lock (_gate)
        {
            _log.Flush();
        }

        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            // Stack frames are left out: the exception's message is what says why.
            var all = new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.TrimEnd('\r'))
                .Where(l => !StackFrame(l));
            return string.Join(Environment.NewLine, all.TakeLast(lines).Select(l => "    " + l));
        }
        catch (IOException e)
        {
            return $"    (log unreadable: {e.Message})";
        }
    }

    private static bool StackFrame(string line)
    {
        var text = line.StartsWith("stderr: ", StringComparison.Ordinal) ? line["stderr: ".Length..] : line;
        text = text.TrimStart();
        return text.StartsWith("at ", StringComparison.Ordinal) || text.StartsWith("--- End of", StringComparison.Ordinal);
    }

    /// <summary>SIGTERM (the host stops gracefully), then a kill of the whole tree if it is still running after the grace period.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            if (SendSignal(_process.Id, Sigterm) != 0)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                Append($"# {Name} did not stop within {grace.TotalSeconds:0} s of SIGTERM: killed", "");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        // The output readers finish once the pipes close (bounded: a stray inheritor of a pipe must not hang the stop).
        _process.WaitForExit(TimeSpan.FromSeconds(5));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        lock (_gate)
        {
            _log.Dispose();
        }
    }

    /// <summary>A gRPC health probe: grpc.health.v1 Check for the whole server answers SERVING.</summary>
    public static Func<CancellationToken, Task<bool>> GrpcHealth(Uri address) => async cancel =>
    {
        using var channel = RpcChannel.ForAddress(address);
        var response = await channel.CreateCallInvoker()
            .AsyncUnaryCall(RpcHealthService.CheckMethod, new CallOptions(CancellationToken: cancel), new HealthCheckRequest { Service = "" })
            .ResponseAsync;
        return response.Status == HealthCheckResponse.Types.ServingStatus.Serving;
    };

    /// <summary>An HTTP probe: GET answers 2xx.</summary>
    public static Func<CancellationToken, Task<bool>> HttpHealth(HttpClient http, Uri url) => async cancel =>
    {
        using var response = await http.GetAsync(url, cancel);
        return response.IsSuccessStatusCode;
    };

    private void Append(string? line, string prefix)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                _log.WriteLine(prefix + line);
            }
            catch (ObjectDisposedException)
            {
                // Output after the log closed (the last lines of a killed process) is dropped.
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
