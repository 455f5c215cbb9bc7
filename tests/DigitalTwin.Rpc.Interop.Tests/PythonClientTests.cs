// Debian's python3-grpcio (C-core) as the client, our server on Kestrel: all cases run in one process.
using DigitalTwin.Rpc.Tests.Support;

namespace DigitalTwin.Rpc.Interop.Tests;

public sealed class PythonClientTests(PythonClientFixture peer) : IClassFixture<PythonClientFixture>
{
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
    [InlineData("gzip")]
    public void Grpcio_client_passes_case(string testCase)
    {
        peer.AssertPassed(testCase);
        Assert.Empty(peer.Hosts.Plain.Logs.UnexpectedErrors());
    }

    [Fact]
    public async Task Grpcio_deadline_expires_on_both_sides()
    {
        peer.AssertPassed("deadline");
        Assert.Equal("deadline", await peer.Hosts.Plain.Service.CancellationObserved(peer.TagOf("deadline")).OrFail("our handler to see the deadline pass"));
    }

    [Fact]
    public async Task Grpcio_cancelled_stream_cancels_our_handler()
    {
        peer.AssertPassed("cancel");
        Assert.Equal("cancelled", await peer.Hosts.Plain.Service.CancellationObserved(peer.TagOf("cancel")).OrFail("our handler to see the client's RST_STREAM"));
    }
}
