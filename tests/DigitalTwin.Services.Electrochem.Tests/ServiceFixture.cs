// Starts the real Electrochem host on a loopback port once for the test class and hands out typed clients.
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.ServiceDefaults;
using Microsoft.AspNetCore.Builder;

namespace DigitalTwin.Services.Electrochem.Tests;

public sealed class ServiceFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private RpcChannel? _channel;

    public ElectrochemServiceClient Client => new(_channel ?? throw new InvalidOperationException("The host did not start."));

    public async Task InitializeAsync()
    {
        _app = ElectrochemHost.Create(["--Rpc:Port=0", "--Logging:LogLevel:Default=Warning"]);
        await _app.StartAsync().OrFail("the Electrochem host to start");
        _channel = RpcChannel.ForAddress(Assert.Single(_app.GetRpcAddresses()));
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync().OrFail("the Electrochem host to stop");
            await _app.DisposeAsync();
        }
    }
}
