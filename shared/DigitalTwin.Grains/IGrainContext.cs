// The inbound half of the hosting seam: everything a grain instance may ask of whichever host activated it.
namespace DigitalTwin.Grains;

/// <summary>Why an activation is ending.</summary>
public enum DeactivationReason
{
    /// <summary>No call arrived within the host's idle timeout.</summary>
    IdleTimeout,

    /// <summary>The grain asked for it with <c>DeactivateOnIdle</c>.</summary>
    Requested,

    /// <summary>The host is stopping.</summary>
    HostShutdown,
}

/// <summary>
/// What a host provides to one activation. The local host implements it over its mailbox, storage and reminder
/// table; a Dapr actor host implements it over the sidecar's state and reminder APIs. Grain classes only see this.
/// </summary>
public interface IGrainContext
{
    GrainId Id { get; }

    /// <summary>References to other grains (grain-to-grain calls).</summary>
    IGrainFactory GrainFactory { get; }

    /// <summary>The host's clock; grains never read the system clock directly.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>Reads this grain's persisted state; null when nothing was ever written (or it was cleared).</summary>
    ValueTask<(TState? State, string? ETag)> ReadStateAsync<TState>(CancellationToken cancellationToken)
        where TState : class;

    /// <summary>Writes this grain's state if the stored version is still <paramref name="etag"/>; returns the new version.</summary>
    ValueTask<string> WriteStateAsync<TState>(TState state, string? etag, CancellationToken cancellationToken)
        where TState : class;

    /// <summary>Removes this grain's persisted state if the stored version is still <paramref name="etag"/>.</summary>
    ValueTask ClearStateAsync(string? etag, CancellationToken cancellationToken);

    /// <summary>A volatile timer whose ticks run as turns of this activation (skipped while one is still running).</summary>
    IDisposable RegisterTimer(Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period);

    /// <summary>A durable reminder for this grain, kept by the host across deactivations and restarts.</summary>
    ValueTask RegisterOrUpdateReminderAsync(string reminderName, TimeSpan dueTime, TimeSpan period);

    ValueTask UnregisterReminderAsync(string reminderName);

    /// <summary>Ends the activation once the current turn completes.</summary>
    void DeactivateOnIdle();
}

/// <summary>How hosts drive a grain instance through its life; grain classes do not see it (explicit implementation).</summary>
public interface IGrainLifecycle
{
    void Attach(IGrainContext context);

    ValueTask ActivateAsync(CancellationToken cancellationToken);

    ValueTask DeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken);
}
