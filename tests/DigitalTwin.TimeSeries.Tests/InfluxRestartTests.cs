// Nothing is lost when influxd goes away: writes buffer on disk while it is down (server killed
// with SIGKILL), reach it after the restart, survive a client restart too, and a full buffer makes
// writers wait instead of dropping points. Each test runs its own influxd.
using DigitalTwin.Testing;
using DigitalTwin.TimeSeries.Influx;

namespace DigitalTwin.TimeSeries.Tests;

public sealed class InfluxRestartTests
{
    private static readonly long Second = Points.TimeUnits.NanosecondsPerSecond;

    [Fact]
    public async Task An_influxd_restart_and_a_client_restart_lose_nothing()
    {
        await using var server = await InfluxDbServer.StartAsync();
        const string Database = "restart";
        var options = InfluxDbStoreTests.Options(Database, server.Endpoint, StoreTestData.TempFile("buffer")) with
        {
            DrainOnDispose = TimeSpan.FromMilliseconds(200),
        };
        var first = StoreTestData.Samples("c1", StoreTestData.Start, 10_000, seed: 1);
        var whileDown = StoreTestData.Samples("c1", StoreTestData.Start + (10_000 * Second), 10_000, seed: 2);
        var beforeClientRestart = StoreTestData.Samples("c1", StoreTestData.Start + (20_000 * Second), 5_000, seed: 3);

        await using (var store = new InfluxDbStore(options))
        {
            foreach (var chunk in first.Chunk(1_000))
            {
                await store.WriteAsync(StoreTestData.Batch(chunk));
            }

            await Within.Seconds(30, store.FlushAsync(), "first 10 000 points accepted");
            await server.StopAsync();

            var failing = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            store.SendFailed += (_, message) => failing.TrySetResult(message);
            foreach (var chunk in whileDown.Chunk(1_000))
            {
                await store.WriteAsync(StoreTestData.Batch(chunk));
            }

            await Within.Seconds(30, failing.Task, "a failed send while influxd is down");
            Assert.True(store.Status.PendingSegments > 0, "points written while influxd is down stay buffered");

            await server.RestartAsync();
            await Within.Seconds(60, store.FlushAsync(), "buffered points accepted after the restart");
            Assert.Equal(20_000, await InfluxDbStoreTests.CountAsync(server.Endpoint, Database, "telemetry", "voltage"));

            await server.StopAsync();
            await store.WriteAsync(StoreTestData.Batch(beforeClientRestart));
        }

        // The first client is gone with its segments on disk; a new one on the same folder sends them.
        await server.RestartAsync();
        await using (var store = new InfluxDbStore(options))
        {
            await Within.Seconds(60, store.FlushAsync(), "segments left by the previous client accepted");
            Assert.Equal(0, store.Status.PendingSegments);
        }

        Assert.Equal(25_000, await InfluxDbStoreTests.CountAsync(server.Endpoint, Database, "telemetry", "voltage"));
    }

    [Fact]
    public async Task A_full_buffer_makes_writers_wait_instead_of_dropping_points()
    {
        await using var server = await InfluxDbServer.StartAsync();
        const string Database = "bounded";
        await InfluxDbStoreTests.CreateDatabaseAsync(server.Endpoint, Database);
        await server.StopAsync();
        var options = InfluxDbStoreTests.Options(Database, server.Endpoint, StoreTestData.TempFile("buffer")) with
        {
            MaxBufferBytes = 64 << 10,
            MaxSegmentBytes = 16 << 10,
        };
        await using var store = new InfluxDbStore(options);
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BufferFull += (_, _) => full.TrySetResult();
        var points = StoreTestData.Samples("c1", StoreTestData.Start, 10_000);
        var writer = Task.Run(async () =>
        {
            foreach (var chunk in points.Chunk(200))
            {
                await store.WriteAsync(StoreTestData.Batch(chunk));
            }
        });

        await Within.Seconds(30, full.Task, "the writer waiting on a full buffer");
        Assert.False(writer.IsCompleted, "a writer must wait while the buffer is full");
        Assert.True(store.Status.BufferedBytes <= options.MaxBufferBytes, $"buffer holds {store.Status.BufferedBytes} bytes, bound {options.MaxBufferBytes}");

        await server.RestartAsync();
        await Within.Seconds(60, writer, "the waiting writer to finish once influxd is back");
        await Within.Seconds(60, store.FlushAsync(), "every point accepted");
        Assert.Equal(points.Count, await InfluxDbStoreTests.CountAsync(server.Endpoint, Database, "telemetry", "voltage"));
    }
}
