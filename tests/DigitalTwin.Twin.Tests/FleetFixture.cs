// The services an end-to-end twin test talks to, each a real host on loopback: Ingest (durable log), Electrochem,
// Mechanics, Viscoplastic, and a line-protocol /write endpoint standing in for the Dashboard; samples to stream.
using System.Net;
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Contracts.Viscoplastic.V1;
using DigitalTwin.Estimation;
using DigitalTwin.Grains.Testing;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Services.Electrochem;
using DigitalTwin.Services.Ingest;
using DigitalTwin.Services.Mechanics;
using DigitalTwin.Services.Viscoplastic;
using DigitalTwin.TimeSeries.LineProtocol;
using DigitalTwin.TimeSeries.Points;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Proto = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Twin.Tests;

internal sealed class FleetFixture : IAsyncDisposable
{
    public const string IngestKey = "ingest-test-key";
    private readonly List<WebApplication> _apps = [];
    private readonly Dictionary<string, int> _points = new(StringComparer.Ordinal);

    public FleetFixture() => Directory = System.IO.Directory.CreateTempSubdirectory("dt-fleet-").FullName;

    public string Directory { get; }

    public Uri IngestAddress { get; private set; } = null!;

    public Uri ElectrochemAddress { get; private set; } = null!;

    public Uri MechanicsAddress { get; private set; } = null!;

    public Uri ViscoplasticAddress { get; private set; } = null!;

    public Uri SeriesUrl { get; private set; } = null!;

    public static CallOptions WithKey => new(new Metadata { { "x-api-key", IngestKey } });

    /// <summary>Points received on /write, per measurement [count].</summary>
    public IReadOnlyDictionary<string, int> Points
    {
        get
        {
            lock (_points)
            {
                return new Dictionary<string, int>(_points);
            }
        }
    }

    public static async Task<FleetFixture> StartAsync(bool solvers = true)
    {
        var fleet = new FleetFixture();
        var ingest = IngestHost.Build([], o =>
        {
            o.DataDirectory = Path.Combine(fleet.Directory, "ingest");
            o.ApiKeys = [IngestKey];
            o.GrpcPort = 0;
            o.HttpPort = 0;
        });
        fleet._apps.Add(ingest);
        await IngestHost.StartAsync(ingest, TextWriter.Null).Within("the Ingest service to start");
        fleet.IngestAddress = ingest.Services.GetRequiredService<IngestEndpoints>().GrpcAddress;
        if (solvers)
        {
            fleet.ElectrochemAddress = await fleet.StartSolverAsync(ElectrochemHost.Create(Quiet));
            var mechanics = SolverHost.Create(Quiet, o => o.ServiceName = "mechanics");
            mechanics.MapRpcService(MechanicsServiceBase.Bind(new MechanicsService()));
            fleet.MechanicsAddress = await fleet.StartSolverAsync(mechanics);
            var viscoplastic = SolverHost.Create(Quiet, o => o.ServiceName = "viscoplastic");
            viscoplastic.MapRpcService(ViscoplasticServiceBase.Bind(new ViscoplasticService()));
            fleet.ViscoplasticAddress = await fleet.StartSolverAsync(viscoplastic);
        }

        fleet.SeriesUrl = await fleet.StartSeriesEndpointAsync();
        return fleet;
    }

    private static string[] Quiet => ["--Rpc:Port=0", "--Rpc:MinimumLogLevel=Warning"];

    /// <summary>The Twin host's settings for these services, as `twin fleet` passes them.</summary>
    public string[] TwinArgs(string database, bool series = true)
    {
        var args = new List<string>
        {
            "--Rpc:Port=0", "--Rpc:MinimumLogLevel=Warning", $"--Twin:StorageConnectionString={database}",
            $"--Twin:IngestAddress={IngestAddress}", $"--Twin:IngestApiKey={IngestKey}",
        };
        if (ElectrochemAddress is not null)
        {
            args.AddRange([$"--Twin:ElectrochemAddress={ElectrochemAddress}", $"--Twin:MechanicsAddress={MechanicsAddress}", $"--Twin:ViscoplasticAddress={ViscoplasticAddress}"]);
        }

        if (series)
        {
            args.AddRange([$"--Twin:SeriesUrl={SeriesUrl}", "--Twin:SeriesApiKey=series-key", $"--Twin:SeriesBufferDirectory={Path.Combine(Directory, "series-" + Path.GetFileNameWithoutExtension(database))}"]);
        }

        return [.. args];
    }

    /// <summary>Streams samples into Ingest as a cycler bridge would, batch by batch, each acknowledged before the next.</summary>
    public async Task StreamAsync(string cellId, string sourceId, IReadOnlyList<CellSample> samples, int batchSize, TimeSpan pause = default)
    {
        using var channel = RpcChannel.ForAddress(IngestAddress);
        var client = new TelemetryServiceClient(channel);
        using var call = client.StreamSamples(WithKey);
        foreach (var chunk in samples.Chunk(batchSize))
        {
            await call.RequestStream.WriteAsync(new StreamSamplesRequest { Batch = ToBatch(cellId, sourceId, chunk) }).Within("a batch sent to Ingest");
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Within("Ingest's acknowledgement"));
            Assert.Equal(chunk[^1].Sequence, call.ResponseStream.Current.Ack.LastDurableSequence);
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause);
            }
        }

        await call.RequestStream.CompleteAsync();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).Within("the end of the Ingest stream"))
        {
        }
    }

    public static Proto.SampleBatch ToBatch(string cellId, string sourceId, IReadOnlyList<CellSample> samples)
    {
        var b = new Proto.SampleBatch { CellId = cellId, SourceId = sourceId };
        foreach (var s in samples)
        {
            b.Sequence.Add(s.Sequence);
            b.TimeUnixNs.Add(s.TimeUnixNs);
            b.TestTime.Add(s.TestTime);
            b.CycleIndex.Add((uint)s.Cycle);
            b.StepIndex.Add((uint)s.Step);
            b.StepType.Add((Proto.StepType)(int)s.StepKind);
            b.Current.Add(s.Current);
            b.Voltage.Add(s.Voltage);
            b.TemperatureDegc.Add(s.TemperatureC);
            b.ChargeCapacityAh.Add(s.ChargeCapacityAh);
            b.DischargeCapacityAh.Add(s.DischargeCapacityAh);
        }

        return b;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in Enumerable.Reverse(_apps))
        {
            await app.StopAsync().Within("a service to stop");
            await app.DisposeAsync();
        }
    }

    private async Task<Uri> StartSolverAsync(WebApplication app)
    {
        _apps.Add(app);
        await app.StartAsync().Within("a solver service to start");
        return new Uri(app.GetRpcAddresses()[0].ToString().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>An InfluxDB-v1-shaped POST /write that parses the line protocol and counts points per measurement.</summary>
    private async Task<Uri> StartSeriesEndpointAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? endpoint = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o =>
        {
            o.Protocols = HttpProtocols.Http1;
            endpoint = o;
        }));
        var app = builder.Build();
        app.MapPost("/write", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var batch = new PointBatch();
            new LineProtocolReader().Parse(body.ToArray(), batch, 1, 0, []);
            lock (_points)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var m = batch.Series(i).Measurement;
                    _points[m] = _points.GetValueOrDefault(m) + 1;
                }
            }

            return Results.NoContent();
        });
        _apps.Add(app);
        await app.StartAsync().Within("the series endpoint to start");
        return new Uri($"http://127.0.0.1:{endpoint!.IPEndPoint!.Port}");
    }
}
