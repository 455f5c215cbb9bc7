// Reads series from a Dashboard service over HTTP (its POST /api/v1/query, /api/v1/latest and /api/v1/tags), so a
// process that does not own the embedded store (the Twin host's QuerySeries) reads it as if it were local.
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.TimeSeries.Remote;

public sealed class DashboardSeriesQuery(HttpClient http, Uri endpoint) : ITimeSeriesQuery
{
    public Uri Endpoint { get; } = endpoint;

    public async Task<SeriesResult> QueryAsync(SeriesQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        using var response = await http.PostAsJsonAsync(new Uri(Endpoint, "api/v1/query"), SeriesQueryWire.From(query), cancellationToken).ConfigureAwait(false);
        await ThrowOnErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var wire = await response.Content.ReadFromJsonAsync<SeriesResultWire>(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{Endpoint}api/v1/query answered an empty body.");
        return wire.ToResult();
    }

    public async Task<IReadOnlyList<LatestPoint>> LatestAsync(LatestQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var path = new StringBuilder("api/v1/latest?measurement=").Append(Uri.EscapeDataString(query.Measurement)).Append(TagParameters(query.Tags));
        if (query.Fields is { Count: > 0 } fields)
        {
            path.Append("&fields=").Append(Uri.EscapeDataString(string.Join(',', fields)));
        }

        using var response = await http.GetAsync(new Uri(Endpoint, path.ToString()), cancellationToken).ConfigureAwait(false);
        await ThrowOnErrorAsync(response, cancellationToken).ConfigureAwait(false);
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        var measurement = Measurements.Find(query.Measurement);
        var points = new List<LatestPoint>();
        foreach (var point in json.RootElement.EnumerateArray())
        {
            var tags = point.GetProperty("tags").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);
            var time = (long)Math.Round(point.GetProperty("t").GetDouble() * 1e9);
            var values = new List<FieldValue>();
            foreach (var field in point.GetProperty("fields").EnumerateObject())
            {
                if (Value(field.Name, field.Value, measurement?.FindField(field.Name)?.Kind) is { } value)
                {
                    values.Add(value);
                }
            }

            points.Add(new LatestPoint(tags, time, values));
        }

        return points;
    }

    public async Task<IReadOnlyList<string>> TagValuesAsync(string measurement, string tag, IReadOnlyDictionary<string, string>? filter = null, CancellationToken cancellationToken = default)
    {
        var path = $"api/v1/tags/{Uri.EscapeDataString(measurement)}/{Uri.EscapeDataString(tag)}?{TagParameters(filter).TrimStart('&')}";
        using var response = await http.GetAsync(new Uri(Endpoint, path), cancellationToken).ConfigureAwait(false);
        await ThrowOnErrorAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<List<string>>(cancellationToken).ConfigureAwait(false) ?? [];
    }

    private static string TagParameters(IReadOnlyDictionary<string, string>? tags)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            text.Append("&tag.").Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return text.ToString();
    }

    /// <summary>A latest-point value in its catalog kind (JSON numbers do not say integer or float).</summary>
    private static FieldValue? Value(string name, JsonElement value, FieldKind? kind) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => FieldValue.FromBoolean(name, value.GetBoolean()),
        JsonValueKind.String => FieldValue.FromString(name, value.GetString()!),
        JsonValueKind.Number when kind == FieldKind.Integer || (kind is null && value.TryGetInt64(out _)) => FieldValue.FromInteger(name, value.GetInt64()),
        JsonValueKind.Number => FieldValue.FromFloat(name, value.GetDouble()),
        _ => null,
    };

    /// <summary>A 400 is the caller's mistake (ArgumentException, as the stores throw); anything else is the server's.</summary>
    private async Task ThrowOnErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var message = $"{response.RequestMessage?.RequestUri}: HTTP {(int)response.StatusCode}: {body.Trim()}";
        throw response.StatusCode == System.Net.HttpStatusCode.BadRequest ? new ArgumentException(message) : new HttpRequestException(message, null, response.StatusCode);
    }
}
