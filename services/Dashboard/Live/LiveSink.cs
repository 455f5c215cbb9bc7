// The store the dashboard host writes through: every successful write is also published to the
// live hub, so browsers see points from the demo, /write clients and (later) the twin alike.
using DigitalTwin.TimeSeries;
using DigitalTwin.TimeSeries.Points;

namespace DigitalTwin.Services.Dashboard.Live;

public sealed class LiveSink(ITimeSeriesStore store, LiveHub hub) : ITimeSeriesStore
{
    public ITimeSeriesStore Inner { get; } = store;

    public async ValueTask WriteAsync(PointBatch batch, CancellationToken cancellationToken = default)
    {
        await Inner.WriteAsync(batch, cancellationToken);
        hub.Publish(batch);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => Inner.FlushAsync(cancellationToken);

    public Task<SeriesResult> QueryAsync(SeriesQuery query, CancellationToken cancellationToken = default) => Inner.QueryAsync(query, cancellationToken);

    public Task<IReadOnlyList<LatestPoint>> LatestAsync(LatestQuery query, CancellationToken cancellationToken = default) => Inner.LatestAsync(query, cancellationToken);

    public Task<IReadOnlyList<string>> TagValuesAsync(string measurement, string tag, IReadOnlyDictionary<string, string>? filter = null,
        CancellationToken cancellationToken = default) => Inner.TagValuesAsync(measurement, tag, filter, cancellationToken);

    public ValueTask DisposeAsync() => Inner.DisposeAsync();
}
