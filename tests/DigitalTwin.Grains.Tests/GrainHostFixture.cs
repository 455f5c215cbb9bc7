// Builds a local grain host over a given store and clock with the test grains registered.
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;

namespace DigitalTwin.Grains.Tests;

internal static class TestHost
{
    public static async Task<LocalGrainHost> StartAsync(IGrainStore store, Probe probe, TimeProvider? time = null, GrainHostOptions? options = null, RecordingLoggerFactory? logs = null)
    {
        var host = new LocalGrainHost(store, options, time, logs)
            .AddGrain<ICounterGrain, CounterGrain>(() => new CounterGrain(probe))
            .AddGrain<IRegisterGrain, RegisterGrain>(() => new RegisterGrain(probe))
            .AddGrain<IPingGrain, PingGrain>(() => new PingGrain(probe));
        await host.StartAsync().Within("grain host start");
        return host;
    }

    public static string TempDatabase() => Path.Combine(Directory.CreateTempSubdirectory("dt-grains-").FullName, "grains.db");
}
