// The Ingest service as a child process (the built DigitalTwin.Services.Ingest.dll), so a test can kill -9 it.
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DigitalTwin.Ingest.Tests.Support;

public sealed partial class IngestProcess : IDisposable
{
    private readonly Process _process;

    private IngestProcess(Process process, Uri grpc, string startLine)
    {
        _process = process;
        GrpcAddress = grpc;
        StartLine = startLine;
    }

    public Uri GrpcAddress { get; }

    /// <summary>The service's "ingest: grpc ... log ...: N records ... recovered" line.</summary>
    public string StartLine { get; }

    public static async Task<IngestProcess> StartAsync(string dataDirectory)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "DigitalTwin.Services.Ingest.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { dll, $"--Ingest:DataDirectory={dataDirectory}", $"--Ingest:ApiKeys:0={IngestServer.Key}", "--Ingest:GrpcPort=0", "--Ingest:HttpPort=0" })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"the service exited before it was ready:\n{string.Join('\n', lines)}"));
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.StartsWith("ingest: grpc ", StringComparison.Ordinal))
            {
                ready.TrySetResult(e.Data);
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
        var line = await Within.Await(ready.Task, "the Ingest process to report its ports", TimeSpan.FromSeconds(60));
        var grpc = new Uri(GrpcPattern().Match(line).Groups[1].Value);
        return new IngestProcess(process, grpc, line);
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

    [GeneratedRegex(@"grpc (http://\S+)")]
    private static partial Regex GrpcPattern();
}
