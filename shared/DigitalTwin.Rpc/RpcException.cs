// The exception a failed call surfaces (client) or a handler throws to end a call with a status (server).
namespace DigitalTwin.Rpc;

/// <summary>A call ended with a non-OK status; carries the status and the trailers.</summary>
public sealed class RpcException : Exception
{
    public RpcException(Status status, Metadata? trailers = null)
        : this(status, trailers, status.ToString())
    {
    }

    public RpcException(Status status, Metadata? trailers, string message)
        : base(message)
    {
        Status = status;
        Trailers = trailers ?? new Metadata();
    }

    internal RpcException(Status status, Metadata? trailers, Exception? innerException)
        : base(status.ToString(), innerException)
    {
        Status = status;
        Trailers = trailers ?? new Metadata();
    }

    public Status Status { get; }

    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Trailers received with the status (client) or to send with it (server).</summary>
    public Metadata Trailers { get; }
}
