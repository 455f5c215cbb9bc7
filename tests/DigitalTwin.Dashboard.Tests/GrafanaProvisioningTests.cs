// deploy/grafana checked against the measurement catalog, so a renamed field or tag breaks the
// build instead of a dashboard: every panel and variable query names a known measurement, its
// fields and tags, every series shows the catalog's unit, every variable is defined; and every
// query runs without error and returns data on a real influxd filled with the demo fleet.
using System.Text.Json;
using DigitalTwin.Testing;
using DigitalTwin.TimeSeries.Demo;
using DigitalTwin.TimeSeries.Influx;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.Dashboard.Tests;

public sealed class GrafanaProvisioningTests
{
    private const string DataSourceUid = "digitaltwin-influxdb";
    private static readonly string[] Dashboards = ["fleet", "cell", "particle-binder", "dem", "forecasts"];
    private static readonly string[] BuiltIns = ["timeFilter", "__interval", "col"];
    private static readonly string Grafana = Path.Combine(BrowserFixture.RepositoryRoot(), "deploy", "grafana");

    [Fact]
    public void The_data_source_and_provider_point_at_influxdb_and_the_dashboards()
    {
        var datasource = File.ReadAllText(Path.Combine(Grafana, "provisioning", "datasources", "influxdb.yaml"));
        Assert.Contains("type: influxdb", datasource, StringComparison.Ordinal);
        Assert.Contains($"uid: {DataSourceUid}", datasource, StringComparison.Ordinal);
        Assert.Contains("dbName: digitaltwin", datasource, StringComparison.Ordinal);
        var provider = File.ReadAllText(Path.Combine(Grafana, "provisioning", "dashboards", "digitaltwin.yaml"));
        Assert.Contains("type: file", provider, StringComparison.Ordinal);

        var uids = new HashSet<string>();
        foreach (var name in Dashboards)
        {
            using var dashboard = Load(name);
            Assert.True(uids.Add(dashboard.RootElement.GetProperty("uid").GetString()!), $"{name}: duplicate uid");
            foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
            {
                Assert.Equal(DataSourceUid, panel.GetProperty("datasource").GetProperty("uid").GetString());
                Assert.NotEmpty(panel.GetProperty("targets").EnumerateArray());
            }
        }
    }

    [Fact]
    public void Every_query_refers_to_the_schema_and_every_series_carries_its_unit()
    {
        var problems = new List<string>();
        var checkedTargets = 0;
        foreach (var name in Dashboards)
        {
            using var dashboard = Load(name);
            var variables = dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
                .ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("query").GetString()!);
            foreach (var (variable, query) in variables)
            {
                problems.AddRange(Check(InfluxQlReferences.Parse(query), variables.Keys, $"{name} variable ${variable}"));
            }

            foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
            {
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                {
                    var where = $"{name} / \"{panel.GetProperty("title").GetString()}\" / {target.GetProperty("refId").GetString()}";
                    var references = InfluxQlReferences.Parse(target.GetProperty("query").GetString()!);
                    problems.AddRange(Check(references, variables.Keys, where));
                    problems.AddRange(CheckUnits(references, panel, where));
                    if (target.TryGetProperty("alias", out var alias))
                    {
                        foreach (var tag in alias.GetString()!.Split(' ').Where(a => a.StartsWith("$tag_", StringComparison.Ordinal)))
                        {
                            if (!references.GroupByTags.Contains(tag[5..]))
                            {
                                problems.Add($"{where}: alias uses {tag} but the query does not GROUP BY \"{tag[5..]}\"");
                            }
                        }
                    }

                    checkedTargets++;
                }
            }
        }

        Assert.True(problems.Count == 0, "Grafana dashboards disagree with the measurement catalog:\n" + string.Join("\n", problems));

