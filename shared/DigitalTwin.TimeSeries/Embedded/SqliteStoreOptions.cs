// Settings of the embedded store.
namespace DigitalTwin.TimeSeries.Embedded;

public sealed record SqliteStoreOptions
{
    /// <summary>Points held in the head (committed to the log) before they are written as chunks.</summary>
    public int CheckpointPoints { get; init; } = 500_000;

    /// <summary>Longest time points stay in the head before a write triggers a checkpoint.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Clock for the checkpoint interval (tests inject their own).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// A series bringing at least this many new points in one write has them written as a chunk directly
    /// (same transaction as the log row) instead of through the log and the head; 0 turns this off.
    /// </summary>
    public int DirectWritePoints { get; init; } = 2048;

    /// <summary>Largest raw chunk (points of one series per row); bigger writes are split.</summary>
    public int MaxChunkPoints { get; init; } = 4096;

    /// <summary>Chunks below this size are merged by <see cref="SqliteTimeSeriesStore.CompactAsync"/>.</summary>
    public int SmallChunkPoints { get; init; } = 512;

    /// <summary>A series is compacted once it has this many small chunks (raw, or rollup per level).</summary>
    public int CompactAfterSmallChunks { get; init; } = 16;

    /// <summary>synchronous=FULL (survives power loss) instead of NORMAL (survives a process crash).</summary>
    public bool SurvivePowerLoss { get; init; }

    /// <summary>Page cache of the writer connection, in KiB.</summary>
    public int CacheKiB { get; init; } = 65536;

    internal void Validate()
    {
        if (CheckpointPoints < 1 || CheckpointInterval <= TimeSpan.Zero || DirectWritePoints < 0)
        {
            throw new ArgumentException($"Invalid embedded store options: CheckpointPoints {CheckpointPoints} (≥ 1), CheckpointInterval {CheckpointInterval} (> 0), DirectWritePoints {DirectWritePoints} (≥ 0).");
        }

        if (MaxChunkPoints < 16 || SmallChunkPoints < 1 || SmallChunkPoints > MaxChunkPoints || CompactAfterSmallChunks < 2 || CacheKiB < 1024)
        {
            throw new ArgumentException(
                $"Invalid embedded store options: MaxChunkPoints {MaxChunkPoints} (≥ 16), SmallChunkPoints {SmallChunkPoints} (1..MaxChunkPoints), " +
                $"CompactAfterSmallChunks {CompactAfterSmallChunks} (≥ 2), CacheKiB {CacheKiB} (≥ 1024).");
        }
    }
}
