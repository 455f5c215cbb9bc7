// A solver service on the shared solver host (SolverHost) at a free loopback port, for the services' functional tests:
// the channel to call it through, its captured log lines, and a stop that fails on any Error or Critical line the test
// did not expect (STYLE §11). Compiled into the service test projects beside Rpc.Tests' LogCapture.
using DigitalTwin.Rpc;
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Services.Testing;

internal sealed class LoopbackSolverHost : IAsyncDisposable
{
    /// <summary>How long a start, stop or call may take before the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The one error line a probe test may log on purpose to prove the capture works.</summary>
    public const string ProbeMessage = "log-capture probe";

    private readonly WebApplication _app;

    private LoopbackSolverHost(WebApplication app, LogCapture logs, RpcChannel channel)
    {
        _app = app;
        Logs = logs;
        Channel = channel;
    }

    public LogCapture Logs { get; }

    public RpcChannel Channel { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Builds the host with the service's <paramref name="map"/> on port 0 and starts it.</summary>
    public static async Task<LoopbackSolverHost> StartAsync(string serviceName, Action<WebApplication> map)
    {
        var logs = new LogCapture();
        var app = SolverHost.Create([], options =>
        {
            options.ServiceName = serviceName;
            options.Port = 0;
            options.MinimumLogLevel = LogLevel.Warning;
        }, services => services.AddSingleton<ILoggerProvider>(logs));
        map(app);
        await app.StartAsync().WaitAsync(Timeout);
        return new LoopbackSolverHost(app, logs, RpcChannel.ForAddress(app.GetRpcAddresses()[0].ToString().TrimEnd('/')));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync().WaitAsync(Timeout);
        await _app.DisposeAsync();

        var errors = Logs.UnexpectedErrors(ProbeMessage);
        Assert.True(errors.Count == 0, $"unexpected error log lines: {string.Join(" | ", errors.Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Exception?.Message}"))}");
    }
}
