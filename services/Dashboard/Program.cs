// The dashboard host: built-in pages, REST query API, live updates, InfluxDB-compatible writes.
using DigitalTwin.Services.Dashboard;

var app = DashboardApp.Build(args);
await app.RunAsync();
