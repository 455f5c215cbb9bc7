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
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
