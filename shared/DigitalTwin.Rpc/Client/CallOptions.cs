// Per-call options: request metadata, deadline, cancellation and (optional) request compression.
namespace DigitalTwin.Rpc;

public readonly record struct CallOptions(Metadata? Headers = null, DateTime? Deadline = null, CancellationToken CancellationToken = default)
{
    /// <summary>"gzip" or "deflate" to compress this call's request messages; null uses the channel default.</summary>
    public string? RequestCompression { get; init; }

    public CallOptions WithHeaders(Metadata? headers) => this with { Headers = headers };

    public CallOptions WithDeadline(DateTime? deadline) => this with { Deadline = deadline };

    public CallOptions WithCancellationToken(CancellationToken cancellationToken) => this with { CancellationToken = cancellationToken };
}
