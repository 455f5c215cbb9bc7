// Runs the demo fleet inside the host when Dashboard:Demo:Enabled is set (`--demo`): history first,
// then a live replay, written through the same sink as everything else (so it reaches the browsers).
using DigitalTwin.Services.Dashboard.Live;
using DigitalTwin.TimeSeries.Demo;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Services.Dashboard.Hosting;

public sealed class DemoService(LiveSink sink, IOptions<DashboardOptions> options, TimeProvider time, IHostEnvironment environment,
    ILogger<DemoService> logger) : BackgroundService
{
    private readonly TaskCompletionSource _historyWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the history is in the store (tests wait on it), faults if the demo cannot start.</summary>
    public Task HistoryWritten => _historyWritten.Task;

    public DemoFleet? Fleet { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Demo;
        var path = settings.Source ?? DemoSource.LocateDefault(environment.ContentRootPath);
        if (path is null || !File.Exists(path))
        {
            var error = new FileNotFoundException($"Demo source file not found ('{settings.Source ?? "shared/data/cycler/arbin_csv/arbin_example.csv"}'): set Dashboard:Demo:Source or DIGITALTWIN_SHARED.");
            logger.LogError("{Message}", error.Message);
            _historyWritten.TrySetException(error);
            return;
        }

        try
        {
            var source = DemoSource.Load(path);
            Fleet = new DemoFleet(sink, source, new DemoFleetOptions
            {
                Cells = settings.Cells,
                Speed = settings.Speed,
                HistoryCycles = settings.HistoryCycles,
                Seed = settings.Seed,
                LiveReplay = settings.LiveReplay,
                TimeProvider = time,
            });
            logger.LogInformation("Demo fleet: {Cells} cells replaying {File} at {Speed}x.", settings.Cells, Path.GetFileName(path), settings.Speed);
            await Fleet.WriteHistoryAsync(stoppingToken);
            _historyWritten.TrySetResult();
            logger.LogInformation("Demo history written: {Points} points.", Fleet.PointsWritten);
            if (settings.LiveReplay)
            {
                await Fleet.ReplayAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _historyWritten.TrySetCanceled(stoppingToken);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Demo fleet stopped.");
            _historyWritten.TrySetException(ex);
        }
    }
}
