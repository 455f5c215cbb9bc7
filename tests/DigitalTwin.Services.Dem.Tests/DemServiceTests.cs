// The DEM service on a loopback Kestrel host through DemServiceClient: submit, watch to the end, fetch
// stage results and particles, transport on a finished stage, cancel, and refusal of bad input.
using System.Net;
using DigitalTwin.Contracts.Dem.V1;
using CompactionOptions = DigitalTwin.Physics.Dem.Studies.CompactionOptions;
using DigitalTwin.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Services.Dem.Tests;

public sealed class DemServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private WebApplication? _app;
    private RpcChannel? _channel;

    private DemServiceClient Client => new(_channel ?? throw new InvalidOperationException("The host did not start."));

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? endpoint = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o =>
        {
            o.Protocols = HttpProtocols.Http2;
            endpoint = o;
        }));
        builder.Services.AddRpcServer();
        builder.Services.AddSingleton(TimeProvider.System);
        // short chunks so a small study finishes in seconds; the protocol is the deck's
        builder.Services.AddSingleton(new DemServiceOptions { Compaction = new CompactionOptions { Chunk = 1000, MaxChunksU = 400, ToleranceU = 0.01 }, ParticleChunk = 64 });
        builder.Services.AddSingleton<StudyRegistry>();
        builder.Services.AddSingleton<DemStudyService>();
        _app = builder.Build();
        _app.MapRpcService(DemServiceBase.Bind(_app.Services.GetRequiredService<DemStudyService>()));
        await Within(_app.StartAsync(), "the loopback host to start");
        _channel = RpcChannel.ForAddress($"http://127.0.0.1:{endpoint!.IPEndPoint!.Port}");
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            _app.Services.GetRequiredService<StudyRegistry>().Dispose();
            await Within(_app.StopAsync(), "the loopback host to stop");
            await _app.DisposeAsync();
        }
    }

    private static StudySpec SmallCompaction(double pressure, params CompactionStage[] stages)
    {
        var am = new Material { YoungsModulus = 140e9, PoissonRatio = 0.3, Density = 4750, Restitution = 0.5, Friction = 0.4 };
        var se = new Material { YoungsModulus = 22e9, PoissonRatio = 0.3, Density = 1640, Restitution = 0.5, Friction = 0.4 };
        var c = new CompactionStudy
        {
            WallMaterial = new Material { YoungsModulus = 210e9, PoissonRatio = 0.3, Density = 7800, Restitution = 0.5, Friction = 0.4 },
            Generate = new GeneratedPacking { ParticleCount = 200, LateralSize = 30e-6, InitialSolidFraction = 0.4 },
            ContactModel = new ContactModel { Normal = "hertz", Damping = "restitution", Tangential = "mindlin_history", Cohesion = "none", Rolling = "none" },
            TimeStep = 2e-10,
        };
        c.ParticleTypes.Add(new ParticleType { Name = "AM", Material = am, MinRadius = 1.5e-6, MaxRadius = 5e-6, MassFraction = 0.733, ActiveMaterial = true });
        c.ParticleTypes.Add(new ParticleType { Name = "SE", Material = se, MinRadius = 3e-6, MaxRadius = 6.5e-6, MassFraction = 0.267 });
        c.Stages.Add(stages.Length > 0 ? stages : [new CompactionStage { Name = "U", Uniaxial = new UniaxialPressing { TargetPressure = pressure, MaxPlateSpeed = 5 } }]);
        return new StudySpec { Compaction = c, Seed = 3, Threads = 1, Label = "test" };
    }

    [Fact]
    public async Task CompactionRunsToTheEndAndServesStageResultsParticlesAndTransport()
    {
        var submitted = await Within(Client.SubmitStudyAsync(new SubmitStudyRequest { Spec = SmallCompaction(30e6), RequestId = "r1" }).ResponseAsync, "the submission");
        Assert.Contains(submitted.State, new[] { StudyState.Queued, StudyState.Running });
        var again = await Within(Client.SubmitStudyAsync(new SubmitStudyRequest { Spec = SmallCompaction(30e6), RequestId = "r1" }).ResponseAsync, "the repeated submission");
        Assert.Equal(submitted.StudyId, again.StudyId);

        var states = await WatchToEnd(submitted.StudyId);
        Assert.Equal(StudyState.Succeeded, states[^1]);

        var result = (await Within(Client.GetStageResultAsync(new GetStageResultRequest { StudyId = submitted.StudyId, StageIndex = 0 }).ResponseAsync, "the stage result")).Result;
        var packing = result.Packing;
        Assert.InRange(packing.SolidFraction, 0.5, 0.75);
        Assert.True(Math.Abs(packing.PlatePressure / 30e6 - 1) < 0.01, $"plate pressure {packing.PlatePressure}");
        // static identity at rest (seed 004 §2.6), 2 %
        Assert.True(Math.Abs(packing.StaticIdentityRatio - 1) < 0.02, $"identity {packing.StaticIdentityRatio}");
        Assert.Equal(4, packing.TypeStresses.Count);
        Assert.Contains(packing.Contacts, c => c.TypeA == 0 && c.TypeB == 1 && c.Contacts > 0);

        using var stream = Client.StreamParticles(new StreamParticlesRequest
        {
            StudyId = submitted.StudyId, StageIndex = 0, Fields = { ParticleField.Position, ParticleField.StressLoveWeber, ParticleField.Coordination },
        });
        var ids = new List<ulong>();
        var zz = 0.0;
        while (await Within(stream.ResponseStream.MoveNext(CancellationToken.None), "the next particle chunk"))
        {
            var chunk = stream.ResponseStream.Current.Chunk;
            Assert.Equal(3 * chunk.Id.Count, chunk.Position.Count);
            Assert.Equal(6 * chunk.Id.Count, chunk.StressLoveWeber.Count);
            ids.AddRange(chunk.Id);
            zz += chunk.StressLoveWeber.Where((_, k) => k % 6 == 2).Sum();
        }

        Assert.Equal(200, ids.Distinct().Count());
        Assert.True(zz > 0, "compressive-positive stresses");

        var transport = await Within(Client.SubmitStudyAsync(new SubmitStudyRequest
        {
            Spec = new StudySpec { Transport = new TransportStudy { Stage = new StageRef { StudyId = submitted.StudyId, StageIndex = 0 }, VoxelSize = 1e-6, ActiveMaterialConductivity = 10, ElectrolyteDiffusivity = 1e-12 } },
        }).ResponseAsync, "the transport submission");
        Assert.Equal(StudyState.Succeeded, (await WatchToEnd(transport.StudyId))[^1]);
        var t = (await Within(Client.GetStageResultAsync(new GetStageResultRequest { StudyId = transport.StudyId }).ResponseAsync, "the transport result")).Result.Transport;
        Assert.InRange(t.ActiveMaterial.EffectiveRatio, 1e-4, t.ActiveMaterial.VolumeFraction);
        Assert.Equal(10 * t.ActiveMaterial.EffectiveRatio, t.EffectiveConductivity, 12);
    }

    [Fact]
    public async Task BadInputIsRefusedWithEveryProblem()
    {
        var spec = SmallCompaction(30e6);
        spec.Compaction.ContactModel.Cohesion = "jkr";
        spec.Compaction.ParticleTypes[1].Material.YoungsModulus = -5;
        spec.Compaction.TimeStep = 5e-9;
        var e = await Assert.ThrowsAsync<RpcException>(() => Within(Client.SubmitStudyAsync(new SubmitStudyRequest { Spec = spec }).ResponseAsync, "the refusal"));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("contact_model.Cohesion = 'jkr'", e.Status.Detail);
        Assert.Contains("YoungsModulus", e.Status.Detail);
    }

    [Fact]
    public async Task CancelStopsARunningStudy()
    {
        var spec = SmallCompaction(30e6, new CompactionStage { Name = "U", Uniaxial = new UniaxialPressing { TargetPressure = 30e6 } },
            new CompactionStage { Name = "I", Isostatic = new IsostaticPressing { Pressure = 1e6 } },
            new CompactionStage { Name = "cycles", Swelling = new SwellingCycles { Cycles = 50, DiameterStrain = 0.06 } });
        var submitted = await Within(Client.SubmitStudyAsync(new SubmitStudyRequest { Spec = spec }).ResponseAsync, "the submission");
        using var watch = Client.WatchStudy(new WatchStudyRequest { StudyId = submitted.StudyId });
        while (await Within(watch.ResponseStream.MoveNext(CancellationToken.None), "a running report"))
        {
            if (watch.ResponseStream.Current.State == StudyState.Running)
            {
                break;
            }
        }

        await Within(Client.CancelStudyAsync(new CancelStudyRequest { StudyId = submitted.StudyId }).ResponseAsync, "the cancel");
        Assert.Equal(StudyState.Cancelled, (await WatchToEnd(submitted.StudyId))[^1]);
        var info = (await Within(Client.GetStudyAsync(new GetStudyRequest { StudyId = submitted.StudyId }).ResponseAsync, "the study")).Study;
        Assert.Equal(StudyState.Cancelled, info.State);
        var list = await Within(Client.ListStudiesAsync(new ListStudiesRequest { State = StudyState.Cancelled }).ResponseAsync, "the list");
        Assert.Contains(list.Studies, s => s.StudyId == submitted.StudyId);
    }

    private async Task<List<StudyState>> WatchToEnd(string id)
    {
        using var call = Client.WatchStudy(new WatchStudyRequest { StudyId = id });
        var states = new List<StudyState>();
        while (await Within(call.ResponseStream.MoveNext(CancellationToken.None), $"a progress report of {id}"))
        {
            states.Add(call.ResponseStream.Current.State);
        }

        return states;
    }

    private static async Task<T> Within<T>(Task<T> task, string what) =>
        await task.WaitAsync(Timeout).ConfigureAwait(false) is var r ? r : throw new TimeoutException($"timed out waiting for {what}");

    private static async Task Within(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out waiting for {what}");
        }
    }
}
