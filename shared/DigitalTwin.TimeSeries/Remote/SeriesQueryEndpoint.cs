// Picks how to read series from a base address that accepts InfluxDB-v1 writes: InfluxDB itself answers /ping
// with an X-Influxdb-Version header and is read by the given InfluxDB reader (InfluxQL); the Dashboard service is
// read over its REST query.
namespace DigitalTwin.TimeSeries.Remote;

public sealed class SeriesQueryEndpoint(HttpClient http, Uri endpoint, ITimeSeriesQuery influx) : ITimeSeriesQuery
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ITimeSeriesQuery? _reader;

    /// <summary>What the endpoint turned out to be, once a query was made: "influxdb" or "dashboard".</summary>
    public string? Kind { get; private set; }

    public async Task<SeriesResult> QueryAsync(SeriesQuery query, CancellationToken cancellationToken = default) =>
        await (await ReaderAsync(cancellationToken).ConfigureAwait(false)).QueryAsync(query, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<LatestPoint>> LatestAsync(LatestQuery query, CancellationToken cancellationToken = default) =>
        await (await ReaderAsync(cancellationToken).ConfigureAwait(false)).LatestAsync(query, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<string>> TagValuesAsync(string measurement, string tag, IReadOnlyDictionary<string, string>? filter = null, CancellationToken cancellationToken = default) =>
        await (await ReaderAsync(cancellationToken).ConfigureAwait(false)).TagValuesAsync(measurement, tag, filter, cancellationToken).ConfigureAwait(false);

    /// <summary>Probes /ping once (again after a failed probe, e.g. while the endpoint is still starting).</summary>
    private async Task<ITimeSeriesQuery> ReaderAsync(CancellationToken cancellationToken)
    {
        if (_reader is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_reader is null)
            {
                using var response = await http.GetAsync(new Uri(endpoint, "ping"), cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"{endpoint}ping answered HTTP {(int)response.StatusCode}: neither InfluxDB nor the Dashboard.", null, response.StatusCode);
                }

                var isInflux = response.Headers.Contains("X-Influxdb-Version");
                Kind = isInflux ? "influxdb" : "dashboard";
                _reader = isInflux ? influx : new DashboardSeriesQuery(http, endpoint);
            }

            return _reader;
        }
        finally
        {
            _gate.Release();
        }
    }
}
