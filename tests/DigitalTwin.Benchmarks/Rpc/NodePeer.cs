// A grpc-js peer process of the benchmark (server or load generator): stdout lines are read as they come,
// stderr is kept for error messages, and the process is killed on dispose.
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Threading.Channels;

namespace DigitalTwin.Benchmarks.Rpc;

public sealed class NodePeer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    private NodePeer(Process process)
    {
        _process = process;
    }

    public static string Directory => Metadata("RpcBenchNodeDirectory");

    public static string ProtoRoot => Metadata("RpcBenchProtoRoot");

    public static bool IsInstalled => File.Exists(Path.Combine(Directory, "node_modules", "@grpc", "grpc-js", "package.json"));

    public static NodePeer Start(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var variable in new[] { "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "grpc_proxy", "all_proxy", "ALL_PROXY" })
        {
            info.Environment.Remove(variable);
        }

        var process = new Process { StartInfo = info };
        var peer = new NodePeer(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                peer._lines.Writer.TryComplete();
            }
            else
            {
                peer._lines.Writer.TryWrite(e.Data);
            }
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
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>The next stdout line; fails with the peer's stderr if it exits or times out first.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            if (await _lines.Reader.WaitToReadAsync(cts.Token).ConfigureAwait(false) && _lines.Reader.TryRead(out var line))
            {
                return line;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"node {_process.StartInfo.ArgumentList[0]} printed nothing within {timeout.TotalSeconds:0} s. stderr:{Environment.NewLine}{Stderr}");
        }

        throw new InvalidOperationException($"node {_process.StartInfo.ArgumentList[0]} exited early. stderr:{Environment.NewLine}{Stderr}");
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

    public void Dispose()
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

        _process.Dispose();
    }

    private static string Metadata(string key) =>
        typeof(NodePeer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is missing.");
}
