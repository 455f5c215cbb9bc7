// What a server handler knows about its call: method, peer, deadline, cancellation, metadata, status.
namespace DigitalTwin.Rpc;

public abstract class ServerCallContext
{
    /// <summary>The full method name, "/service/Name".</summary>
    public abstract string Method { get; }

    /// <summary>The caller, e.g. "ipv4:127.0.0.1:53012".</summary>
    public abstract string Peer { get; }

    /// <summary>The caller's deadline in UTC; DateTime.MaxValue when the caller set none.</summary>
    public abstract DateTime Deadline { get; }

    /// <summary>Cancelled when the caller cancels, the deadline passes or the connection drops.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Custom metadata the caller sent (transport headers excluded).</summary>
    public abstract Metadata RequestHeaders { get; }

    /// <summary>Trailers sent with the status when the handler returns.</summary>
    public abstract Metadata ResponseTrailers { get; }

    /// <summary>The status sent when the handler returns normally (OK unless set).</summary>
    public abstract Status Status { get; set; }

    /// <summary>Sends the response headers now; at most once, before the first response message.</summary>
    public abstract Task WriteResponseHeadersAsync(Metadata headers);
}
