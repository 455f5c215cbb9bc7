// grpc.health.v1.Health: Check for the server and each service, NOT_FOUND for unknown ones, and Watch
// streaming the current status then every change, ending on shutdown.
using DigitalTwin.Rpc.Health;
using DigitalTwin.Rpc.Health.V1;
using DigitalTwin.Rpc.Tests.Support;
using ServingStatus = DigitalTwin.Rpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace DigitalTwin.Rpc.Tests;

public sealed class HealthTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private sealed class HealthClient(RpcChannel channel) : ClientBase(channel)
    {
        public AsyncUnaryCall<HealthCheckResponse> CheckAsync(string service) =>
            CallInvoker.AsyncUnaryCall(RpcHealthService.CheckMethod, default, new HealthCheckRequest { Service = service });

        public AsyncServerStreamingCall<HealthCheckResponse> Watch(string service, CancellationToken cancellationToken = default) =>
            CallInvoker.AsyncServerStreamingCall(RpcHealthService.WatchMethod, new CallOptions(CancellationToken: cancellationToken), new HealthCheckRequest { Service = service });
    }

    [Fact]
    public async Task Server_and_mapped_services_are_serving()
    {
        var client = new HealthClient(fixture.Channel);
        Assert.Equal(ServingStatus.Serving, (await client.CheckAsync(string.Empty).ResponseAsync.OrFail("server health")).Status);
        Assert.Equal(ServingStatus.Serving, (await client.CheckAsync(InteropServiceMethods.ServiceName).ResponseAsync.OrFail("service health")).Status);
    }

    [Fact]
    public async Task Unknown_service_is_not_found()
    {
        var error = await new HealthClient(fixture.Channel).CheckAsync("no.such.Service").ResponseAsync.RpcFailure("health of an unknown service");
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Watch_sends_the_current_status_then_each_change()
    {
        var health = fixture.Host.GetService<RpcHealthService>();
        var service = "digitaltwin.testing.v1.Watched" + Guid.NewGuid().ToString("N");
        using var cts = new CancellationTokenSource();
        using var watch = new HealthClient(fixture.Channel).Watch(service, cts.Token);
        var stream = watch.ResponseStream;
        Assert.True(await stream.MoveNext(CancellationToken.None).OrFail("initial status"));
        Assert.Equal(ServingStatus.ServiceUnknown, stream.Current.Status);

        health.SetStatus(service, ServingStatus.Serving);
        Assert.True(await stream.MoveNext(CancellationToken.None).OrFail("SERVING"));
        Assert.Equal(ServingStatus.Serving, stream.Current.Status);

        health.SetStatus(service, ServingStatus.NotServing);
        Assert.True(await stream.MoveNext(CancellationToken.None).OrFail("NOT_SERVING"));
        Assert.Equal(ServingStatus.NotServing, stream.Current.Status);
        var check = await new HealthClient(fixture.Channel).CheckAsync(service).ResponseAsync.OrFail("Check agrees with Watch");
        Assert.Equal(ServingStatus.NotServing, check.Status);

        health.ClearStatus(service);
        Assert.True(await stream.MoveNext(CancellationToken.None).OrFail("SERVICE_UNKNOWN after clearing"));
        Assert.Equal(ServingStatus.ServiceUnknown, stream.Current.Status);
        cts.Cancel();
    }

    [Fact]
    public async Task Shutdown_reports_not_serving_and_ends_watches()
    {
        await using var host = await TestHost.StartAsync();
        using var channel = host.CreateChannel();
        using var watch = new HealthClient(channel).Watch(string.Empty);
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None).OrFail("initial status"));
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);

        host.GetService<RpcHealthService>().Shutdown();
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None).OrFail("NOT_SERVING on shutdown"));
        Assert.Equal(ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        Assert.False(await watch.ResponseStream.MoveNext(CancellationToken.None).OrFail("watch ends on shutdown"));
        Assert.Equal(ServingStatus.NotServing, (await new HealthClient(channel).CheckAsync(InteropServiceMethods.ServiceName).ResponseAsync.OrFail("check after shutdown")).Status);
    }
}
