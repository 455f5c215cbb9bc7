// A peer implementation running as a child process: stdout lines are observable, stderr is kept for
// failure messages, and the whole process tree is killed on dispose.
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Threading.Channels;

namespace DigitalTwin.Rpc.Interop.Tests;

public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly string _description;

    private PeerProcess(Process process, string description)
    {
        _process = process;
        _description = description;
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public static PeerProcess Start(string fileName, string workingDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Peers talk to 127.0.0.1 directly; a proxy from the environment must not intercept them.
        foreach (var variable in new[] { "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "grpc_proxy", "all_proxy", "ALL_PROXY" })
        {
            info.Environment.Remove(variable);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var peer = new PeerProcess(process, $"{fileName} {string.Join(' ', arguments)}");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                peer._lines.Writer.TryComplete();
                return;
            }

            lock (peer._stdout)
            {
                peer._stdout.AppendLine(e.Data);
            }

            peer._lines.Writer.TryWrite(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (peer._stderr)
                {
                    peer._stderr.AppendLine(e.Data);
                }
            }
        };
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {peer._description}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>Waits for a stdout line starting with the prefix; fails with the peer's stderr on timeout or exit.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(cts.Token))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for '{prefix}' from {_description}.{Describe()}");
        }

        throw new InvalidOperationException($"{_description} exited before printing '{prefix}'.{Describe()}");
    }

    /// <summary>Waits for the peer to exit and returns its exit code; kills it and fails on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{_description} did not finish within {timeout.TotalSeconds:0.#} s.{Describe()}");
        }

        // The parameterless wait also drains the redirected output streams.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public string Describe() => $"{Environment.NewLine}--- stdout ---{Environment.NewLine}{Stdout}--- stderr ---{Environment.NewLine}{Stderr}";

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}

/// <summary>Where the peers' scripts and the protos live (baked in at build time from the source tree).</summary>
public static class InteropPaths
{
    public static string NodeDirectory => Metadata("NodeDirectory");

    public static string PythonDirectory => Metadata("PythonDirectory");

    public static string TestProtoRoot => Metadata("TestProtoRoot");

    public static string RuntimeProtoRoot => Metadata("RuntimeProtoRoot");

    /// <summary>Debian's interpreter, which owns python3-grpcio (the python3 on PATH may be another one).</summary>
    public const string Python = "/usr/bin/python3";

    public static string Node => "node";

    public static void RequireNodeModules()
    {
        var grpcJs = Path.Combine(NodeDirectory, "node_modules", "@grpc", "grpc-js", "package.json");
        if (!File.Exists(grpcJs))
        {
            throw new InvalidOperationException($"@grpc/grpc-js is not installed in {NodeDirectory}; run build/install-deps.sh test (npm ci).");
        }
    }

    private static string Metadata(string key) =>
        typeof(InteropPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is missing.");
}
