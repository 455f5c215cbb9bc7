// Settings of a solver service host; each can also come from configuration (section "Rpc") or the
// command line (--Rpc:Port=5101), which win over the code defaults.
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.ServiceDefaults;

public sealed class SolverHostOptions
{
    /// <summary>Configuration section holding Address, Port, CertificatePath and CertificatePassword.</summary>
    public const string SectionName = "Rpc";

    /// <summary>Name used in log lines, e.g. "electrochem".</summary>
    public string ServiceName { get; set; } = "solver";

    /// <summary>Address to listen on; loopback by default so nothing is exposed unless asked for.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (read it back with GetRpcAddresses after start).</summary>
    public int Port { get; set; } = 5000;

    /// <summary>Serve TLS (ALPN h2) with this certificate instead of h2c.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>PKCS#12 file to load the TLS certificate from, when Certificate is not set.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Time in-flight calls get to finish on shutdown.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public LogLevel MinimumLogLevel { get; set; } = LogLevel.Information;

    /// <summary>gRPC server settings (message limits, compression, error detail).</summary>
    public Action<DigitalTwin.Rpc.RpcServerOptions>? ConfigureRpc { get; set; }
}
