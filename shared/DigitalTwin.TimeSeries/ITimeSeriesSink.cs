// The one sink interface the twin, Ingest and the demo write through (embedded SQLite or InfluxDB).
using DigitalTwin.TimeSeries.Points;

namespace DigitalTwin.TimeSeries;

public interface ITimeSeriesSink : IAsyncDisposable
{
    /// <summary>
    /// Writes a batch. Returns once the points are durable: committed to the embedded file, or in the
    /// InfluxDB sink's on-disk buffer (sent in the background). Throws on invalid points, naming them.
    /// </summary>
    ValueTask WriteAsync(PointBatch batch, CancellationToken cancellationToken = default);

    /// <summary>Waits until everything written before the call has reached the store itself.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>Reads series back: downsampled ranges, latest points, tag values.</summary>
public interface ITimeSeriesQuery
{
    Task<SeriesResult> QueryAsync(SeriesQuery query, CancellationToken cancellationToken = default);

    /// <summary>The most recent point of every matching series (all its fields, or those asked for).</summary>
    Task<IReadOnlyList<LatestPoint>> LatestAsync(LatestQuery query, CancellationToken cancellationToken = default);

    /// <summary>Distinct values of a tag over the matching series, sorted.</summary>
    Task<IReadOnlyList<string>> TagValuesAsync(string measurement, string tag,
        IReadOnlyDictionary<string, string>? filter = null, CancellationToken cancellationToken = default);
}

/// <summary>A sink that can also be queried; both built-in implementations are stores.</summary>
public interface ITimeSeriesStore : ITimeSeriesSink, ITimeSeriesQuery;
