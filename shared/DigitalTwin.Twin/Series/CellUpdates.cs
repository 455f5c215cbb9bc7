// Tells watchers (TwinService.WatchCells) which cells changed; they read the state from the grain themselves, so a
// slow watcher coalesces updates of one cell instead of queueing stale states.
using System.Threading.Channels;

namespace DigitalTwin.Twin.Series;

/// <summary>
/// A cell whose state was written, with its lot for lot-wide watchers; <see cref="Electrode"/> names the electrode
/// ("positive", "negative") when only it changed (a DEM result), else null.
/// </summary>
public readonly record struct CellChanged(string CellId, string LotId, string? Electrode = null);

public sealed class CellUpdates
{
    private readonly Lock _gate = new();
    private readonly List<Channel<CellChanged>> _watchers = [];

    /// <summary>Called by a cell after its state write; never waits (a full watcher loses its oldest notices).</summary>
    public void Publish(CellChanged change)
    {
        lock (_gate)
        {
            foreach (var w in _watchers)
            {
                w.Writer.TryWrite(change);
            }
        }
    }

    /// <summary>A watcher's feed until <paramref name="cancellationToken"/> ends it.</summary>
    public ChannelReader<CellChanged> Watch(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<CellChanged>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _watchers.Add(channel);
        }

        cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }

            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }
}
