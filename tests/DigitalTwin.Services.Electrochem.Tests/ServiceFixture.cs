// Starts the real Electrochem host on a loopback port once for the test class and hands out typed clients; the
// host's log lines are captured so every test can fail on an unexpected error.
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Services.Electrochem.Tests;

public sealed class ServiceFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private RpcChannel? _channel;

    /// <summary>Every log line of the host (STYLE §11: functional tests fail on unexpected error logs).</summary>
    public LogCapture Logs { get; } = new();

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The host did not start.");

    public ElectrochemServiceClient Client => new(_channel ?? throw new InvalidOperationException("The host did not start."));

    public async Task InitializeAsync()
    {
        _app = ElectrochemHost.Create(["--Rpc:Port=0", "--Logging:LogLevel:Default=Warning"], services => services.AddSingleton<ILoggerProvider>(Logs));
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
