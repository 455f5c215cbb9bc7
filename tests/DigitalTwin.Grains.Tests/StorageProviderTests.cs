// The same contract checked against every grain store: versions, conflicts, clears, reminders, concurrent writers, a grain round trip.
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;

namespace DigitalTwin.Grains.Tests;

public abstract class StorageProviderContract
{
    private static readonly GrainId Cell = new("CellGrain", "cell/ü-1");

    protected abstract Task<IGrainStore> CreateStoreAsync();

    [Fact]
    public async Task Write_read_and_version_conflicts()
    {
        await using var store = await CreateStoreAsync();
        Assert.Null(await store.ReadAsync(Cell, default).Within("read of a missing grain"));

        var v1 = await store.WriteAsync(Cell, """{"a":1}""", null, default).Within("first write");
        var v2 = await store.WriteAsync(Cell, """{"a":2}""", v1, default).Within("second write");
        Assert.NotEqual(v1, v2);
        var read = await store.ReadAsync(Cell, default).Within("read back");
        Assert.Equal(v2, read!.ETag);
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(read.Json).RootElement.GetProperty("a").GetInt32());

        var stale = await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync(Cell, """{"a":3}""", v1, default).AsTask().Within("a stale write"));
        Assert.Equal(v1, stale.ExpectedETag);
        Assert.Equal(v2, stale.StoredETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync(Cell, """{"a":4}""", null, default).AsTask().Within("a blind first write over existing state"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => store.ClearAsync(Cell, v1, default).AsTask().Within("a stale clear"));
        await store.ClearAsync(Cell, v2, default).Within("clear");
        Assert.Null(await store.ReadAsync(Cell, default).Within("read after clear"));
        await store.WriteAsync(Cell, """{"a":5}""", null, default).Within("write after clear");
    }

    [Fact]
    public async Task Concurrent_writers_of_many_grains_all_persist()
    {
        await using var store = await CreateStoreAsync();
        var grains = Enumerable.Range(0, 200).Select(i => new GrainId("CellGrain", $"c{i}")).ToList();
        var etags = await Task.WhenAll(grains.Select(g => store.WriteAsync(g, $$"""{"k":"{{g.Key}}"}""", null, default).AsTask())).Within("200 concurrent first writes");
        await Task.WhenAll(grains.Select((g, i) => store.WriteAsync(g, $$"""{"k":"{{g.Key}}","n":2}""", etags[i], default).AsTask())).Within("200 concurrent second writes");
        foreach (var g in grains)
        {
            var read = await store.ReadAsync(g, default).Within("read back");
            Assert.Contains($"\"{g.Key}\"", read!.Json);
            Assert.Contains("2", read.Json);
        }
    }

    [Fact]
    public async Task A_batched_write_commits_every_row_but_the_conflicting_ones()
    {
        await using var store = await CreateStoreAsync();
        var existing = new GrainId("CellGrain", "existing");
        var v1 = await store.WriteAsync(existing, """{"n":1}""", null, default).Within("a first write");
        var writes = Enumerable.Range(0, 1200).Select(i => new GrainStateWrite(new GrainId("ParticleGrain", $"p{i}"), $$"""{"i":{{i}}}""", null))
            .Append(new GrainStateWrite(existing, """{"n":2}""", v1))
            .Append(new GrainStateWrite(existing with { Key = "stale" }, """{"n":3}""", "7"))
            .ToList();
        var results = await store.WriteManyAsync(writes, default).Within("1202 rows in one batch");

        // 1200 inserts and one update succeed; the row naming version 7 of a grain that has none is the one conflict.
        Assert.Equal(1201, results.Count(r => r.Conflict is null && r.ETag is not null));
        Assert.Null(results[^1].ETag);
        Assert.Equal("7", results[^1].Conflict!.ExpectedETag);
        var row = (await store.ReadAsync(new GrainId("ParticleGrain", "p1199"), default).Within("a batched row"))!.Json;
        Assert.Equal(1199, System.Text.Json.JsonDocument.Parse(row).RootElement.GetProperty("i").GetInt32());
        var updated = await store.ReadAsync(existing, default).Within("the updated row");
        Assert.Equal(results[^2].ETag, updated!.ETag);
        Assert.Null(await store.ReadAsync(existing with { Key = "stale" }, default).Within("the refused row"));
    }

    [Fact]
    public async Task Reminders_are_kept_updated_and_removed()
    {
        await using var store = await CreateStoreAsync();
        var first = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var entry = new ReminderEntry(Cell, "forecast", first, TimeSpan.FromHours(1), null);
        await store.UpsertAsync(entry, default).Within("reminder insert");
        await store.UpsertAsync(entry with { LastTickTime = first + TimeSpan.FromHours(2) }, default).Within("reminder update");
        await store.UpsertAsync(new ReminderEntry(Cell, "flush", first, TimeSpan.FromMinutes(1), null), default).Within("second reminder");

        var all = (await store.ReadAllAsync(default).Within("reminder table")).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(2, all.Count);
        Assert.Equal(entry with { LastTickTime = first + TimeSpan.FromHours(2) }, all[1]);
        Assert.True(await store.RemoveAsync(Cell, "flush", default).Within("reminder removal"));
        Assert.False(await store.RemoveAsync(Cell, "flush", default).Within("second removal"));
        Assert.Single(await store.ReadAllAsync(default).Within("reminder table after removal"));
    }

    [Fact]
    public async Task A_grain_deactivates_and_reactivates_with_its_state()
    {
        await using var store = await CreateStoreAsync();
        var time = new ManualTimeProvider();
        var probe = new Probe();
        await using var host = await TestHost.StartAsync(store, probe, time, new GrainHostOptions { IdleTimeout = TimeSpan.FromMinutes(1), CollectionPeriod = TimeSpan.FromSeconds(10) });
        var grain = host.GrainFactory.GetGrain<IRegisterGrain>("durable");
        await grain.SetAsync("one").Within("written value");
        await grain.SetUnsavedAsync("two").Within("unwritten value");
        time.Advance(TimeSpan.FromMinutes(2));
        await probe.Deactivated.Task.Within("idle deactivation");

        var state = await grain.GetAsync().Within("state after reactivation");
        Assert.Equal("two", state.Value);
        Assert.Equal(2, probe.Activations);
    }
}

