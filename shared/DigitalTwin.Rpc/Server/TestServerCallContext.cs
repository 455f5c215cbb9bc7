// A ServerCallContext for unit tests of service implementations: call a handler directly, then inspect
// the status, response headers and trailers it set.
namespace DigitalTwin.Rpc;

public sealed class TestServerCallContext : ServerCallContext
{
    private readonly Metadata _requestHeaders;
    private readonly Metadata _responseTrailers = new();
    private readonly string _method;
    private readonly DateTime _deadline;
    private readonly CancellationToken _cancellationToken;
    private Status _status = Status.DefaultSuccess;

    private TestServerCallContext(string method, DateTime deadline, Metadata requestHeaders, CancellationToken cancellationToken)
    {
        _method = method;
        _deadline = deadline;
        _requestHeaders = requestHeaders;
        _cancellationToken = cancellationToken;
    }

    public override string Method => _method;

    public override string Peer => "test";

    public override DateTime Deadline => _deadline;

    public override CancellationToken CancellationToken => _cancellationToken;

    public override Metadata RequestHeaders => _requestHeaders;

    public override Metadata ResponseTrailers => _responseTrailers;

    public override Status Status
    {
        get => _status;
        set => _status = value;
    }

    /// <summary>The headers the handler sent with WriteResponseHeadersAsync, or null.</summary>
    public Metadata? ResponseHeaders { get; private set; }

    public static TestServerCallContext Create(
        string method = "/test.Service/Method",
        DateTime? deadline = null,
        Metadata? requestHeaders = null,
        CancellationToken cancellationToken = default) =>
        new(method, deadline ?? DateTime.MaxValue, requestHeaders ?? new Metadata(), cancellationToken);

    public override Task WriteResponseHeadersAsync(Metadata headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (ResponseHeaders is not null)
        {
            throw new InvalidOperationException("Response headers can only be sent once per call.");
        }

        ResponseHeaders = headers;
        return Task.CompletedTask;
    }
}
