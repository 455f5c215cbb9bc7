// Host set-ups other than the demo: a write API key, and the dashboard reading and writing a real
// InfluxDB (so the pages work the same over either store).
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DigitalTwin.Testing;
using DigitalTwin.TimeSeries.Influx;
using Microsoft.Extensions.DependencyInjection;

namespace DigitalTwin.Dashboard.Tests;

public sealed class HostConfigurationTests
{
    [Fact]
    public async Task A_configured_write_key_is_required_on_both_write_apis()
    {
        await using var host = await DashboardHost.StartAsync(false, "Dashboard:WriteApiKey=s3cret");
        const string Line = "telemetry,cell=KEY-TEST,lot=TEST voltage=3.3 1700000000000000000\n";

        using (var v1 = await host.Http.PostAsync("write?db=twin", new StringContent(Line, Encoding.UTF8, "text/plain")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, v1.StatusCode);
            Assert.Contains("\"error\"", await v1.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var v2 = await host.Http.PostAsync("api/v2/write?org=o&bucket=b", new StringContent(Line, Encoding.UTF8, "text/plain")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, v2.StatusCode);
            Assert.Equal("unauthorized", JsonDocument.Parse(await v2.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        }

        using var authorized = new HttpRequestMessage(HttpMethod.Post, "api/v2/write?org=o&bucket=b&precision=s")
        {
            Content = new StringContent("telemetry,cell=KEY-TEST,lot=TEST voltage=3.3 1700000000\n", Encoding.UTF8, "text/plain"),
        };
        authorized.Headers.Authorization = new AuthenticationHeaderValue("Token", "s3cret");
        using (var ok = await host.Http.SendAsync(authorized))
        {
            Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        }

        var latest = JsonDocument.Parse(await host.Http.GetStringAsync("api/v1/latest?measurement=telemetry&cell=KEY-TEST")).RootElement;
        Assert.Equal(1_700_000_000, Assert.Single(latest.EnumerateArray()).GetProperty("t").GetDouble());
    }

    [Fact]
    public async Task The_dashboard_works_over_a_real_influxdb_store()
    {
        await using var influx = await InfluxDbServer.StartAsync();
        await using var host = await DashboardHost.StartAsync(false, "Dashboard:Store=influxdb", $"Dashboard:Influx:Endpoint={influx.Endpoint}",
            "Dashboard:Influx:Database=dashboard");
        var lines = new StringBuilder();
        for (var i = 0; i < 600; i++)
        {
            lines.Append("telemetry,cell=INFLUX-1,lot=L9 voltage=").Append(3.0 + (i * 0.001)).Append(",current=1.1 ")
                .Append(1_700_000_000L + i).Append('\n');
        }

        using (var write = await host.Http.PostAsync("write?db=ignored&precision=s", new StringContent(lines.ToString(), Encoding.UTF8, "text/plain")))
        {
            Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
        }

        await Within.Seconds(30, host.App.Services.GetRequiredService<InfluxDbStore>().FlushAsync().AsTask(), "the points to reach influxd");
        var series = JsonDocument.Parse(await host.Http.GetStringAsync(
            "api/v1/series?measurement=telemetry&fields=voltage&lot=L9&from=1700000000000&to=1700000600000&points=10")).RootElement;

        // 600 s in 10 buckets: 60 s ideal -> 60 s buckets of 60 one-second samples each.
        Assert.Equal(60, series.GetProperty("bucket_s").GetDouble());
        var frame = Assert.Single(series.GetProperty("series").EnumerateArray());
        var voltage = frame.GetProperty("fields").GetProperty("voltage");
        Assert.All(voltage.GetProperty("count").EnumerateArray().Skip(1).SkipLast(1), c => Assert.Equal(60, c.GetInt64()));
        var first = frame.GetProperty("t")[1].GetDouble();

        // Bucket k holds samples i = (t − 1.7e9) .. +59 with voltage 3.0 + 0.001 i: its mean is at i + 29.5.
        Assert.Equal(3.0 + (0.001 * ((first - 1_700_000_000) + 29.5)), voltage.GetProperty("values")[1].GetDouble(), 1e-9);
    }
}
