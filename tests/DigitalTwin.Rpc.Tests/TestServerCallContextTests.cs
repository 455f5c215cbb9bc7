// The unit-test context lets a handler run without a host and records what it sent.
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;

namespace DigitalTwin.Rpc.Tests;

public sealed class TestServerCallContextTests
{
    [Fact]
    public async Task Handler_runs_directly_and_its_metadata_is_recorded()
    {
        var headers = new Metadata { { "x-echo-cell", "A7" } };
        var context = TestServerCallContext.Create(requestHeaders: headers);
        // A handler called in-process, as a service's unit test would call its implementation.
        UnaryServerMethod<EchoRequest, EchoResponse> handler = async (request, ctx) =>
        {
            await ctx.WriteResponseHeadersAsync(new Metadata { { "x-seen", ctx.RequestHeaders.GetValue("x-echo-cell")! } });
            ctx.ResponseTrailers.Add("x-done", "yes");
            ctx.Status = new Status(StatusCode.OK, "fine");
            return new EchoResponse { Tag = request.Tag };
        };
        var response = await handler(new EchoRequest { Tag = "t" }, context).OrFail("handler result");
        Assert.Equal("t", response.Tag);
        Assert.Equal("A7", context.ResponseHeaders!.GetValue("x-seen"));
        Assert.Equal("yes", context.ResponseTrailers.GetValue("x-done"));
        Assert.Equal(new Status(StatusCode.OK, "fine"), context.Status);
        Assert.Equal(DateTime.MaxValue, context.Deadline);
        await Assert.ThrowsAsync<InvalidOperationException>(() => context.WriteResponseHeadersAsync(new Metadata())).OrFail("second header write to be refused");
    }
}
