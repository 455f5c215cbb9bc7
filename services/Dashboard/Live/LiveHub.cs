// Fan-out of new points to browsers (server-sent events), batched the STYLE §4 way: writes only
// append to a pending list; one flush per LiveInterval builds each subscriber's message (all
// points of its cell, or the newest point per series for fleet-wide views); slow subscribers
// drop their oldest messages instead of holding the writer.
using System.Text.Json;
using System.Threading.Channels;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.Services.Dashboard.Live;

public sealed class LiveHub : IAsyncDisposable
{
    private const int MaxPendingPoints = 50_000;
    private readonly Lock _lock = new();
    private readonly List<Subscriber> _subscribers = [];
    private readonly ITimer _timer;
    private List<LivePoint> _pending = [];
    private long _dropped;
    private long _sequence;

    public LiveHub(TimeProvider time, TimeSpan interval)
    {
        _timer = time.CreateTimer(_ => Flush(), null, interval, interval);
    }

    public int Subscribers
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Called after every successful write with the points written.</summary>
    public void Publish(PointBatch batch)
    {
        lock (_lock)
        {
            if (_subscribers.Count == 0)
            {
                return;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                if (_pending.Count >= MaxPendingPoints)
                {
                    _dropped += batch.Count - i;
                    break;
                }

                _pending.Add(LivePoint.From(batch, i));
            }
        }
    }

    public Subscriber Subscribe(string? cell, IReadOnlySet<string> measurements)
    {
        var subscriber = new Subscriber(cell, measurements);
        lock (_lock)
        {
            _subscribers.Add(subscriber);
        }

        return subscriber;
    }

    public void Unsubscribe(Subscriber subscriber)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscriber);
        }

        subscriber.Messages.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync();
        lock (_lock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Messages.Writer.TryComplete();
            }

            _subscribers.Clear();
        }
    }

    private void Flush()
    {
        List<LivePoint> points;
        Subscriber[] subscribers;
        long dropped;
        lock (_lock)
        {
            if (_pending.Count == 0 && _dropped == 0)
            {
                return;
            }

            points = _pending;
            _pending = [];
            dropped = _dropped;
            _dropped = 0;
            subscribers = [.. _subscribers];
        }

        var sequence = Interlocked.Increment(ref _sequence);
        foreach (var subscriber in subscribers)
        {
            var selected = subscriber.Cell is null
                ? Newest(points.Where(p => subscriber.Measurements.Contains(p.Measurement)))
                : points.Where(p => p.Cell == subscriber.Cell && subscriber.Measurements.Contains(p.Measurement)).ToList();
            if (selected.Count == 0 && dropped == 0)
            {
                continue;
            }

            var json = JsonSerializer.Serialize(new LiveMessage(sequence, dropped > 0, selected), LiveJson.Options);
            subscriber.Messages.Writer.TryWrite(json);
        }
    }

    private static List<LivePoint> Newest(IEnumerable<LivePoint> points)
    {
        var newest = new Dictionary<string, LivePoint>(StringComparer.Ordinal);
        foreach (var point in points)
        {
            if (!newest.TryGetValue(point.Key, out var existing) || existing.T <= point.T)
            {
                newest[point.Key] = point;
            }
        }

        return [.. newest.Values];
    }

    public sealed class Subscriber(string? cell, IReadOnlySet<string> measurements)
    {
        public string? Cell { get; } = cell;

        public IReadOnlySet<string> Measurements { get; } = measurements;

        /// <summary>Serialized messages; the oldest are dropped if the browser does not keep up.</summary>
        public Channel<string> Messages { get; } = Channel.CreateBounded<string>(new BoundedChannelOptions(64)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
    }
}

/// <summary>One point as sent to the browser: measurement, tags, time [s since epoch], fields.</summary>
public sealed record LivePoint(string M, IReadOnlyDictionary<string, string> Tags, double T, IReadOnlyDictionary<string, object> F)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key { get; init; } = string.Empty;

    [System.Text.Json.Serialization.JsonIgnore]
    public string Measurement => M;

    [System.Text.Json.Serialization.JsonIgnore]
    public string? Cell => Tags.GetValueOrDefault(Measurements.Tags.Cell.Name);

    public static LivePoint From(PointBatch batch, int index)
    {
        var series = batch.Series(index);
        var fields = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var field in batch.Fields(index))
        {
            fields[field.Name] = field.Kind switch
            {
                FieldKind.Float => field.Float,
                FieldKind.Integer => field.Integer,
                FieldKind.Boolean => field.Boolean,
                _ => field.Text!,
            };
        }

        return new LivePoint(series.Measurement, series.Tags.ToDictionary(t => t.Key, t => t.Value),
            TimeUnits.ToSeconds(batch.Timestamp(index)), fields) { Key = series.Key };
    }
}

public sealed record LiveMessage(long Sequence, bool Dropped, IReadOnlyList<LivePoint> Points);

internal static class LiveJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
