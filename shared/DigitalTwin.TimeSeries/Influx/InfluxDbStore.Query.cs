// The InfluxDB store's read side: the same queries as the embedded store, as InfluxQL over
// GET /query (epoch=ns), with the same bucket plan, so both stores answer alike.
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DigitalTwin.TimeSeries.LineProtocol;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.TimeSeries.Influx;

public sealed partial class InfluxDbStore
{
    private const string Separator = "__";
    private readonly Dictionary<string, Dictionary<string, FieldKind>> _fieldKinds = new(StringComparer.Ordinal);

    public async Task<SeriesResult> QueryAsync(SeriesQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var plan = Downsampling.Plan(query);
        var kinds = await FieldKindsAsync(query.Measurement, cancellationToken).ConfigureAwait(false);
        var frames = new List<SeriesFrame>();
        if (plan.IsRaw)
        {
            var fields = query.Fields.Where(kinds.ContainsKey).ToList();
            if (fields.Count == 0)
            {
                return new SeriesResult(query.Measurement, 0, frames);
            }

            var sql = new StringBuilder("SELECT ").AppendJoin(",", fields.Select(Escaping.QuoteIdentifier))
                .Append(" FROM ").Append(Escaping.QuoteIdentifier(query.Measurement))
                .Append(" WHERE ").Append(TimeAndTags(query.Tags, plan.FromNs, plan.ToNs));
            if (query.Where is not null)
            {
                sql.Append(" AND ").Append(Escaping.QuoteIdentifier(query.Where.Field)).Append(" = ").Append(query.Where.Value);
            }

            sql.Append(" GROUP BY * ORDER BY time DESC LIMIT ").Append(query.MaxPoints * Downsampling.RawLimitFactor);
            foreach (var series in await SeriesAsync(sql.ToString(), cancellationToken).ConfigureAwait(false))
            {
                series.Rows.Reverse();
                var times = series.Rows.Select(r => r[0].GetInt64()).ToArray();
                var columns = new Dictionary<string, FieldColumn>(StringComparer.Ordinal);
                foreach (var name in query.Fields)
                {
                    var index = series.Columns.IndexOf(name);
                    var values = new double[times.Length];
                    var text = kinds.GetValueOrDefault(name) == FieldKind.String ? new string?[times.Length] : null;
                    for (var i = 0; i < times.Length; i++)
                    {
                        var cell = index < 0 ? default : series.Rows[i][index];
                        values[i] = Number(cell);
                        if (text is not null && cell.ValueKind == JsonValueKind.String)
                        {
                            text[i] = cell.GetString();
                        }
                    }

                    columns[name] = new FieldColumn(values, text: text);
                }

                frames.Add(new SeriesFrame(series.Tags, times, columns));
            }

            return new SeriesResult(query.Measurement, 0, frames);
        }

        var numeric = query.Fields.Where(f => kinds.GetValueOrDefault(f, FieldKind.String) is FieldKind.Float or FieldKind.Integer).ToList();
        if (numeric.Count == 0)
        {
            return new SeriesResult(query.Measurement, plan.BucketNs, frames);
        }

        var select = new StringBuilder("SELECT ");
        var first = true;
        foreach (var field in numeric)
        {
            foreach (var aggregate in new[] { "mean", "min", "max", "count" })
            {
                select.Append(first ? "" : ", ").Append(aggregate).Append('(').Append(Escaping.QuoteIdentifier(field)).Append(") AS ")
                    .Append(Escaping.QuoteIdentifier(field + Separator + aggregate));
                first = false;
            }
        }

        select.Append(" FROM ").Append(Escaping.QuoteIdentifier(query.Measurement))
            .Append(" WHERE ").Append(TimeAndTags(query.Tags, plan.FromNs, plan.ToNs))
            .Append(" GROUP BY time(").Append(plan.BucketNs / TimeUnits.NanosecondsPerSecond).Append("s)")
            .Append(query.Combine ? "" : ", *").Append(" fill(none)");
        foreach (var series in await SeriesAsync(select.ToString(), cancellationToken).ConfigureAwait(false))
        {
            var rows = series.Rows.Where(r => numeric.Any(f => r[series.Columns.IndexOf(f + Separator + "count")].ValueKind == JsonValueKind.Number
                && r[series.Columns.IndexOf(f + Separator + "count")].GetInt64() > 0)).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            var times = rows.Select(r => r[0].GetInt64()).ToArray();
            var columns = new Dictionary<string, FieldColumn>(StringComparer.Ordinal);
            foreach (var name in query.Fields)
            {
                var mean = new double[rows.Count];
                var min = new double[rows.Count];
                var max = new double[rows.Count];
                var count = new long[rows.Count];
                var present = numeric.Contains(name);
                for (var i = 0; i < rows.Count; i++)
                {
                    mean[i] = present ? Number(rows[i][series.Columns.IndexOf(name + Separator + "mean")]) : double.NaN;
                    min[i] = present ? Number(rows[i][series.Columns.IndexOf(name + Separator + "min")]) : double.NaN;
                    max[i] = present ? Number(rows[i][series.Columns.IndexOf(name + Separator + "max")]) : double.NaN;
                    var n = present ? Number(rows[i][series.Columns.IndexOf(name + Separator + "count")]) : double.NaN;
                    count[i] = double.IsNaN(n) ? 0 : (long)n;
                }

                columns[name] = new FieldColumn(mean, min, max, count);
            }

            frames.Add(new SeriesFrame(query.Combine ? query.Tags : series.Tags, times, columns));
        }

        return new SeriesResult(query.Measurement, plan.BucketNs, frames);
    }

