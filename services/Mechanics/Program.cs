// Host of the Mechanics service: Kestrel over h2c on DIGITALTWIN_MECHANICS_PORT (default 5104), our RPC runtime.
using System.Net;
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Services.Mechanics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var builder = WebApplication.CreateSlimBuilder(args);
var port = int.TryParse(Environment.GetEnvironmentVariable("DIGITALTWIN_MECHANICS_PORT"), out var p) ? p : 5104;
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
builder.Services.AddRpcServer();
var app = builder.Build();
app.MapRpcService(MechanicsServiceBase.Bind(new MechanicsService()));
await app.RunAsync();
