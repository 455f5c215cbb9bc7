// The fleet end to end: every service built and started as its own process on free ports, a real Arbin file replayed
// through Ingest into the Twin and onto the dashboard, then Ctrl-C (SIGINT): exit code 0 and no child process left.
// And a service that cannot start: named, its log shown, the others stopped; and a launcher killed with SIGKILL: its
// services stop on their own.
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using DigitalTwin.Testing;

namespace DigitalTwin.Fleet.Tests;

// Seven service processes per test: build/run-tests.sh runs this category after the other projects, on a quieter machine.
[Trait("Category", "Fleet")]
public sealed partial class FleetSmokeTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("dt-fleet-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task The_fleet_replays_a_real_file_through_ingest_and_the_twin_onto_the_dashboard_and_stops_on_ctrl_c()
    {
        var file = SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv");
        using var fleet = FleetProcess.Start(_data, "--port-base", "0", "--file", file, "--speed", "400", "--clones", "1", "--duration", "120s");

        var manifest = await Eventually(() => Task.FromResult(fleet.Manifest()), m => m is { } j && j.GetProperty("cells").GetArrayLength() == 2,
            fleet, "fleet.json with the registered cells", TimeSpan.FromSeconds(120));
        await Eventually(() => Task.FromResult(fleet.Output), o => o.Contains("cells replaying at", StringComparison.Ordinal), fleet, "the fleet's banner", TimeSpan.FromSeconds(30));
        Assert.Contains("fleet: all services healthy", fleet.Output, StringComparison.Ordinal);
        Assert.Contains("fleet: registered arbin-01 (LFP | graphite, BPX lfp_18650_cell_BPX.json", fleet.Output, StringComparison.Ordinal);
        Assert.Contains("fleet: registered arbin-01-c01", fleet.Output, StringComparison.Ordinal);
        var dashboard = manifest!.Value.GetProperty("dashboard").GetString()!;
        var pids = manifest.Value.GetProperty("processes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(["dashboard", "dem", "electrochem", "ingest", "mechanics", "twin", "viscoplastic"], pids.Keys.Order(StringComparer.Ordinal));

        // The dashboard lists both cells with telemetry (measured voltage) and twin state (status from the twin's grains).
        var cells = await Eventually(async () => await _http.GetFromJsonAsync<JsonElement>(dashboard + "api/v1/fleet"),
            f => f.GetProperty("cells").EnumerateArray().Count(c => c.GetProperty("voltage").ValueKind == JsonValueKind.Number) == 2,
            fleet, "both cells with telemetry on the dashboard", TimeSpan.FromSeconds(60));
        Assert.Equal(["arbin-01", "arbin-01-c01"], cells.GetProperty("cells").EnumerateArray().Select(c => c.GetProperty("cell").GetString()).Order(StringComparer.Ordinal));
        var telemetry = await Eventually(() => Points("telemetry", "voltage", dashboard), n => n >= 20, fleet, "20 telemetry points of arbin-01", TimeSpan.FromSeconds(60));
        var state = await Eventually(() => Points("twin_state", "model_voltage", dashboard), n => n >= 10, fleet, "10 twin_state points of arbin-01", TimeSpan.FromSeconds(60));

        // Ingest acknowledged what was sent (progress lines: "sent N acked M").
        var acked = await Eventually(() => Task.FromResult(LastAcked(fleet.Output)), n => n > 0, fleet, "a progress line with acknowledged samples", TimeSpan.FromSeconds(30));

        fleet.Signal(FleetProcess.Sigint);
        var exit = await fleet.WaitForExitAsync(TimeSpan.FromSeconds(120));
        Assert.True(exit == 0, $"exit code {exit}; output:\n{fleet.Output}");
        var summary = StoppedPattern().Match(fleet.Output);
        Assert.True(summary.Success, fleet.Output);
        Assert.True(long.Parse(summary.Groups["acked"].Value) >= acked, fleet.Output);
        Assert.Equal(0, long.Parse(summary.Groups["rejected"].Value));
        Assert.True(long.Parse(summary.Groups["applied"].Value) > 0, fleet.Output);
        Assert.All(pids, p => Assert.False(FleetProcess.IsRunning(p.Value), $"{p.Key} (pid {p.Value}) is still running after the fleet stopped"));
        Assert.True(telemetry >= 20 && state >= 10);
    }

    [Fact]
    public async Task A_service_that_cannot_start_is_named_with_its_log_and_the_others_are_stopped()
    {
        // The dashboard's port is taken, so its host fails to bind; every other service starts.
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var portBase = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var fleet = FleetProcess.Start(_data, "--port-base", portBase.ToString(System.Globalization.CultureInfo.InvariantCulture), "--file", SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
        var exit = await fleet.WaitForExitAsync(TimeSpan.FromSeconds(120));
        Assert.True(exit == 1, $"exit code {exit}; output:\n{fleet.Output}");
        Assert.Contains("fleet: dashboard failed to start (exited)", fleet.Output, StringComparison.Ordinal);
        Assert.Contains("address already in use", fleet.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("fleet: stopping the other services", fleet.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("fleet: registered", fleet.Output, StringComparison.Ordinal);
        var pids = fleet.Manifest()!.Value.GetProperty("processes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(7, pids.Count);
        Assert.All(pids, p => Assert.False(FleetProcess.IsRunning(p.Value), $"{p.Key} (pid {p.Value}) is still running after the fleet gave up"));
    }

    [Fact]
    public async Task A_fleet_killed_with_sigkill_leaves_no_service_running()
    {
        using var fleet = FleetProcess.Start(_data, newSession: true, "--port-base", "0", "--file", SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"), "--duration", "120s");
        await Eventually(() => Task.FromResult(fleet.Output), o => o.Contains("fleet: all services healthy", StringComparison.Ordinal), fleet, "every service healthy", TimeSpan.FromSeconds(120));
        var pids = fleet.Manifest()!.Value.GetProperty("processes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(7, pids.Count);

        // No shutdown code runs in the launcher: each service must notice on its own (its stdin pipe closes) and stop.
        fleet.Signal(FleetProcess.Sigkill);
        await fleet.WaitForExitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline && pids.Values.Any(FleetProcess.IsRunning))
            {
                await Task.Delay(200);
            }

            Assert.All(pids, p => Assert.False(FleetProcess.IsRunning(p.Value), $"{p.Key} (pid {p.Value}) still runs 30 s after its launcher was killed"));
        }
        finally
        {
            foreach (var pid in pids.Values.Where(FleetProcess.IsRunning))
            {
                using var orphan = System.Diagnostics.Process.GetProcessById(pid);
                orphan.Kill();
            }
        }
    }

    private async Task<long> Points(string measurement, string field, string dashboard)
    {
        var json = await _http.GetFromJsonAsync<JsonElement>($"{dashboard}api/v1/series?measurement={measurement}&fields={field}&cell=arbin-01&from=now-1h&to=now%2B1h&raw=true");
        return json.GetProperty("series").EnumerateArray().Sum(s => (long)s.GetProperty("t").GetArrayLength());
    }

    private static long LastAcked(string output) =>
        AckedPattern().Matches(output).Select(m => long.Parse(m.Groups[1].Value)).DefaultIfEmpty(0).Last();

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, FleetProcess fleet, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = default(T);
        Exception? error = null;
        while (DateTime.UtcNow < deadline && !fleet.HasExited)
        {
            try
            {
                last = await read();
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                error = e;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}; last value {last}, last error {error?.Message}; fleet output:\n{fleet.Output}");
    }

    [GeneratedRegex(@"acked (\d+) ")]
    private static partial Regex AckedPattern();

    [GeneratedRegex(@"fleet: stopped; \d+ cells, (?<sent>\d+) samples sent, (?<acked>\d+) acknowledged by Ingest, (?<rejected>\d+) rejected, (?<applied>\d+) applied by the twin")]
    private static partial Regex StoppedPattern();
}
