// Builds the Electrochem host from the shared solver defaults; tests start the same host on a loopback port.
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DigitalTwin.Services.Electrochem;

public static class ElectrochemHost
{
    /// <summary>The host; <paramref name="services"/> adds registrations (tests add a log-capturing provider).</summary>
    public static WebApplication Create(string[] args, Action<IServiceCollection>? services = null)
    {
        var app = SolverHost.Create(args, o =>
        {
            o.ServiceName = "electrochem";
            o.Port = 5101;
        }, s =>
        {
            s.AddSingleton<ElectrochemService>();
            services?.Invoke(s);
        });
        app.MapRpcService(ElectrochemServiceBase.Bind(app.Services.GetRequiredService<ElectrochemService>()));
        return app;
    }
}
