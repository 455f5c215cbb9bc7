// Runs every interop case of one peer client in a single child process (starting an interpreter per case
// would cost more than the cases), against our hosts, and hands each test its case's outcome.

namespace DigitalTwin.Rpc.Interop.Tests;

public abstract class ClientBatchFixture : IAsyncLifetime
{
    /// <summary>Cases run against the plain host; "gzip" runs against the host that compresses responses.</summary>
    public static readonly string[] Cases =
        ["unary", "server_stream", "client_stream", "bidi", "error_status", "metadata", "large", "health", "reflection", "deadline", "cancel", "gzip"];

    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(120);
    private static readonly string RunId = Guid.NewGuid().ToString("N")[..8];
    private readonly Dictionary<string, string> _outcomes = new(StringComparer.Ordinal);
    private string _description = string.Empty;

    public InteropHosts Hosts { get; } = new();

    /// <summary>Tag each case carries, so tests can find what our handler observed.</summary>
    public string TagOf(string testCase) => $"{Prefix}-{testCase}-{RunId}";

    public async Task InitializeAsync()
    {
        await Hosts.StartAsync();
        var arguments = new List<string>();
        foreach (var testCase in Cases)
        {
            var host = testCase == "gzip" ? Hosts.Gzip : Hosts.Plain;
            arguments.AddRange([testCase, TagOf(testCase), InteropHosts.Target(host)]);
        }

        await using var peer = StartPeer(arguments);
        var exitCode = await peer.WaitForExitAsync(BatchTimeout);
        _description = $"(exit {exitCode}){peer.Describe()}";
        foreach (var line in peer.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 3);
            if (parts.Length >= 2 && parts[0] is "PASS" or "FAIL")
            {
                _outcomes[parts[1]] = line;
            }
        }
    }

    public virtual async Task DisposeAsync() => await Hosts.DisposeAsync();

    /// <summary>Fails with the peer's output unless the case printed PASS.</summary>
    public void AssertPassed(string testCase)
    {
        Assert.True(_outcomes.TryGetValue(testCase, out var line), $"{Name} printed no result for case '{testCase}' {_description}");
        Assert.True(line.StartsWith("PASS", StringComparison.Ordinal), $"{Name} case '{testCase}': {line} {_description}");
    }

    protected abstract string Name { get; }

    protected abstract string Prefix { get; }

    protected abstract PeerProcess StartPeer(IReadOnlyList<string> caseArguments);

}

public sealed class GrpcJsClientFixture : ClientBatchFixture
{
    protected override string Name => "grpc-js client";

    protected override string Prefix => "js";

    protected override PeerProcess StartPeer(IReadOnlyList<string> caseArguments)
    {
        InteropPaths.RequireNodeModules();
        return PeerProcess.Start(InteropPaths.Node, InteropPaths.NodeDirectory, ["interop_client.js", InteropPaths.TestProtoRoot, InteropPaths.RuntimeProtoRoot, .. caseArguments]);
    }
}

public sealed class PythonClientFixture : ClientBatchFixture
{
    private readonly string _descriptors = DescriptorSet.WriteTemporary();

    protected override string Name => "python3-grpcio client";

    protected override string Prefix => "py";

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_descriptors);
    }

    protected override PeerProcess StartPeer(IReadOnlyList<string> caseArguments) =>
        PeerProcess.Start(InteropPaths.Python, InteropPaths.PythonDirectory, ["interop.py", "client", _descriptors, .. caseArguments]);
}
