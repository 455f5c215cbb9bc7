// API keys: writes always need one, reads only when configured closed.
using DigitalTwin.Twin.Access;

namespace DigitalTwin.Twin.Tests;

public sealed class ApiKeyPolicyTests
{
    [Fact]
    public void Writes_need_a_valid_key_and_reads_follow_the_configuration()
    {
        var open = new ApiKeyPolicy(["k-1", " k-2 "], readsOpen: true);
        Assert.Null(open.Check("k-1", write: true));
        Assert.Null(open.Check("k-2", write: true));
        Assert.Null(open.Check(null, write: false));
        Assert.Equal("writes need an API key in the 'x-api-key' header", open.Check(null, write: true));
        Assert.Equal("the API key is not valid", open.Check("k-3", write: true));

        var closed = new ApiKeyPolicy(["k-1"], readsOpen: false);
        Assert.Equal("reads need an API key in the 'x-api-key' header", closed.Check("", write: false));
        Assert.Null(closed.Check("k-1", write: false));
    }
}
