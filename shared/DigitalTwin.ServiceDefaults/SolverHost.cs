// One call sets up a solver service host: Kestrel on 127.0.0.1 (configurable port) speaking gRPC over
// h2c or TLS, console logging, the gRPC runtime with health and reflection mapped, graceful shutdown.
using System.Net;
using System.Security.Cryptography.X509Certificates;
using DigitalTwin.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.ServiceDefaults;

public static class SolverHost
{
    /// <summary>
    /// Builds a host ready to map services on: health (grpc.health.v1) and reflection are already mapped.
    /// Call MapRpcService for each service, then RunAsync.
    /// </summary>
    public static WebApplication Create(string[] args, Action<SolverHostOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var options = new SolverHostOptions();
        configure?.Invoke(options);
        builder.Configuration.GetSection(SolverHostOptions.SectionName).Bind(options);
        Validate(options);

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.SetMinimumLevel(options.MinimumLogLevel);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

        var certificate = options.Certificate ?? LoadCertificate(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Larger HTTP/2 windows keep multi-MiB messages flowing without waiting on WINDOW_UPDATEs.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(60);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(30);
            kestrel.Listen(IPAddress.Parse(options.Address), options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });

        builder.Services.AddRpcServer(options.ConfigureRpc);
        builder.Services.AddSingleton(options);
        builder.Services.AddParentExitWatch();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapRpcHealth();
        app.MapRpcReflection();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DigitalTwin.ServiceDefaults");
        app.Lifetime.ApplicationStarted.Register(() =>
            logger.LogInformation("{Service} serving gRPC on {Addresses}", options.ServiceName, string.Join(", ", app.GetRpcAddresses())));
        app.Lifetime.ApplicationStopping.Register(() =>
            logger.LogInformation("{Service} stopping: health is NOT_SERVING, in-flight calls get {Timeout} s", options.ServiceName, options.ShutdownTimeout.TotalSeconds));
        return app;
    }

    /// <summary>The addresses the host listens on once started (with the real port when 0 was asked for).</summary>
    public static IReadOnlyList<Uri> GetRpcAddresses(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a => new Uri(a)).ToArray();
    }

    private static void Validate(SolverHostOptions options)
    {
        var problems = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            problems.Add($"Rpc:Port must be 0-65535, got {options.Port}.");
        }

        if (!IPAddress.TryParse(options.Address, out _))
        {
            problems.Add($"Rpc:Address must be an IP address such as 127.0.0.1, got '{options.Address}'.");
        }

        if (options.CertificatePath is { Length: > 0 } path && !File.Exists(path))
        {
            problems.Add($"Rpc:CertificatePath '{path}' does not exist.");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            problems.Add($"ShutdownTimeout must not be negative, got {options.ShutdownTimeout}.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid solver host settings for {options.ServiceName}:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}");
        }
    }

    private static X509Certificate2? LoadCertificate(SolverHostOptions options) =>
        options.CertificatePath is { Length: > 0 } path
            ? X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword)
            : null;
}
