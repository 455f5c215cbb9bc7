// Two loopback hosts of our server for the peers to call: one plain, one that gzips responses to
// clients that accept gzip. Message limits are raised so 8 MiB messages pass.
using DigitalTwin.Rpc.Tests.Support;

namespace DigitalTwin.Rpc.Interop.Tests;

public sealed class InteropHosts : IAsyncDisposable
{
    private TestHost? _plain;
    private TestHost? _gzip;

    public TestHost Plain => _plain ?? throw new InvalidOperationException("Hosts not started.");

    public TestHost Gzip => _gzip ?? throw new InvalidOperationException("Hosts not started.");

    public async Task StartAsync()
    {
        _plain = await TestHost.StartAsync(o => o.MaxReceiveMessageSize = 16 * 1024 * 1024);
        _gzip = await TestHost.StartAsync(o =>
        {
            o.MaxReceiveMessageSize = 16 * 1024 * 1024;
            o.ResponseCompression = "gzip";
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_plain is not null)
        {
            await _plain.DisposeAsync();
        }

        if (_gzip is not null)
        {
            await _gzip.DisposeAsync();
        }
    }

    /// <summary>host:port of a host, the form grpc-js and grpcio take.</summary>
    public static string Target(TestHost host) => $"127.0.0.1:{host.Address.Port}";
}