    public async Task<IReadOnlyList<LatestPoint>> LatestAsync(LatestQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var kinds = await FieldKindsAsync(query.Measurement, cancellationToken).ConfigureAwait(false);
        var fields = query.Fields is null ? "*" : string.Join(",", query.Fields.Where(kinds.ContainsKey).Select(Escaping.QuoteIdentifier));
        if (fields.Length == 0)
        {
            return [];
        }

        var sql = $"SELECT {fields} FROM {Escaping.QuoteIdentifier(query.Measurement)}{Where(query.Tags)} GROUP BY * ORDER BY time DESC LIMIT 1";
        var result = new List<LatestPoint>();
        foreach (var series in await SeriesAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            var row = series.Rows[0];
            var values = new List<FieldValue>();
            for (var c = 1; c < series.Columns.Count; c++)
            {
                var name = series.Columns[c];
                var cell = row[c];
                if (cell.ValueKind == JsonValueKind.Null || !kinds.TryGetValue(name, out var kind))
                {
                    continue;
                }

                values.Add(kind switch
                {
                    FieldKind.Integer => FieldValue.FromInteger(name, cell.GetInt64()),
                    FieldKind.Boolean => FieldValue.FromBoolean(name, cell.GetBoolean()),
                    FieldKind.String => FieldValue.FromString(name, cell.GetString() ?? string.Empty),
                    _ => FieldValue.FromFloat(name, cell.GetDouble()),
                });
            }

            if (values.Count > 0)
            {
                result.Add(new LatestPoint(series.Tags, row[0].GetInt64(), values));
            }
        }

        return result;
    }

    public async Task<IReadOnlyList<string>> TagValuesAsync(string measurement, string tag, IReadOnlyDictionary<string, string>? filter = null,
        CancellationToken cancellationToken = default)
    {
        var sql = $"SHOW TAG VALUES FROM {Escaping.QuoteIdentifier(measurement)} WITH KEY = {Escaping.QuoteIdentifier(tag)}{Where(filter)}";
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var series in await SeriesAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            var column = series.Columns.IndexOf("value");
            foreach (var row in series.Rows)
            {
                values.Add(row[column].GetString()!);
            }
        }

