// The REST query API, the fleet composition, the InfluxDB-compatible writes and the live stream,
// against the real host with the demo fleet (replaying the shared Arbin file) in its store.
using System.Net;
using System.Text;
using System.Text.Json;

namespace DigitalTwin.Dashboard.Tests;

public sealed class ApiTests(DemoDashboardFixture fixture) : IClassFixture<DemoDashboardFixture>
{
    private HttpClient Http => fixture.Host.Http;

    [Fact]
    public async Task Series_come_downsampled_with_units_and_axis_labels()
    {
        using var json = await GetJsonAsync("api/v1/series?measurement=telemetry&fields=voltage,current&cell=L23A-01&from=now-2h&to=now&points=100");
        var root = json.RootElement;

        // 7200 s / 100 points = 72 s ideal -> the next nice width is 120 s (Downsampling.NiceSeconds).
        Assert.Equal(120, root.GetProperty("bucket_s").GetDouble());
        Assert.Equal("V", root.GetProperty("fields").GetProperty("voltage").GetProperty("unit").GetString());
        Assert.Equal("Voltage [V]", root.GetProperty("fields").GetProperty("voltage").GetProperty("label").GetString());
        Assert.Equal("Current [A]", root.GetProperty("fields").GetProperty("current").GetProperty("label").GetString());
        var frame = Assert.Single(root.GetProperty("series").EnumerateArray());
        Assert.Equal("L23A-01", frame.GetProperty("tags").GetProperty("cell").GetString());
        var times = frame.GetProperty("t").EnumerateArray().Select(t => t.GetDouble()).ToList();
        Assert.InRange(times.Count, 10, 100);
        Assert.All(times, t => Assert.Equal(0, t % 120, 6));
        var voltage = frame.GetProperty("fields").GetProperty("voltage");
        Assert.All(voltage.GetProperty("min").EnumerateArray().Zip(voltage.GetProperty("max").EnumerateArray()),
            pair => Assert.True(pair.First.GetDouble() <= pair.Second.GetDouble()));

        // The A123 LFP cell the demo replays cycles between 2.0 V and 3.6 V (its Arbin file's own voltage column).
        Assert.All(voltage.GetProperty("values").EnumerateArray(), v => Assert.InRange(v.GetDouble(), 1.95, 3.65));
    }

    [Fact]
    public async Task A_lot_query_returns_every_cell_of_the_lot()
    {
        using var json = await GetJsonAsync("api/v1/series?measurement=cycle_summary&fields=cycle,discharge_capacity&lot=L24A&from=now-365d&to=now%2B1d&raw=true");
        var cells = json.RootElement.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("tags").GetProperty("cell").GetString()).ToList();
        Assert.Equal(["L24A-01", "L24A-02"], cells);

        using var combined = await GetJsonAsync("api/v1/series?measurement=cycle_summary&fields=discharge_capacity&lot=L24A&from=now-30d&to=now&points=10&combine=true");
        Assert.Single(combined.RootElement.GetProperty("series").EnumerateArray());
    }

    [Fact]
    public async Task The_fleet_lists_every_cell_with_status_soh_and_alerts()
    {
        using var json = await GetJsonAsync("api/v1/fleet");
        var cells = json.RootElement.GetProperty("cells").EnumerateArray().Where(c => c.GetProperty("lot").GetString() != "TEST").ToList();
        Assert.Equal(8, cells.Count);
        Assert.All(cells, c => Assert.InRange(c.GetProperty("soh").GetDouble(), 0.8, 1.0));
        var offline = Assert.Single(cells, c => c.GetProperty("status").GetString() == "offline");
        Assert.Equal("L23B-01", offline.GetProperty("cell").GetString());

        // The demo's L24A lot was calendered at 180 MPa (above the 150 MPa window): its cells carry the cracking alerts.
        foreach (var cell in cells)
        {
            var codes = cell.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("code").GetString()).ToList();
            var risky = cell.GetProperty("lot").GetString() == "L24A";
            Assert.Equal(risky, codes.Contains("particle_strength"));
            Assert.Equal(risky, codes.Contains("fabrication_pressure"));
        }
    }

    [Fact]
    public async Task A_written_point_reaches_a_stream_subscriber()
    {
        using var stream = new HttpClient { BaseAddress = fixture.Host.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/stream?cell=SSE-TEST&measurements=telemetry");
        using var response = await Within.Seconds(10, stream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead), "the stream headers");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("retry: 2000", await Within.Seconds(10, reader.ReadLineAsync(), "the retry line"));
        Assert.Equal("event: hello", await Within.Seconds(10, reader.ReadLineAsync(), "the hello event"));

        var body = "telemetry,cell=SSE-TEST,lot=TEST voltage=3.21,current=-0.5 1700000000000000000\n";
        using (var write = await Http.PostAsync("write?db=twin", new StringContent(body, Encoding.UTF8, "text/plain")))
        {
            Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
        }

        var data = await Within.Seconds(10, ReadEventAsync(reader, "points"), "a points event for SSE-TEST");
        using var message = JsonDocument.Parse(data);
        var point = Assert.Single(message.RootElement.GetProperty("points").EnumerateArray());
        Assert.Equal("SSE-TEST", point.GetProperty("tags").GetProperty("cell").GetString());
        Assert.Equal(3.21, point.GetProperty("f").GetProperty("voltage").GetDouble());
        Assert.Equal(1_700_000_000, point.GetProperty("t").GetDouble());
    }

    [Fact]
    public async Task Writes_keep_good_lines_and_report_every_bad_one_with_its_line()
    {
        const string Body = "telemetry,cell=WRITE-TEST,lot=TEST voltage=3.5 1700000000000000000\n" +
                            "telemetry,cell=WRITE-TEST voltage=oops 1700000001000000000\n" +
                            "telemetry,cell=WRITE-TEST,lot=TEST voltage=3.6 1700000002000000000\n" +
                            "bad\n";
        using var response = await Http.PostAsync("write?db=twin", new StringContent(Body, Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.Contains("line 2", error, StringComparison.Ordinal);
        Assert.Contains("line 4", error, StringComparison.Ordinal);
        Assert.Contains("dropped=2", error, StringComparison.Ordinal);

        using var latest = await GetJsonAsync("api/v1/latest?measurement=telemetry&cell=WRITE-TEST");
        var point = Assert.Single(latest.RootElement.EnumerateArray());
        Assert.Equal(3.6, point.GetProperty("fields").GetProperty("voltage").GetDouble());
        Assert.Equal(1_700_000_002, point.GetProperty("t").GetDouble());
    }

    [Fact]
    public async Task Bad_query_parameters_are_reported_together()
    {
        using var response = await Http.GetAsync("api/v1/series?from=yesterday&points=0");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problems = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("problems")
            .EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("'measurement' is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'from' = 'yesterday' is not a time", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'points' = '0'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_schema_endpoint_serves_the_catalog_with_units()
    {
        using var json = await GetJsonAsync("api/v1/schema");
        var particle = json.RootElement.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "particle");
        var gap = particle.GetProperty("fields").GetProperty("interface_gap");
        Assert.Equal("m", gap.GetProperty("unit").GetString());
        Assert.Equal("nm", gap.GetProperty("display_unit").GetString());
        Assert.Equal(1e9, gap.GetProperty("scale").GetDouble());
    }

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text);
    }

    private static async Task<string> ReadEventAsync(StreamReader reader, string name)
    {
        var current = string.Empty;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                current = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && current == name)
            {
                return line[6..];
            }
        }

        throw new EndOfStreamException($"The stream ended before a '{name}' event.");
    }
}
