// Builds twin hosts for the tests: grains on a local host over a given store, with the given solvers.
using DigitalTwin.Estimation;
using DigitalTwin.Estimation.Design;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;
using DigitalTwin.Twin.Grains;
using DigitalTwin.Twin.Solvers;

namespace DigitalTwin.Twin.Tests;

internal static class TwinFixture
{
    /// <summary>The arbin_example.csv cell: a 1.1 A.h LFP 18650 (A123 APR18650M1A class, as in the BEEP data), ParticleClasses as a single class.</summary>
    public static CellDesign ArbinCell(string parameterSet = "Marquis2019") => new(
        "LFP | graphite", CellConfiguration.FullCell, parameterSet, 1.1, 2.0, 3.6, ElectrolyteKind.Liquid,
        new ElectrodeDesign("graphite", double.NaN, double.NaN, double.NaN, [new("d50", 5e-6, 1)], "PVdF", double.NaN),
        new ElectrodeDesign("LFP", double.NaN, double.NaN, double.NaN, [new("d50", 5e-7, 1)], "PVdF", double.NaN),
        double.NaN, double.NaN);

    public static CellRegistration Registration(CellDesign design) => new("lot-1", design, new Dictionary<string, string>(), 0);

    public static async Task<LocalGrainHost> StartAsync(IGrainStore store, SolverSet? solvers = null, TwinOptions? options = null, RecordingLoggerFactory? logs = null)
    {
        var host = new LocalGrainHost(store, new GrainHostOptions(), TimeProvider.System, logs).AddTwinGrains(new TwinServices(solvers ?? SolverSet.None, options ?? new TwinOptions()));
        await host.StartAsync().Within("twin host start");
        return host;
    }

    public static async Task<IGrainStore> SqliteAsync(string? path = null)
    {
        var store = new SqliteGrainStore(path ?? Path.Combine(Directory.CreateTempSubdirectory("dt-twin-").FullName, "twin.db"));
        await store.InitializeAsync(default);
        return store;
    }

    public static IEnumerable<TelemetryBatch> Batches(IReadOnlyList<CellSample> samples, string source, int size) =>
        samples.Chunk(size).Select(chunk => new TelemetryBatch(source, chunk));
}
