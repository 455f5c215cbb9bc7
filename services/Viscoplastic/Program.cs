// Host of the Viscoplastic service: Kestrel over h2c on DIGITALTWIN_VISCOPLASTIC_PORT (default 5105), our RPC runtime.
using System.Net;
using DigitalTwin.Contracts.Viscoplastic.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Services.Viscoplastic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var builder = WebApplication.CreateSlimBuilder(args);
var port = int.TryParse(Environment.GetEnvironmentVariable("DIGITALTWIN_VISCOPLASTIC_PORT"), out var p) ? p : 5105;
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
builder.Services.AddRpcServer();
var app = builder.Build();
app.MapRpcService(ViscoplasticServiceBase.Bind(new ViscoplasticService()));
await app.RunAsync();
