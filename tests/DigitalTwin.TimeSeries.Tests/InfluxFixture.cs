// One real influxd shared by the InfluxDB tests that do not stop it (each test uses its own database).
using DigitalTwin.Testing;

namespace DigitalTwin.TimeSeries.Tests;

public sealed class InfluxFixture : IAsyncLifetime
{
    public InfluxDbServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await InfluxDbServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class InfluxCollection : ICollectionFixture<InfluxFixture>
{
    public const string Name = "influxd";
}
