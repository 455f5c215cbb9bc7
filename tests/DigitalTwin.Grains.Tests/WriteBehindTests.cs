// Write-behind state: writes coalesce into periodic batched flushes, groups persist as consistent cuts, a crash rolls
// back to the last flush, and a stop writes everything.
using System.Text.Json;
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;

namespace DigitalTwin.Grains.Tests;

public sealed class WriteBehindTests
{
    // Flushes happen only when a test asks (the period is far longer than any test).
    private static readonly GrainHostOptions Options = new() { StateWrites = StateWriteMode.WriteBehind, WriteBehindPeriod = TimeSpan.FromHours(1) };

    [Fact]
    public async Task Many_writes_of_a_grain_become_one_store_write_at_the_flush()
    {
        var probe = new Probe();
        var logs = new RecordingLoggerFactory();
        await using var store = new SqliteGrainStore(TestHost.TempDatabase());
        await store.InitializeAsync(default);
        await using var host = await Start(store, probe, logs);
        var grain = host.GrainFactory.GetGrain<IRegisterGrain>("coalesced");
        for (var i = 0; i < 50; i++)
        {
            await grain.SetAsync($"v{i}").Within("a staged write");
        }

        Assert.Null(await store.ReadAsync(Id("RegisterGrain", "coalesced"), default));
        Assert.Equal(1, await host.FlushStateAsync().Within("a flush"));
        var stored = await store.ReadAsync(Id("RegisterGrain", "coalesced"), default);
        Assert.Equal("1", stored!.ETag); // one insert for 50 writes
        Assert.Equal("v49", Read(stored).Value);

        await grain.SetAsync("v50").Within("one more write");
        Assert.Equal(1, await host.FlushStateAsync().Within("a second flush"));
        Assert.Equal("2", (await store.ReadAsync(Id("RegisterGrain", "coalesced"), default))!.ETag);
        Assert.Equal(0, await host.FlushStateAsync().Within("a flush with nothing staged"));
        logs.AssertNoProblems();
    }

    [Fact]
    public async Task A_member_never_reaches_the_store_ahead_of_its_root()
    {
        var probe = new Probe();
        await using var store = new InMemoryGrainStore();
        await using var host = await Start(store, probe);
        var root = host.GrainFactory.GetGrain<IGroupRootGrain>("cell");
        await root.StepAsync("1", hold: false).Within("a first step");
        Assert.Equal(2, await host.FlushStateAsync().Within("the flush of root and member"));

        // The member has written "2", the root not yet: a flush now must keep the member at "1".
        var step = root.StepAsync("2", hold: true).AsTask();
        await probe.Started.Task.Within("the member written, the root held");
        Assert.Equal(0, await host.FlushStateAsync().Within("a flush in the middle of the root's turn"));
        Assert.Equal("1", Read((await store.ReadAsync(Id("GroupMemberGrain", "cell/m"), default))!).Value);

        probe.Gate.SetResult();
        await step.Within("the root's turn to end");
        Assert.Equal(2, await host.FlushStateAsync().Within("the flush of the sealed group"));
        Assert.Equal("2", Read((await store.ReadAsync(Id("GroupMemberGrain", "cell/m"), default))!).Value);
        Assert.Equal("2", Read((await store.ReadAsync(Id("GroupRootGrain", "cell"), default))!).Value);
    }

    [Fact]
    public async Task A_grain_reactivated_before_the_flush_sees_its_staged_state_and_a_crash_loses_only_what_was_not_flushed()
    {
        var path = TestHost.TempDatabase();
        var probe = new Probe();
        var first = new SqliteGrainStore(path);
        await first.InitializeAsync(default);
        var crashed = await Start(first, probe);
        var grain = crashed.GrainFactory.GetGrain<IRegisterGrain>("r");
        await grain.SetAsync("flushed").Within("a write");
        await crashed.FlushStateAsync().Within("a flush");
        await grain.SetAsync("staged").Within("a write after the flush");
        await grain.LeaveAsync().Within("deactivation asked for");
        await probe.Deactivated.Task.Within("the deactivation");
        Assert.Equal("staged", (await grain.GetAsync().Within("the state of the new activation")).Value);
        Assert.Equal(2, probe.Activations);

        // The host "crashes": abandoned without stopping, so nothing staged since the flush is written.
        await first.DisposeAsync();
        await using var second = new SqliteGrainStore(path);
        await second.InitializeAsync(default);
        await using var restarted = await Start(second, new Probe());
        var state = await restarted.GrainFactory.GetGrain<IRegisterGrain>("r").GetAsync().Within("the state after the restart");
        Assert.Equal("flushed", state.Value);
        Assert.Equal(1, state.Writes);
    }

    [Fact]
    public async Task Stopping_the_host_writes_everything_staged()
    {
        var probe = new Probe();
        await using var store = new InMemoryGrainStore();
        var host = await Start(store, probe);
        for (var i = 0; i < 20; i++)
        {
            await host.GrainFactory.GetGrain<IRegisterGrain>($"g{i}").SetAsync($"value {i}").Within("a staged write");
        }

        await host.GrainFactory.GetGrain<IGroupRootGrain>("c").StepAsync("x", hold: false).Within("a group step");
        Assert.Equal(22, host.PendingStateWrites);
        await host.StopAsync().Within("the stop");
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"value {i}", Read((await store.ReadAsync(Id("RegisterGrain", $"g{i}"), default))!).Value);
        }

        Assert.Equal("x", Read((await store.ReadAsync(Id("GroupMemberGrain", "c/m"), default))!).Value);
    }

    private static GrainId Id(string type, string key) => new(type, key);

    private static RegisterState Read(StoredGrainState stored) => JsonSerializer.Deserialize<RegisterState>(stored.Json, GrainHostOptions.DefaultSerializerOptions)!;

    private static async Task<LocalGrainHost> Start(IGrainStore store, Probe probe, RecordingLoggerFactory? logs = null)
    {
        var host = new LocalGrainHost(store, Options, null, logs)
            .AddGrain<IRegisterGrain, RegisterGrain>(() => new RegisterGrain(probe))
            .AddGrain<IGroupRootGrain, GroupRootGrain>(() => new GroupRootGrain(probe))
            .AddGrain<IGroupMemberGrain, GroupMemberGrain>(() => new GroupMemberGrain());
        await host.StartAsync().Within("grain host start");
        return host;
    }
}
