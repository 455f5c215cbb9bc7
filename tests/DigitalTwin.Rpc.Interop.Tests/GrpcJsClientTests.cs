// @grpc/grpc-js as the client, our server on Kestrel: each case runs in a fresh node process.
using DigitalTwin.Rpc.Tests.Support;

namespace DigitalTwin.Rpc.Interop.Tests;

public sealed class GrpcJsClientTests(InteropHosts hosts) : IClassFixture<InteropHosts>
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(60);

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
    public async Task Grpc_js_client_passes_case(string testCase)
    {
        await RunCaseAsync(hosts.Plain, testCase, "js-" + testCase);
        Assert.Empty(hosts.Plain.Logs.UnexpectedErrors());
    }

    [Fact]
    public async Task Grpc_js_client_and_our_server_gzip_both_ways()
    {
        await RunCaseAsync(hosts.Gzip, "gzip", "js-gzip");
    }

    [Fact]
    public async Task Grpc_js_deadline_expires_on_both_sides()
    {
        var tag = "js-deadline-" + Guid.NewGuid().ToString("N");
        await RunCaseAsync(hosts.Plain, "deadline", tag);
        Assert.Equal("deadline", await hosts.Plain.Service.CancellationObserved(tag).OrFail("our handler to see the deadline pass"));
    }

    [Fact]
    public async Task Grpc_js_cancelled_stream_cancels_our_handler()
    {
        var tag = "js-cancel-" + Guid.NewGuid().ToString("N");
        await RunCaseAsync(hosts.Plain, "cancel", tag);
        Assert.Equal("cancelled", await hosts.Plain.Service.CancellationObserved(tag).OrFail("our handler to see the client's RST_STREAM"));
    }

    private static async Task RunCaseAsync(TestHost host, string testCase, string tag)
    {
        InteropPaths.RequireNodeModules();
        await using var peer = PeerProcess.Start(
            InteropPaths.Node,
            InteropPaths.NodeDirectory,
            "interop_client.js",
            InteropHosts.Target(host),
            InteropPaths.TestProtoRoot,
            InteropPaths.RuntimeProtoRoot,
            testCase,
            tag);
        var exitCode = await peer.WaitForExitAsync(CaseTimeout);
        Assert.True(exitCode == 0 && peer.Stdout.StartsWith("PASS", StringComparison.Ordinal), $"grpc-js case '{testCase}' failed (exit {exitCode}).{peer.Describe()}");
    }
}
