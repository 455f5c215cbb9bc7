// The fleet: every service started from its built output as a child process on 127.0.0.1, waited on until healthy,
// cells registered with the Twin, real cycler files replayed through Ingest, progress shown, and a clean stop.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Contracts.Twin.V1;
using DigitalTwin.Rpc;
using Common = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Cli.Commands.Fleet;

public sealed class FleetRunner
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private readonly FleetSettings _settings;
    private readonly TextWriter _out;
    private readonly List<ChildService> _services = [];
    private readonly List<CellReplay> _cells = [];
    private readonly List<Task> _replays = [];
    private readonly CancellationTokenSource _replayStop = new();
    private readonly Lock _stopGate = new();
    private readonly Stopwatch _clock = new();
    private readonly bool _terminal;
    private Task? _stopping;
    private RpcChannel? _twinChannel;
    private RpcChannel? _ingestChannel;
    private int _appliedRound;

    /// <summary>Per electrode ("cell/positive"): the last DEM study and failure count already reported.</summary>
    private readonly Dictionary<string, (string StudyId, uint Failures)> _demSeen = new(StringComparer.Ordinal);

    private int _demStudies;

    private int _demFailures;
    private TimeSpan _startUp;
    private TimeSpan _replayStarted;
    private string _dataDirectory = "";

    public FleetRunner(FleetSettings settings, TextWriter output, bool terminal)
    {
        _settings = settings;
        _out = output;
        _terminal = terminal;
    }

    /// <summary>Process ids of the services started, for checks that none is left behind.</summary>
    public IReadOnlyList<int> ChildProcessIds => [.. _services.Select(s => s.ProcessId)];

    /// <summary>
    /// Runs until the duration passes or <paramref name="cancel"/> fires (Ctrl-C), then stops everything and returns
    /// 0, or 1 when a service failed or a file could not be read.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken cancel)
    {
        _clock.Start();
        var result = 1;
        try
        {
            result = await StartAndReplayAsync(cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            result = 0;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or RpcException or IOException or ArgumentException)
        {
            await _out.WriteLineAsync($"fleet: {e.Message}");
            result = 1;
        }

        await StopAsync();
        return result;
    }

    /// <summary>Stops the replays, drains the dashboard writer and stops every service (SIGTERM, kill after 10 s). Idempotent.</summary>
    public Task StopAsync()
    {
        lock (_stopGate)
        {
            return _stopping ??= Task.Run(StopCoreAsync);
        }
    }

    private async Task<int> StartAndReplayAsync(CancellationToken cancel)
    {
        var repo = RepositoryLayout.Locate();
        _dataDirectory = Path.GetFullPath(_settings.DataDirectory);
        var logs = Path.Combine(_dataDirectory, "logs");
        ResetData(_dataDirectory);
        Directory.CreateDirectory(logs);

        var files = _settings.Files.Select(RepositoryLayout.CyclerFile).ToList();
        var loading = Task.Run(() => files.Select(ReplaySource.Load).ToList(), cancel);

        var ports = PortPlan.From(_settings.PortBase);
        var keys = new FleetKeys(Key(), Key(), Key());
        await _out.WriteLineAsync($"fleet: starting 7 services from {repo.Configuration} builds under {repo.Root}; logs in {logs}");
        await _out.FlushAsync(cancel);
        using var http = new HttpClient();
        StartServices(repo, ports, keys, logs, http);
        await WriteManifestAsync(ports, keys, logs, cancel);

        var waits = _services.Select(async s => (Service: s, Healthy: await s.WaitHealthyAsync(_settings.StartTimeout, cancel), At: _clock.Elapsed)).ToList();
        var health = await Task.WhenAll(waits);
        cancel.ThrowIfCancellationRequested();
        var failed = health.Where(h => !h.Healthy).ToList();
        if (failed.Count > 0)
        {
            foreach (var (service, _, _) in failed)
            {
                var why = service.HasExited ? "exited" : $"did not answer its health check within {_settings.StartTimeout.TotalSeconds:0} s";
                await _out.WriteLineAsync($"fleet: {service.Name} failed to start ({why}); the end of {service.LogPath}:");
                await _out.WriteLineAsync(service.Tail());
            }

            await _out.WriteLineAsync("fleet: stopping the other services");
            return 1;
        }

        _startUp = _clock.Elapsed;
        await _out.WriteLineAsync($"fleet: all services healthy in {_startUp.TotalSeconds:0.0} s ({string.Join(", ", health.Select(h => $"{h.Service.Name} {h.At.TotalSeconds:0.0} s"))})");

        var sources = await loading;
        _twinChannel = RpcChannel.ForAddress($"http://127.0.0.1:{ports.Twin}");
        _ingestChannel = RpcChannel.ForAddress($"http://127.0.0.1:{ports.IngestGrpc}");
        var twin = new TwinServiceClient(_twinChannel);
        var twinKey = new Metadata { { "x-api-key", keys.Twin } };
        await RegisterCellsAsync(sources, twin, twinKey, cancel);

        var dashboard = $"http://127.0.0.1:{ports.Dashboard}/";
        await WriteManifestAsync(ports, keys, logs, cancel);
        await _out.WriteLineAsync($"""
            fleet: {_cells.Count} cells replaying at {_settings.Speed:0.##}× from {string.Join(", ", sources.Select(s => s.FileName))}
              dashboard        {dashboard}   (cell pages: {dashboard}cell.html?cell={_cells[0].CellId})
              dashboard API    {dashboard}api/v1/fleet   (writes: POST {dashboard}write?db=digitaltwin, key {keys.Dashboard})
              twin gRPC        http://127.0.0.1:{ports.Twin}   (x-api-key {keys.Twin})
              ingest gRPC      http://127.0.0.1:{ports.IngestGrpc}   HTTP uploads http://127.0.0.1:{ports.IngestHttp}/   (x-api-key {keys.Ingest})
              solvers gRPC     electrochem :{ports.Electrochem}  mechanics :{ports.Mechanics}  viscoplastic :{ports.Viscoplastic}  dem :{ports.Dem}
              data             {_dataDirectory}   (fleet.json has these addresses and keys)
            {(_settings.Duration is { } d ? $"fleet: stopping after {d.TotalSeconds:0} s, or on Ctrl-C" : "fleet: Ctrl-C stops the fleet")}
            """);
        await _out.FlushAsync(cancel);

        var ingest = new TelemetryServiceClient(_ingestChannel);
        var ingestKey = new Metadata { { "x-api-key", keys.Ingest } };
        _replayStarted = _clock.Elapsed;
        foreach (var cell in _cells)
        {
            _replays.Add(Task.Run(() => cell.RunAsync(ingest, ingestKey, _settings.Speed, _settings.Loop, _replayStop.Token), CancellationToken.None));
        }

        await ProgressAsync(twin, cancel);
        return 0;
    }

    private void StartServices(RepositoryLayout repo, PortPlan ports, FleetKeys keys, string logs, HttpClient http)
    {
        static Uri Local(int port) => new($"http://127.0.0.1:{port}");
        var data = _dataDirectory;
        void Start(string name, string project, IEnumerable<string> args, Func<CancellationToken, Task<bool>> healthy) =>
            _services.Add(ChildService.Start(name, repo.ServiceDll(project), args, data, Path.Combine(logs, name + ".log"), healthy));

        Start("electrochem", "Electrochem", [$"--Rpc:Port={ports.Electrochem}"], ChildService.GrpcHealth(Local(ports.Electrochem)));
        Start("mechanics", "Mechanics", [$"--Rpc:Port={ports.Mechanics}"], ChildService.GrpcHealth(Local(ports.Mechanics)));
        Start("viscoplastic", "Viscoplastic", [$"--Rpc:Port={ports.Viscoplastic}"], ChildService.GrpcHealth(Local(ports.Viscoplastic)));
        Start("dem", "Dem", [$"--Rpc:Port={ports.Dem}"], ChildService.GrpcHealth(Local(ports.Dem)));
        Start("ingest", "Ingest",
            [$"--Ingest:GrpcPort={ports.IngestGrpc}", $"--Ingest:HttpPort={ports.IngestHttp}", $"--Ingest:ApiKeys:0={keys.Ingest}", $"--Ingest:DataDirectory={Path.Combine(data, "ingest")}"],
            ChildService.GrpcHealth(Local(ports.IngestGrpc)));
        Start("dashboard", "Dashboard",
            [$"--urls=http://127.0.0.1:{ports.Dashboard}", "--Dashboard:Store=embedded", $"--Dashboard:DataPath={Path.Combine(data, "timeseries.db")}", $"--Dashboard:WriteApiKey={keys.Dashboard}"],
            ChildService.HttpHealth(http, new Uri(Local(ports.Dashboard), "/healthz")));
        Start("twin", "Twin",
        [
            $"--Rpc:Port={ports.Twin}",
            $"--Twin:StorageConnectionString={Path.Combine(data, "twin.db")}",
            $"--Twin:ApiKeys={keys.Twin}",
            $"--Twin:ElectrochemAddress={Local(ports.Electrochem)}",
            $"--Twin:MechanicsAddress={Local(ports.Mechanics)}",
            $"--Twin:ViscoplasticAddress={Local(ports.Viscoplastic)}",
            $"--Twin:DemAddress={Local(ports.Dem)}",
            $"--Twin:IngestAddress={Local(ports.IngestGrpc)}",
            $"--Twin:IngestApiKey={keys.Ingest}",
            $"--Twin:SeriesUrl={Local(ports.Dashboard)}",
            "--Twin:SeriesDatabase=digitaltwin",
            $"--Twin:SeriesApiKey={keys.Dashboard}",
        ], ChildService.GrpcHealth(Local(ports.Twin)));
    }

    private async Task RegisterCellsAsync(List<ReplaySource> sources, TwinServiceClient twin, Metadata key, CancellationToken cancel)
    {
        var random = new Random(20_260_302);
        var perVendor = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            var n = perVendor[source.Vendor] = perVendor.GetValueOrDefault(source.Vendor) + 1;
            var baseId = $"{source.Vendor}-{n:00}";
            var lot = $"lot-{source.Vendor}";
            for (var clone = 0; clone <= _settings.Clones; clone++)
            {
                // Clones: ±3 % capacity (current and counters scale with it) and ±3 mV, as cells of one lot differ.
                var scale = clone == 0 ? 1.0 : 1 + (random.NextDouble() * 2 - 1) * 0.03;
                var offset = clone == 0 ? 0.0 : (random.NextDouble() * 2 - 1) * 0.003;
                var cell = new CellReplay(clone == 0 ? baseId : $"{baseId}-c{clone:00}", lot, source, scale, offset);
                var design = source.Design(scale);
                var request = new RegisterCellRequest { CellId = cell.CellId, LotId = lot, Design = design };
                request.Labels.Add("source_file", source.FileName);
                request.Labels.Add("replay", clone == 0 ? "real" : $"clone {clone}: capacity ×{scale:0.000}, voltage {offset * 1000:+0.0;-0.0} mV");
                var response = await twin.RegisterCellAsync(request, new CallOptions(Headers: key, CancellationToken: cancel)).ResponseAsync;
                var warnings = response.Warnings.Count > 0 ? $"; warnings: {string.Join("; ", response.Warnings.Select(w => w.Message))}" : "";
                await _out.WriteLineAsync($"fleet: registered {cell.CellId} ({design.Chemistry}, {ReplaySource.Describe(design.Parameters)}, {design.NominalCapacityAh:0.###} Ah, {design.MinVoltage:0.00}-{design.MaxVoltage:0.00} V) from {source.FileName}{warnings}");
                _cells.Add(cell);
            }
        }
    }

    private async Task ProgressAsync(TwinServiceClient twin, CancellationToken cancel)
    {
        var end = _settings.Duration is { } d ? _clock.Elapsed + d : TimeSpan.MaxValue;
        var lastPrinted = TimeSpan.Zero;
        var period = _terminal ? _settings.ProgressInterval : TimeSpan.FromSeconds(Math.Max(5, _settings.ProgressInterval.TotalSeconds));
        while (_clock.Elapsed < end && !cancel.IsCancellationRequested)
        {
            var wait = end - _clock.Elapsed < _settings.ProgressInterval ? end - _clock.Elapsed : _settings.ProgressInterval;
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancel);
            var dead = _services.FirstOrDefault(s => s.HasExited);
            if (dead is not null)
            {
                await _out.WriteLineAsync($"{(_terminal ? "\n" : "")}fleet: {dead.Name} exited unexpectedly; the end of {dead.LogPath}:");
                await _out.WriteLineAsync(dead.Tail());
                throw new IOException($"{dead.Name} exited while the fleet was running");
            }

            if (_clock.Elapsed - lastPrinted >= period || _clock.Elapsed >= end)
            {
                lastPrinted = _clock.Elapsed;
                foreach (var dem in await DemNewsAsync(twin, cancel))
                {
                    await _out.WriteAsync(_terminal ? "\r" : "");
                    await _out.WriteLineAsync(_terminal ? dem.PadRight(Math.Max(40, SafeWidth() - 1)) : dem);
                }

                var line = await ProgressLineAsync(twin, cancel);
                if (_terminal)
                {
                    var width = Math.Max(40, SafeWidth() - 1);
                    await _out.WriteAsync("\r" + (line.Length > width ? line[..width] : line.PadRight(width)));
                }
                else
                {
                    await _out.WriteLineAsync(line);
                }

                await _out.FlushAsync(cancel);
            }
        }

        if (_terminal)
        {
            await _out.WriteLineAsync();
        }
    }

    private async Task<string> ProgressLineAsync(TwinServiceClient twin, CancellationToken cancel)
    {
        var sent = _cells.Sum(c => c.Sent);
        var acked = _cells.Sum(c => c.Acknowledged);
        var seconds = Math.Max(0.001, (_clock.Elapsed - _replayStarted).TotalSeconds);
        var state = "";
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            deadline.CancelAfter(TimeSpan.FromSeconds(2));
            var list = await twin.ListCellsAsync(new ListCellsRequest(), new CallOptions(CancellationToken: deadline.Token)).ResponseAsync;
            state = list.Cells.Count > 6
                ? " | twin " + string.Join(", ", list.Cells.GroupBy(c => Status(c.Status)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))
                    + $", {list.Cells.Count(c => c.ActiveAlerts > 0)} with alerts"
                : " | twin " + string.Join(" ", list.Cells.OrderBy(c => c.CellId, StringComparer.Ordinal).Select(c =>
                $"{c.CellId}:{Status(c.Status)} c{c.CycleIndex}{(double.IsFinite(c.Soc) ? $" SOC {c.Soc * 100:0}%" : "")}{(double.IsFinite(c.Soh) ? $" SOH {c.Soh * 100:0}%" : "")}{(c.ActiveAlerts > 0 ? $" {c.ActiveAlerts}!" : "")}"));
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or HttpRequestException or IOException)
        {
            state = " | twin: no answer";
        }

        await UpdateAppliedAsync(twin, cancel);
        var applied = _cells.Sum(c => c.Applied);
        var problem = _cells.Select(c => c.LastProblem).FirstOrDefault(p => p is not null);
        var perCell = _cells.Count <= 6 ? " [" + string.Join(" ", _cells.Select(c => $"{c.CellId} {c.Applied}/{c.Acknowledged}/{c.Sent}")) + "]" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{_clock.Elapsed:hh\\:mm\\:ss} sent {sent} acked {acked} applied {applied} ({sent / seconds:0}/s){perCell}{state}{(problem is null ? "" : " | " + problem)}");
    }

    /// <summary>
    /// DEM packing results and failures that arrived since the last round, one line each, read from the electrodes of
    /// up to 12 cells (the first ones: a large fleet shows a sample of its studies).
    /// </summary>
    private async Task<List<string>> DemNewsAsync(TwinServiceClient twin, CancellationToken cancel)
    {
        var news = new List<string>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(TimeSpan.FromSeconds(2));
        foreach (var cell in _cells.Take(12))
        {
            foreach (var role in new[] { Common.ElectrodeRole.Positive, Common.ElectrodeRole.Negative })
            {
                PackingState? packing;
                try
                {
                    packing = (await twin.GetElectrodeStateAsync(new GetElectrodeStateRequest { CellId = cell.CellId, Electrode = role }, new CallOptions(CancellationToken: deadline.Token)).ResponseAsync).State.Packing;
                }
                catch (Exception e) when (e is RpcException or OperationCanceledException or HttpRequestException or IOException)
                {
                    return news;
                }

                if (packing is null)
                {
                    continue;
                }

                var key = $"{cell.CellId}/{role.ToString().ToLowerInvariant()}";
                var seen = _demSeen.GetValueOrDefault(key, (StudyId: "", Failures: 0u));
                if (packing.StudyId.Length > 0 && packing.StudyId != seen.StudyId)
                {
                    _demStudies++;
                    var am = packing.TypeStresses.FirstOrDefault(t => t.ActiveMaterial);
                    var line = string.Create(CultureInfo.InvariantCulture,
                        $"fleet: DEM {key} {packing.StudyId} ({packing.Trigger}, cycle {packing.CycleIndex}): AM swelling {packing.SwellingStrain * 100:+0.00;-0.00}% under {packing.PlatePressure / 1e6:0.0} MPa -> AM stress {packing.ActiveMaterialStressZz / 1e6:0.0} MPa (p95 {(am?.StressZzP95 ?? double.NaN) / 1e6:0.0}), solid fraction {packing.SolidFraction:0.000}, coordination {packing.MeanCoordination:0.00}");
                    if (packing.AmSeContacts > 0)
                    {
                        line += string.Create(CultureInfo.InvariantCulture, $", AM-SE contacts {packing.AmSeContacts} ({packing.AmSeCoordination:0.00}/AM, loss {packing.AmSeContactLoss * 100:0.0}%)");
                    }

                    if (double.IsFinite(packing.StressToStrengthRatio))
                    {
                        line += string.Create(CultureInfo.InvariantCulture, $", {packing.StressToStrengthRatio * 100:0}% of particle strength");
                    }

                    news.Add(line);
                }

                if (packing.Failures > seen.Failures)
                {
                    _demFailures += (int)(packing.Failures - seen.Failures);
                    news.Add($"fleet: DEM {key}: study failed ({packing.Failures} so far): {packing.LastError}");
                }

                _demSeen[key] = (packing.StudyId.Length > 0 ? packing.StudyId : seen.StudyId, packing.Failures);
            }
        }

        return news;
    }

    /// <summary>Asks the twin how far each cell got (applied/acked/sent per cell); up to 50 cells per round.</summary>
    private async Task UpdateAppliedAsync(TwinServiceClient twin, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(TimeSpan.FromSeconds(2));
        var round = _cells.Count <= 50 ? _cells : [.. _cells.Skip(_appliedRound++ * 50 % _cells.Count).Take(50)];
        await Task.WhenAll(round.Select(async cell =>
        {
            try
            {
                var state = await twin.GetCellStateAsync(new GetCellStateRequest { CellId = cell.CellId }, new CallOptions(CancellationToken: deadline.Token)).ResponseAsync;
                cell.Applied = state.State.LastAppliedSequence.TryGetValue(cell.SourceId, out var q) ? (long)q : 0;
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or HttpRequestException or IOException)
            {
                // The next round asks again.
            }
        }));
    }

    private static string Status(CellStatus status) => status switch
    {
        CellStatus.Unspecified => "?",
        _ => status.ToString().ToLowerInvariant(),
    };

    private async Task StopCoreAsync()
    {
        await _replayStop.CancelAsync();
        try
        {
            await Task.WhenAll(_replays).WaitAsync(TimeSpan.FromSeconds(8));
        }
        catch (Exception e) when (e is RpcException or TimeoutException or IOException or HttpRequestException or InvalidOperationException)
        {
            await _out.WriteLineAsync($"fleet: a replay ended with: {e.Message}");
        }

        if (_twinChannel is not null && _cells.Count > 0)
        {
            var client = new TwinServiceClient(_twinChannel);
            await UpdateAppliedAsync(client, CancellationToken.None);
            foreach (var dem in await DemNewsAsync(client, CancellationToken.None))
            {
                await _out.WriteLineAsync(dem);
            }
        }

        // The twin first (it writes its grains' state on the way out), then the rest together.
        foreach (var twin in _services.Where(s => s.Name == "twin"))
        {
            await twin.StopAsync(StopGrace);
        }

        await Task.WhenAll(_services.Select(s => s.StopAsync(StopGrace)));
        foreach (var s in _services)
        {
            await s.DisposeAsync();
        }

        _twinChannel?.Dispose();
        _ingestChannel?.Dispose();
        if (_cells.Count > 0)
        {
            var seconds = Math.Max(0.001, (_clock.Elapsed - _replayStarted).TotalSeconds);
            var sent = _cells.Sum(c => c.Sent);
            var acked = _cells.Sum(c => c.Acknowledged);
            await _out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"fleet: stopped; {_cells.Count} cells, {sent} samples sent, {acked} acknowledged by Ingest, {_cells.Sum(c => c.Rejected)} rejected, {_cells.Sum(c => c.Applied)} applied by the twin; {sent / seconds:0} samples/s sent, {_cells.Sum(c => c.Applied) / seconds:0} applied/s over {seconds:0.0} s; {_demStudies} DEM packing studies reported, {_demFailures} failed; start-up {_startUp.TotalSeconds:0.0} s"));
        }
        else
        {
            await _out.WriteLineAsync("fleet: stopped");
        }

        await _out.FlushAsync();
    }

    private async Task WriteManifestAsync(PortPlan ports, FleetKeys keys, string logs, CancellationToken cancel)
    {
        var manifest = new Dictionary<string, object>
        {
            ["dashboard"] = $"http://127.0.0.1:{ports.Dashboard}/",
            ["twin"] = $"http://127.0.0.1:{ports.Twin}",
            ["ingest_grpc"] = $"http://127.0.0.1:{ports.IngestGrpc}",
            ["ingest_http"] = $"http://127.0.0.1:{ports.IngestHttp}",
            ["electrochem"] = $"http://127.0.0.1:{ports.Electrochem}",
            ["mechanics"] = $"http://127.0.0.1:{ports.Mechanics}",
            ["viscoplastic"] = $"http://127.0.0.1:{ports.Viscoplastic}",
            ["dem"] = $"http://127.0.0.1:{ports.Dem}",
            ["keys"] = new Dictionary<string, string> { ["twin"] = keys.Twin, ["ingest"] = keys.Ingest, ["dashboard"] = keys.Dashboard },
            ["cells"] = _cells.Select(c => c.CellId).ToArray(),
            ["logs"] = logs,
            ["processes"] = _services.ToDictionary(s => s.Name, s => s.ProcessId),
        };
        await File.WriteAllTextAsync(Path.Combine(_dataDirectory, "fleet.json"), JsonSerializer.Serialize(manifest, ManifestJson), cancel);
    }

    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true };

    /// <summary>Each run starts empty: the previous run's logs and stores under the data folder are removed.</summary>
    private static void ResetData(string data)
    {
        Directory.CreateDirectory(data);
        foreach (var dir in new[] { "ingest", "logs", "twin-series-buffer" })
        {
            var path = Path.Combine(data, dir);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        foreach (var pattern in new[] { "twin.db*", "timeseries.db*", "fleet.json" })
        {
            foreach (var file in Directory.EnumerateFiles(data, pattern))
            {
                File.Delete(file);
            }
        }
    }

    private static string Key() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 160;
        }
        catch (IOException)
        {
            return 160;
        }
    }

    private sealed record FleetKeys(string Twin, string Ingest, string Dashboard);
}
