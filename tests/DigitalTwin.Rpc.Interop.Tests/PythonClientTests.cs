// Debian's python3-grpcio (C-core) as the client, our server on Kestrel: each case in a fresh process.
using DigitalTwin.Rpc.Tests.Support;

namespace DigitalTwin.Rpc.Interop.Tests;

public sealed class PythonClientTests(InteropHosts hosts) : IClassFixture<InteropHosts>, IDisposable
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(60);
    private readonly string _descriptors = DescriptorSet.WriteTemporary();

    [Theory]
    [InlineData("unary")]
    [InlineData("server_stream")]
    [InlineData("client_stream")]
    [InlineData("bidi")]
    [InlineData("error_status")]
    [InlineData("metadata")]
    [InlineData("large")]
    [InlineData("health")]
    [InlineData("reflection")]
    public async Task Grpcio_client_passes_case(string testCase)
    {
        await RunCaseAsync(hosts.Plain, testCase, "py-" + testCase);
        Assert.Empty(hosts.Plain.Logs.UnexpectedErrors());
    }

    [Fact]
    public async Task Grpcio_client_and_our_server_gzip_both_ways()
    {
        await RunCaseAsync(hosts.Gzip, "gzip", "py-gzip");
    }

    [Fact]
    public async Task Grpcio_deadline_expires_on_both_sides()
    {
        var tag = "py-deadline-" + Guid.NewGuid().ToString("N");
        await RunCaseAsync(hosts.Plain, "deadline", tag);
        Assert.Equal("deadline", await hosts.Plain.Service.CancellationObserved(tag).OrFail("our handler to see the deadline pass"));
    }

    [Fact]
    public async Task Grpcio_cancelled_stream_cancels_our_handler()
    {
        var tag = "py-cancel-" + Guid.NewGuid().ToString("N");
        await RunCaseAsync(hosts.Plain, "cancel", tag);
        Assert.Equal("cancelled", await hosts.Plain.Service.CancellationObserved(tag).OrFail("our handler to see the client's RST_STREAM"));
    }

    public void Dispose() => File.Delete(_descriptors);

    private async Task RunCaseAsync(TestHost host, string testCase, string tag)
    {
        await using var peer = PeerProcess.Start(
            InteropPaths.Python,
            InteropPaths.PythonDirectory,
            "interop.py",
            "client",
            InteropHosts.Target(host),
            _descriptors,
            testCase,
            tag);
        var exitCode = await peer.WaitForExitAsync(CaseTimeout);
        Assert.True(exitCode == 0 && peer.Stdout.StartsWith("PASS", StringComparison.Ordinal), $"python3-grpcio case '{testCase}' failed (exit {exitCode}).{peer.Describe()}");
    }
}
