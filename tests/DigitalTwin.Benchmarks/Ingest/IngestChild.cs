// A child process of the bench (the Ingest service or `twin parse`), with its peak resident memory sampled from
// /proc/<pid>/status (VmHWM, the kernel's high-water mark) while it runs.
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DigitalTwin.Benchmarks.Ingest;

internal sealed partial class IngestChild : IDisposable
{
    private readonly Process _process;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _peakKb;

    private IngestChild(Process process)
    {
        _process = process;
        _sampler = Task.Run(SampleAsync);
    }

    /// <summary>Highest resident set size seen so far [bytes].</summary>
    public long PeakRssBytes => Math.Max(Interlocked.Read(ref _peakKb), ReadHwmKb()) * 1024;

    public Uri? GrpcAddress { get; private set; }

    public Uri? HttpAddress { get; private set; }

    public static string Dll(string name) => Path.Combine(AppContext.BaseDirectory, name);

    /// <summary>Starts the Ingest service on free loopback ports and waits for its ready line.</summary>
    public static async Task<IngestChild> StartServiceAsync(string dataDirectory, string apiKey)
    {
        var child = Start(Dll("DigitalTwin.Services.Ingest.dll"), $"--Ingest:DataDirectory={dataDirectory}", $"--Ingest:ApiKeys:0={apiKey}", "--Ingest:GrpcPort=0", "--Ingest:HttpPort=0");
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        child._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("the Ingest service exited before it was ready"));
            }
            else if (e.Data.StartsWith("ingest: grpc ", StringComparison.Ordinal))
            {
                ready.TrySetResult(e.Data);
            }
        };
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        var line = await ready.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var m = Addresses().Match(line);
        child.GrpcAddress = new Uri(m.Groups[1].Value);
        child.HttpAddress = new Uri(m.Groups[2].Value);
        return child;
    }

    /// <summary>Runs a program to the end; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, long PeakRssBytes, double Seconds)> RunAsync(string dll, params string[] args)
    {
        using var child = Start(dll, args);
        var output = child._process.StandardOutput.ReadToEndAsync();
        var error = child._process.StandardError.ReadToEndAsync();
        var sw = Stopwatch.StartNew();
        await child._process.WaitForExitAsync();
        var seconds = sw.Elapsed.TotalSeconds;
        return (child._process.ExitCode, await output + await error, child.PeakRssBytes, seconds);
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(30_000);
        }

        _sampler.Wait(TimeSpan.FromSeconds(5));
        _process.Dispose();
        _stop.Dispose();
    }

    private static IngestChild Start(string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return new IngestChild(Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}"));
    }

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var kb = ReadHwmKb();
            if (kb > Interlocked.Read(ref _peakKb))
            {
                Interlocked.Exchange(ref _peakKb, kb);
            }

            try
            {
                await Task.Delay(50, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private long ReadHwmKb()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
        }

        return 0;
    }

    [GeneratedRegex(@"grpc (http://\S+) http (http://\S+)")]
    private static partial Regex Addresses();
}
