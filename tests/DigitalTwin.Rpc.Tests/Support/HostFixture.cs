// One loopback host (h2c, TLS and HTTP/1.1 endpoints) and one channel shared by a test class.
namespace DigitalTwin.Rpc.Tests.Support;

public sealed class HostFixture : IAsyncLifetime
{
    private TestHost? _host;
    private RpcChannel? _channel;

    public TestHost Host => _host ?? throw new InvalidOperationException("Host not started.");

    public RpcChannel Channel => _channel ?? throw new InvalidOperationException("Host not started.");

    public InteropServiceClient Client => new(Channel);

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(
            options =>
            {
                options.MaxReceiveMessageSize = 16 * 1024 * 1024;
                options.EnableDetailedErrors = true;
            },
            tls: true,
            http1: true);
        _channel = _host.CreateChannel(new RpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 });

        // Open the connection now, so no test spends its deadline on connection set-up.
        await Client.UnaryAsync(new DigitalTwin.Testing.V1.EchoRequest()).ResponseAsync.OrFail("warm-up call");
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();

            // Functional tests fail on unexpected error logs (STYLE §11); only the requested crash is expected.
            var errors = _host.Logs.UnexpectedErrors("Handler failure requested by the test.");
            if (errors.Count > 0)
            {
                throw new Xunit.Sdk.XunitException("Unexpected error log lines:" + Environment.NewLine
                    + string.Join(Environment.NewLine, errors.Select(e => $"{e.Category}: {e.Message} {e.Exception}")));
            }
        }
    }
}
