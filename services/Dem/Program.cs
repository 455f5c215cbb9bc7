// Host of the DEM service: the shared solver host (h2c on 127.0.0.1, health, reflection), port Rpc:Port (default 5106),
// serving DemService with its study registry.
using DigitalTwin.Contracts.Dem.V1;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Services.Dem;
using Microsoft.Extensions.DependencyInjection;

var app = SolverHost.Create(args, options =>
{
    options.ServiceName = "dem";
    options.Port = 5106;
}, services =>
{
    services.AddSingleton(TimeProvider.System);
    services.AddSingleton(new DemServiceOptions());
    services.AddSingleton<StudyRegistry>();
    services.AddSingleton<DemStudyService>();
});
app.MapRpcService(DemServiceBase.Bind(app.Services.GetRequiredService<DemStudyService>()));
await app.RunAsync();