        return [.. values];
    }

    /// <summary>Field types per measurement (SHOW FIELD KEYS), refreshed when a field is not known yet.</summary>
    private async Task<Dictionary<string, FieldKind>> FieldKindsAsync(string measurement, CancellationToken cancellationToken)
    {
        lock (_fieldKinds)
        {
            if (_fieldKinds.TryGetValue(measurement, out var cached) && cached.Count > 0)
            {
                return cached;
            }
        }

        var kinds = new Dictionary<string, FieldKind>(StringComparer.Ordinal);
        foreach (var series in await SeriesAsync($"SHOW FIELD KEYS FROM {Escaping.QuoteIdentifier(measurement)}", cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in series.Rows)
            {
                kinds[row[0].GetString()!] = row[1].GetString() switch
                {
                    "integer" or "unsigned" => FieldKind.Integer,
                    "boolean" => FieldKind.Boolean,
                    "string" => FieldKind.String,
                    _ => FieldKind.Float,
                };
            }
        }

        lock (_fieldKinds)
        {
            _fieldKinds[measurement] = kinds;
        }

        return kinds;
    }

    private async Task<List<InfluxSeries>> SeriesAsync(string influxQl, CancellationToken cancellationToken)
    {
        var uri = new Uri(_options.Endpoint, $"query?db={Uri.EscapeDataString(_options.Api == InfluxApi.V2 ? _options.Bucket! : _options.Database)}&epoch=ns&q={Uri.EscapeDataString(influxQl)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (_options.Api == InfluxApi.V2)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", _options.Token);
        }
        else
        {
            Authorize(request);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        using var document = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var topError))
        {
            throw new InvalidOperationException($"InfluxDB query failed (HTTP {(int)response.StatusCode}): {topError.GetString()}. Query: {influxQl}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"InfluxDB query failed (HTTP {(int)response.StatusCode}): {body}. Query: {influxQl}");
        }

        var result = new List<InfluxSeries>();
        if (!root.TryGetProperty("results", out var results))
        {
            return result;
        }


        foreach (var statement in results.EnumerateArray())
        {
            if (statement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"InfluxDB query failed: {error.GetString()}. Query: {influxQl}");
            }

            if (!statement.TryGetProperty("series", out var seriesArray))
            {
                continue;
            }

            foreach (var series in seriesArray.EnumerateArray())
            {
                var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                if (series.TryGetProperty("tags", out var tagObject))
                {
                    foreach (var tag in tagObject.EnumerateObject())
                    {
                        if (tag.Value.GetString() is { Length: > 0 } value)
                        {
                            tags[tag.Name] = value;
                        }
                    }
                }

                var columns = series.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
                var rows = series.TryGetProperty("values", out var values)
                    ? values.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.Clone()).ToArray()).ToList()
                    : [];
                result.Add(new InfluxSeries(tags, columns, rows));
            }
        }

        // Series in series-key order, as the embedded store returns them.
        result.Sort((x, y) => string.CompareOrdinal(SortKey(x.Tags), SortKey(y.Tags)));
        return result;
    }

    private static string SortKey(Dictionary<string, string> tags) =>
        string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => Escaping.EscapeKey(t.Key) + "=" + Escaping.EscapeKey(t.Value)));

    private static string TimeAndTags(IReadOnlyDictionary<string, string> tags, long from, long to)
    {
        var clause = new StringBuilder();
        foreach (var (key, value) in tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            clause.Append(Escaping.QuoteIdentifier(key)).Append(" = ").Append(Escaping.QuoteLiteral(value)).Append(" AND ");
        }

        return clause.Append("time >= ").Append(from).Append(" AND time < ").Append(to).ToString();
    }

    private static string Where(IReadOnlyDictionary<string, string>? tags) =>
        tags is null || tags.Count == 0
            ? string.Empty
            : " WHERE " + string.Join(" AND ", tags.OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => $"{Escaping.QuoteIdentifier(t.Key)} = {Escaping.QuoteLiteral(t.Value)}"));

    private static double Number(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.Number => cell.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        _ => double.NaN,
    };

    private sealed record InfluxSeries(Dictionary<string, string> Tags, List<string> Columns, List<JsonElement[]> Rows);
}
