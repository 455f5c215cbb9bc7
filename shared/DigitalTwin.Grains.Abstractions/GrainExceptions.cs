// Errors the grain runtime surfaces to callers.
namespace DigitalTwin.Grains;

/// <summary>A grain call did not complete within its deadline; the caller sees this, the grain may still be running.</summary>
public sealed class GrainCallTimeoutException(GrainId grain, string method, TimeSpan timeout)
    : TimeoutException($"Call {method} on grain {grain} did not complete within {timeout.TotalMilliseconds:0} ms.")
{
    public GrainId Grain { get; } = grain;

    public string Method { get; } = method;

    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>Persisted state changed under the grain (another writer): the write is refused, nothing is overwritten.</summary>
public sealed class InconsistentStateException(GrainId grain, string? expectedETag, string? storedETag)
    : Exception($"State of grain {grain} was changed by another writer: expected version {expectedETag ?? "<none>"}, stored {storedETag ?? "<none>"}.")
{
    public GrainId Grain { get; } = grain;

    public string? ExpectedETag { get; } = expectedETag;

    public string? StoredETag { get; } = storedETag;
}

/// <summary>The grain could not be activated (state could not be read, or its activation code threw).</summary>
public sealed class GrainActivationException(GrainId grain, Exception inner)
    : Exception($"Grain {grain} could not be activated: {inner.Message}", inner)
{
    public GrainId Grain { get; } = grain;
}
