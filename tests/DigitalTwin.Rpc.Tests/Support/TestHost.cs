// A real Kestrel host on 127.0.0.1 with dynamic ports serving the interop service, health and reflection;
// h2c always, TLS (self-signed, ALPN h2) and an HTTP/1.1-only endpoint on request. Logs are captured.
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Rpc.Tests.Support;

public sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(WebApplication app, InteropServiceImpl service, LogCapture logs, Uri address, Uri? tlsAddress, Uri? http1Address, X509Certificate2? certificate)
    {
        _app = app;
        Service = service;
        Logs = logs;
        Address = address;
        TlsAddress = tlsAddress;
        Http1Address = http1Address;
        Certificate = certificate;
    }

    public InteropServiceImpl Service { get; }

    public LogCapture Logs { get; }

    /// <summary>h2c (prior knowledge) endpoint.</summary>
    public Uri Address { get; }

    public Uri? TlsAddress { get; }

    public Uri? Http1Address { get; }

    public X509Certificate2? Certificate { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestHost> StartAsync(Action<RpcServerOptions>? configure = null, bool tls = false, bool http1 = false)
    {
        var logs = new LogCapture();
        var service = new InteropServiceImpl();
        var certificate = tls ? CreateCertificate() : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        ListenOptions? h2c = null, secure = null, plain = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, 0, o =>
            {
                o.Protocols = HttpProtocols.Http2;
                h2c = o;
            });
            if (certificate is not null)
            {
                kestrel.Listen(IPAddress.Loopback, 0, o =>
                {
                    o.Protocols = HttpProtocols.Http2;
                    o.UseHttps(certificate);
                    secure = o;
                });
            }

            if (http1)
            {
                kestrel.Listen(IPAddress.Loopback, 0, o =>
                {
                    o.Protocols = HttpProtocols.Http1;
                    plain = o;
                });
            }
        });
        builder.Services.AddRpcServer(configure);
        var app = builder.Build();
        app.MapRpcService(service.Bind());
        app.MapRpcHealth();
        app.MapRpcReflection();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new TestHost(
            app,
            service,
            logs,
            new Uri($"http://127.0.0.1:{h2c!.IPEndPoint!.Port}"),
            secure is null ? null : new Uri($"https://127.0.0.1:{secure.IPEndPoint!.Port}"),
            plain is null ? null : new Uri($"http://127.0.0.1:{plain.IPEndPoint!.Port}"),
            certificate);
    }

    public RpcChannel CreateChannel(RpcChannelOptions? options = null) => RpcChannel.ForAddress(Address, options);

    public InteropServiceClient CreateClient(RpcChannelOptions? options = null) => new(CreateChannel(options));

    public T GetService<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        Certificate?.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
