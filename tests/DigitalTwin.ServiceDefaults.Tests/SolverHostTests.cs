// The solver host defaults: the ~10-line Program.cs example, health and reflection mapped, the port and
// TLS options, settings validation and a graceful shutdown that lets in-flight calls finish.
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DigitalTwin.Example.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Rpc.Health;
using DigitalTwin.Rpc.Health.V1;
using DigitalTwin.Rpc.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = DigitalTwin.Rpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace DigitalTwin.ServiceDefaults.Tests;

public sealed class SolverHostTests
{
    /// <summary>What a service's Program.cs looks like with the defaults (port 0 here so tests never collide).</summary>
    private static WebApplication ExampleProgram(string[] args, X509Certificate2? certificate = null)
    {
        var app = SolverHost.Create(args, o =>
        {
            o.ServiceName = "example";
            o.Certificate = certificate;
            o.ShutdownTimeout = TimeSpan.FromSeconds(10);
        }, services => services.AddSingleton<ExampleService>());
        app.MapRpcService(ExampleService.Bind(app.Services.GetRequiredService<ExampleService>()));
        return app;
    }

    [Fact]
    public async Task Example_service_answers_with_health_and_reflection_mapped()
    {
        await using var app = ExampleProgram(["--Rpc:Port=0"]);
        await app.StartAsync().OrFail("host start");
        var address = Assert.Single(app.GetRpcAddresses());
        Assert.Equal("127.0.0.1", address.Host);
        Assert.NotEqual(0, address.Port);

        using var channel = RpcChannel.ForAddress(address);
        // Q = I·t = 2 A × 1800 s = 3600 C (exact in binary floating point).
        var reply = await new ExampleServiceClient(channel).ChargeAsync(new ChargeRequest { Current = 2, Duration = 1800 }).ResponseAsync.OrFail("Charge reply");
        Assert.Equal(3600.0, reply.Charge, 0.0);

        var invoker = channel.CreateCallInvoker();
        var health = await invoker.AsyncUnaryCall(RpcHealthService.CheckMethod, default, new HealthCheckRequest { Service = "digitaltwin.example.v1.ExampleService" })
            .ResponseAsync.OrFail("health check");
        Assert.Equal(ServingStatus.Serving, health.Status);

        var reflection = new Method<Rpc.Reflection.V1.ServerReflectionRequest, Rpc.Reflection.V1.ServerReflectionResponse>(
            MethodType.DuplexStreaming, "grpc.reflection.v1.ServerReflection", "ServerReflectionInfo",
            Rpc.Reflection.V1.ServerReflectionRequest.Parser, Rpc.Reflection.V1.ServerReflectionResponse.Parser);
        using var call = invoker.AsyncDuplexStreamingCall(reflection, default);
        await call.RequestStream.WriteAsync(new Rpc.Reflection.V1.ServerReflectionRequest { ListServices = string.Empty }).OrFail("reflection request");
        await call.RequestStream.CompleteAsync().OrFail("reflection request end");
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("reflection answer"));
        Assert.Contains("digitaltwin.example.v1.ExampleService", call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name));
        await app.StopAsync().OrFail("host stop");
    }

    [Fact]
    public async Task Tls_option_serves_h2_over_tls()
    {
        using var certificate = CreateCertificate();
        await using var app = ExampleProgram(["--Rpc:Port=0"], certificate);
        await app.StartAsync().OrFail("host start");
        var address = Assert.Single(app.GetRpcAddresses());
        Assert.Equal("https", address.Scheme);
        using var channel = RpcChannel.ForAddress(address, new RpcChannelOptions
        {
            ServerCertificateValidation = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString(),
        });
        var reply = await new ExampleServiceClient(channel).ChargeAsync(new ChargeRequest { Current = -1.5, Duration = 4 }).ResponseAsync.OrFail("Charge reply over TLS");
        Assert.Equal(-6.0, reply.Charge, 0.0); // Q = I·t = −1.5 A × 4 s (discharge)
        await app.StopAsync().OrFail("host stop");
    }

    [Fact]
    public async Task Graceful_shutdown_lets_in_flight_calls_finish_and_reports_not_serving()
    {
        await using var app = ExampleProgram(["--Rpc:Port=0"]);
        await app.StartAsync().OrFail("host start");
        using var channel = RpcChannel.ForAddress(app.GetRpcAddresses()[0]);
        var client = new ExampleServiceClient(channel);
        var service = app.Services.GetRequiredService<ExampleService>();
        using var held = client.ChargeAsync(new ChargeRequest { Current = 1, Duration = 10, Hold = true });
        await service.Held.OrFail("held call to reach the handler");
        var stopping = app.StopAsync();
        Assert.False(stopping.IsCompleted, "the host stopped while a call was still in flight");
        service.Release();
        var reply = await held.ResponseAsync.OrFail("held call to finish during shutdown");
        Assert.Equal(10.0, reply.Charge, 0.0); // Q = 1 A × 10 s
        await stopping.OrFail("host to finish stopping");
        Assert.True(app.Services.GetRequiredService<RpcHealthService>().TryGetStatus(string.Empty, out var status));
        Assert.Equal(ServingStatus.NotServing, status);
    }

    [Fact]
    public void Bad_settings_are_all_reported_at_once()
    {
        var error = Assert.Throws<ArgumentException>(() => SolverHost.Create(["--Rpc:Port=70000", "--Rpc:Address=localhost", "--Rpc:CertificatePath=/no/such.pfx"]));
        Assert.Contains("Rpc:Port must be 0-65535, got 70000", error.Message, StringComparison.Ordinal);
        Assert.Contains("Rpc:Address must be an IP address", error.Message, StringComparison.Ordinal);
        Assert.Contains("Rpc:CertificatePath '/no/such.pfx' does not exist", error.Message, StringComparison.Ordinal);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
