// Host of the DEM service: Kestrel HTTP/2 (h2c), the gRPC runtime, DemService, health and reflection.
using DigitalTwin.Contracts.Dem.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Services.Dem;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var builder = WebApplication.CreateSlimBuilder(args);
var port = builder.Configuration.GetValue("Dem:Port", 5106);
builder.WebHost.ConfigureKestrel(k => k.ListenAnyIP(port, o => o.Protocols = HttpProtocols.Http2));
builder.Services.AddRpcServer();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(new DemServiceOptions());
builder.Services.AddSingleton<StudyRegistry>();
builder.Services.AddSingleton<DemStudyService>();
var app = builder.Build();
app.MapRpcService(DemServiceBase.Bind(app.Services.GetRequiredService<DemStudyService>()));
app.MapRpcHealth();
app.MapRpcReflection();
app.Run();