        // fleet 9 + cell 9 (one panel has two targets) + particle-binder 8 + dem 5 + forecasts 5 (one panel has two).
        Assert.Equal(36, checkedTargets);
    }

    [Fact]
    public void A_renamed_field_is_caught()
    {
        var references = InfluxQlReferences.Parse("SELECT mean(\"state_of_health\") FROM \"twin_state\" WHERE \"cell\" =~ /^$cell$/ AND $timeFilter GROUP BY time($__interval), \"cell\"");
        var problems = Check(references, ["cell"], "probe");
        Assert.Equal(["probe: twin_state has no field \"state_of_health\""], problems);
    }

    [Fact]
    public async Task Every_query_runs_on_a_real_influxdb_filled_with_the_demo_fleet()
    {
        await using var influx = await InfluxDbServer.StartAsync();
        var buffer = Path.Combine(Path.GetTempPath(), "dt-grafana-tests", Guid.NewGuid().ToString("N"));
        await using (var store = new InfluxDbStore(new InfluxDbOptions { Endpoint = influx.Endpoint, Database = "digitaltwin", BufferDirectory = buffer }))
        {
            var fleet = new DemoFleet(store, DemoSource.Load(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv")),
                new DemoFleetOptions { LiveReplay = false, HistoryCycles = 60 });
            await Within.Seconds(60, fleet.WriteHistoryAsync(CancellationToken.None), "the demo history written to the buffer");
            await Within.Seconds(60, store.FlushAsync().AsTask(), "the demo history accepted by influxd");
        }

        using var http = new HttpClient { BaseAddress = influx.Endpoint };
        var values = new Dictionary<string, string>
        {
            ["lot"] = ".*", ["cell"] = "L24A-01", ["electrode"] = ".*", ["study"] = "calender-180MPa", ["stage"] = ".*",
            ["timeFilter"] = "time >= now() - 400d AND time <= now() + 400d", ["__interval"] = "1h",
        };
        using (var forecasts = Load("forecasts"))
        {
            var issued = forecasts.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Single(v => v.GetProperty("name").GetString() == "issued").GetProperty("query").GetString()!;
            var result = await RunAsync(http, Substitute(issued, values));
            values["issued"] = result.GetProperty("series")[0].GetProperty("values")[0][1].GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var failures = new List<string>();
        foreach (var name in Dashboards)
        {
            using var dashboard = Load(name);
            var queries = dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Select(v => ($"{name} variable ${v.GetProperty("name").GetString()}", v.GetProperty("query").GetString()!))
                .Concat(dashboard.RootElement.GetProperty("panels").EnumerateArray().SelectMany(p => p.GetProperty("targets").EnumerateArray()
                    .Select(t => ($"{name} / \"{p.GetProperty("title").GetString()}\"", t.GetProperty("query").GetString()!))));
            foreach (var (where, query) in queries)
            {
                var text = Substitute(query, values);
                try
                {
                    var result = await RunAsync(http, text);
                    if (!result.TryGetProperty("series", out var series) || series.GetArrayLength() == 0)
                    {
                        failures.Add($"{where}: no data for {text}");
                    }
                }
                catch (InvalidOperationException ex)
                {
                    failures.Add($"{where}: {ex.Message}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static List<string> Check(QueryReferences query, IEnumerable<string> variables, string where)
    {
        var problems = new List<string>();
        var measurement = Measurements.Find(query.Measurement);
        if (measurement is null)
        {
            problems.Add($"{where}: unknown measurement \"{query.Measurement}\"");
            return problems;
        }

        foreach (var selected in query.Selected.Where(s => s.Field != "*" && measurement.FindField(s.Field) is null))
        {
            problems.Add($"{where}: {measurement.Name} has no field \"{selected.Field}\"");
        }

        foreach (var key in query.WhereKeys.Where(k => k != "time" && !measurement.HasTag(k) && measurement.FindField(k) is null))
        {
            problems.Add($"{where}: {measurement.Name} has no tag or field \"{key}\" (WHERE)");
        }

        foreach (var tag in query.GroupByTags.Where(t => !measurement.HasTag(t)))
        {
            problems.Add($"{where}: {measurement.Name} has no tag \"{tag}\" (GROUP BY)");
        }

        if (query.ShowTagKey is { } key2 && !measurement.HasTag(key2))
        {
            problems.Add($"{where}: {measurement.Name} has no tag \"{key2}\" (WITH KEY)");
        }

        var known = variables.Concat(BuiltIns).ToHashSet();
        foreach (var variable in query.Variables.Where(v => !known.Contains(v)))
        {
            problems.Add($"{where}: variable ${variable} is not defined");
        }

        return problems;
    }

    /// <summary>The unit a series is shown in (override by its name, else the panel default) must be the catalog's.</summary>
    private static List<string> CheckUnits(QueryReferences query, JsonElement panel, string where)
    {
        var problems = new List<string>();
        var measurement = Measurements.Find(query.Measurement);
        var config = panel.GetProperty("fieldConfig");
        var fallback = config.GetProperty("defaults").TryGetProperty("unit", out var unit) ? unit.GetString() : null;
        foreach (var selected in query.Selected)
        {
            var field = measurement?.FindField(selected.Field);
            if (field is null)
            {
                continue;
            }

            var name = selected.Alias ?? selected.Field;
            var shown = fallback;
            foreach (var rule in config.GetProperty("overrides").EnumerateArray())
            {
                var matcher = rule.GetProperty("matcher");
                if (matcher.GetProperty("id").GetString() == "byName" && matcher.GetProperty("options").GetString() == name)
                {
                    foreach (var property in rule.GetProperty("properties").EnumerateArray().Where(p => p.GetProperty("id").GetString() == "unit"))
                    {
                        shown = property.GetProperty("value").GetString();
                    }
                }
            }

            if (shown != field.GrafanaUnit)
            {
                problems.Add($"{where}: {field} ({field.Unit}) is shown as '{shown}', the catalog says '{field.GrafanaUnit}'");
            }
        }

        return problems;
    }

    private static string Substitute(string query, Dictionary<string, string> values)
    {
        foreach (var (name, value) in values.OrderByDescending(v => v.Key.Length))
        {
            query = query.Replace("$" + name, value, StringComparison.Ordinal);
        }

        return query;
    }

    private static async Task<JsonElement> RunAsync(HttpClient http, string query)
    {
        var json = await http.GetStringAsync($"query?db=digitaltwin&epoch=ns&q={Uri.EscapeDataString(query)}");
        var result = JsonDocument.Parse(json).RootElement.GetProperty("results")[0].Clone();
        return result.TryGetProperty("error", out var error) ? throw new InvalidOperationException($"{error.GetString()} in {query}") : result;
    }

    private static JsonDocument Load(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Grafana, "dashboards", name + ".json")));
}
