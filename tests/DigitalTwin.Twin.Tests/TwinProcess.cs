// The Twin host as a child process (the built DigitalTwin.Services.Twin.dll), so a test can kill -9 it mid-replay.
using System.Diagnostics;
using DigitalTwin.Grains.Testing;

namespace DigitalTwin.Twin.Tests;

internal sealed class TwinProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines;

    private TwinProcess(Process process, List<string> lines, string address)
    {
        _process = process;
        _lines = lines;
        Address = address;
    }

    public string Address { get; }

    /// <summary>What the process wrote so far (stdout and stderr), for failure messages.</summary>
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

    public static async Task<TwinProcess> StartAsync(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DigitalTwin.Services.Twin.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var lines = new List<string>();
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"the Twin host exited before it was ready:\n{string.Join('\n', lines)}"));
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.StartsWith("twin: grpc ", StringComparison.Ordinal))
            {
                ready.TrySetResult(e.Data["twin: grpc ".Length..].Split(',')[0].Trim().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    lines.Add("stderr: " + e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = await ready.Task.Within("the Twin process to report its address", TimeSpan.FromSeconds(60));
        return new TwinProcess(process, lines, address);
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(30_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
    }
}
