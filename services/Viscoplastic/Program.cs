// Host of the Viscoplastic service: the shared solver host (h2c on 127.0.0.1, health, reflection), port Rpc:Port (default 5105).
using DigitalTwin.Contracts.Viscoplastic.V1;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Services.Viscoplastic;

var app = SolverHost.Create(args, options =>
{
    options.ServiceName = "viscoplastic";
    options.Port = 5105;
});
app.MapRpcService(ViscoplasticServiceBase.Bind(new ViscoplasticService()));
await app.RunAsync();
