// Host of the Mechanics service: the shared solver host (h2c on 127.0.0.1, health, reflection), port Rpc:Port (default 5104).
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Services.Mechanics;

var app = SolverHost.Create(args, options =>
{
    options.ServiceName = "mechanics";
    options.Port = 5104;
});
app.MapRpcService(MechanicsServiceBase.Bind(new MechanicsService()));
await app.RunAsync();
