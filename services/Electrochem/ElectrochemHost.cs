// Builds the Electrochem host from the shared solver defaults; tests start the same host on a loopback port.
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DigitalTwin.Services.Electrochem;

public static class ElectrochemHost
{
    public static WebApplication Create(string[] args)
    {
        var app = SolverHost.Create(args, o =>
        {
            o.ServiceName = "electrochem";
            o.Port = 5101;
        }, services => services.AddSingleton<ElectrochemService>());
        app.MapRpcService(ElectrochemServiceBase.Bind(app.Services.GetRequiredService<ElectrochemService>()));
        return app;
    }
}