public sealed class InMemoryStorageTests : StorageProviderContract
{
    protected override Task<IGrainStore> CreateStoreAsync() => Task.FromResult<IGrainStore>(new InMemoryGrainStore());
}

public sealed class SqliteStorageTests : StorageProviderContract
{
    protected override async Task<IGrainStore> CreateStoreAsync() =>
        await new GrainStoreOptions { Provider = GrainStoreProvider.Sqlite, ConnectionString = TestHost.TempDatabase() }.CreateAsync(default);

    [Fact]
    public async Task Missing_configuration_is_named()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => new GrainStoreOptions { Provider = GrainStoreProvider.PostgreSql }.CreateAsync(default).AsTask());
        Assert.Contains("PostgreSql needs ConnectionString: an Npgsql connection string", error.Message);
    }
}

/// <summary>One real PostgreSQL server for the PostgreSQL provider tests (started from Debian's binaries).</summary>
public sealed class PostgreSqlFixture : IAsyncLifetime
{
    private int _databases;

    public PostgreSqlServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgreSqlServer.StartAsync().Within("PostgreSQL server start", TimeSpan.FromSeconds(90));

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A fresh database per test, so tests do not see each other's rows.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"twin_{Interlocked.Increment(ref _databases)}";
        await using var connection = new Npgsql.NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new Npgsql.NpgsqlConnectionStringBuilder(Server.ConnectionString) { Database = name }.ConnectionString;
    }
}

public sealed class PostgreSqlStorageTests(PostgreSqlFixture postgres) : StorageProviderContract, IClassFixture<PostgreSqlFixture>
{
    protected override async Task<IGrainStore> CreateStoreAsync() =>
        await new GrainStoreOptions { Provider = GrainStoreProvider.PostgreSql, ConnectionString = await postgres.CreateDatabaseAsync() }.CreateAsync(default);
}
