// Settings of the local grain host: idle collection, call deadlines, deactivation budget, state serialization.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DigitalTwin.Grains.Hosting;

/// <summary>When a grain's state write becomes durable.</summary>
public enum StateWriteMode
{
    /// <summary>The write completes once it is in the store.</summary>
    WriteThrough,

    /// <summary>The write is staged; the host flushes staged states periodically, in batches, as consistent groups.</summary>
    WriteBehind,
}

/// <summary>Configuration of a <see cref="LocalGrainHost"/> (<c>Twin:Grains</c> in a host's settings).</summary>
public sealed record GrainHostOptions
{
    /// <summary>An activation that received no call for this long is deactivated (its state written first).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionPeriod { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A call not completed within this time fails for its caller with <see cref="GrainCallTimeoutException"/>.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A call to an idle activation runs its turn on the caller's thread (no thread-pool hop; a synchronous grain
    /// method completes the caller's ValueTask at once). Off, every turn is dispatched to the thread pool.
    /// </summary>
    public bool RunIdleCallsInline { get; init; } = true;

    /// <summary>
    /// How grain state writes reach the store. <see cref="StateWriteMode.WriteThrough"/> (default): a write completes
    /// when it is durable. <see cref="StateWriteMode.WriteBehind"/>: a write completes at once and the latest state of
    /// every grain is flushed every <see cref="WriteBehindPeriod"/> in one transaction — for hosts whose inputs are
    /// replayable from a durable log, so what a crash loses since the last flush is re-applied from the log.
    /// </summary>
    public StateWriteMode StateWrites { get; init; } = StateWriteMode.WriteThrough;

    /// <summary>Time between write-behind flushes (the most a crash can roll grain state back).</summary>
    public TimeSpan WriteBehindPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Budget for one activation's deactivation (its hook and its final state write).</summary>
    public TimeSpan DeactivationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How persisted state records are turned into JSON; NaN and infinities are allowed (unknown values).</summary>
    public JsonSerializerOptions StateSerializerOptions { get; init; } = DefaultSerializerOptions;

    /// <summary>The default state serialization: property names as declared, named floating-point literals allowed.</summary>
    public static JsonSerializerOptions DefaultSerializerOptions { get; } = new(JsonSerializerDefaults.General)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    internal void Validate()
    {
        var problems = new List<string>();
        if (IdleTimeout <= TimeSpan.Zero)
        {
            problems.Add($"IdleTimeout must be positive (was {IdleTimeout})");
        }

        if (CollectionPeriod <= TimeSpan.Zero)
        {
            problems.Add($"CollectionPeriod must be positive (was {CollectionPeriod})");
        }

        if (CallTimeout <= TimeSpan.Zero)
        {
            problems.Add($"CallTimeout must be positive (was {CallTimeout})");
        }

        if (WriteBehindPeriod <= TimeSpan.Zero)
        {
            problems.Add($"WriteBehindPeriod must be positive (was {WriteBehindPeriod})");
        }

        if (DeactivationTimeout <= TimeSpan.Zero)
        {
            problems.Add($"DeactivationTimeout must be positive (was {DeactivationTimeout})");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid grain host options: {string.Join("; ", problems)}.");
        }
    }
}
