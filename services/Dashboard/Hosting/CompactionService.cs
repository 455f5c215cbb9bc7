// Merges the embedded store's small chunks every CompactionInterval (a big fleet checkpoints few
// points per series each time).
using DigitalTwin.TimeSeries.Embedded;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Services.Dashboard.Hosting;

public sealed class CompactionService(SqliteTimeSeriesStore store, IOptions<DashboardOptions> options, TimeProvider time,
    ILogger<CompactionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CompactionInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var result = await store.CompactAsync(stoppingToken);
                if (result.RowsRemoved > 0)
                {
                    logger.LogInformation("Compacted the time-series file: {Removed} chunks merged into {Added}.", result.RowsRemoved, result.RowsAdded);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }
}
