// Electrochem service entry point: the solver host with the Electrochem contract mapped (port from --Rpc:Port).
using DigitalTwin.Services.Electrochem;

await ElectrochemHost.Create(args).RunAsync();
