// Activation on first call, idle deactivation with state written and restored, hand-over of calls that arrive while a grain ends.
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;

namespace DigitalTwin.Grains.Tests;

public sealed class LifecycleTests
{
    private static readonly GrainHostOptions Options = new() { IdleTimeout = TimeSpan.FromMinutes(10), CollectionPeriod = TimeSpan.FromMinutes(1) };

    [Fact]
    public async Task Idle_grain_is_deactivated_and_its_state_restored_on_the_next_call()
    {
        var probe = new Probe();
        var time = new ManualTimeProvider();
        var logs = new RecordingLoggerFactory();
        await using var store = new SqliteGrainStore(TestHost.TempDatabase());
        await store.InitializeAsync(default);
        await using var host = await TestHost.StartAsync(store, probe, time, Options, logs);
        var grain = host.GrainFactory.GetGrain<IRegisterGrain>("r1");
        await grain.SetAsync("saved").Within("a written value");
        await grain.SetUnsavedAsync("changed but not written").Within("an unwritten value");

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(1, host.ActivationCount);
        time.Advance(TimeSpan.FromMinutes(2));
        await probe.Deactivated.Task.Within("idle deactivation after 10 minutes");

        var state = await grain.GetAsync().Within("state after reactivation");
        Assert.Equal("changed but not written", state.Value);
        Assert.Equal(1, state.Writes);
        Assert.Equal(2, state.History.Count);
        Assert.True(double.IsNaN(state.History[1]));
        Assert.Equal(2, probe.Activations);
        Assert.Equal([DeactivationReason.IdleTimeout], probe.DeactivationReasons);
        logs.AssertNoProblems();
    }

    [Fact]
    public async Task Calls_keep_a_grain_alive_and_timers_do_not()
    {
        var probe = new Probe();
        var time = new ManualTimeProvider();
        await using var host = await TestHost.StartAsync(new InMemoryGrainStore(), probe, time, Options);
        var counter = host.GrainFactory.GetGrain<ICounterGrain>("busy");
        for (var minute = 0; minute < 30; minute++)
        {
            await counter.IncrementAsync(minute).Within("a call each minute");
            time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(1, probe.Activations);
        await counter.StartTimerAsync(TimeSpan.FromMinutes(1)).Within("a timer every minute");
        Assert.Equal(0, probe.Deactivations);
        time.Advance(TimeSpan.FromMinutes(12));
        await probe.Deactivated.Task.Within("idle deactivation although the timer kept ticking");
        Assert.Equal([DeactivationReason.IdleTimeout], probe.DeactivationReasons);
    }

    [Fact]
    public async Task Calls_arriving_while_a_grain_deactivates_go_to_its_successor_in_order()
    {
        var probe = new Probe { DeactivationGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var store = new SqliteGrainStore(TestHost.TempDatabase());
        await store.InitializeAsync(default);
        await using var host = await TestHost.StartAsync(store, probe);
        var grain = host.GrainFactory.GetGrain<IRegisterGrain>("moving");
        await grain.SetUnsavedAsync("first").Within("an unwritten value");
        await grain.LeaveAsync().Within("a deactivation request");
        await probe.Deactivated.Task.Within("the deactivation hook to start");

        // The old activation is still writing; these calls must wait for it, then see its state, in order.
        var set = grain.SetAsync("second").AsTask();
        var read = grain.GetAsync().AsTask();
        Assert.False(set.IsCompleted);
        probe.DeactivationGate.SetResult();

        await set.Within("the call queued during deactivation");
        var state = await read.Within("the read queued after it");
        Assert.Equal("second", state.Value);
        Assert.Equal([double.NaN, 6.1], state.History);
        Assert.Equal(2, probe.Activations);
    }

    [Fact]
    public async Task Stopping_the_host_writes_state_and_a_new_host_restores_it()
    {
        var path = TestHost.TempDatabase();
        var probe = new Probe();
        await using (var store = new SqliteGrainStore(path))
        {
            await store.InitializeAsync(default);
            var host = await TestHost.StartAsync(store, probe);
            for (var i = 0; i < 20; i++)
            {
                await host.GrainFactory.GetGrain<IRegisterGrain>($"cell-{i}").SetUnsavedAsync($"v{i}").Within("unwritten values on 20 grains");
            }

            await host.StopAsync().Within("host stop");
            Assert.Equal(20, probe.Deactivations);
            Assert.All(probe.DeactivationReasons, r => Assert.Equal(DeactivationReason.HostShutdown, r));
            await Assert.ThrowsAsync<InvalidOperationException>(() => host.GrainFactory.GetGrain<IRegisterGrain>("cell-0").GetAsync().AsTask().Within("refusal after stop"));
        }

        await using var reopened = new SqliteGrainStore(path);
        await reopened.InitializeAsync(default);
        await using var second = await TestHost.StartAsync(reopened, new Probe());
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"v{i}", (await second.GrainFactory.GetGrain<IRegisterGrain>($"cell-{i}").GetAsync().Within("restored state")).Value);
        }
    }

    [Fact]
    public async Task A_failed_activation_fails_the_queued_calls_and_the_next_call_activates_again()
    {
        var probe = new Probe { FailActivation = true };
        var logs = new RecordingLoggerFactory();
        await using var host = await TestHost.StartAsync(new InMemoryGrainStore(), probe, logs: logs);
        var grain = host.GrainFactory.GetGrain<ICounterGrain>("fragile");

        var first = grain.IncrementAsync(1).AsTask();
        var second = grain.IncrementAsync(2).AsTask();
        var error = await Assert.ThrowsAsync<GrainActivationException>(() => first.Within("activation failure"));
        Assert.Contains("activation refused by the test", error.Message);
        await Assert.ThrowsAsync<GrainActivationException>(() => second.Within("the queued call failing too"));
        // The second call may find the first activation already failed and try (and fail) once more: one error each.
        Assert.NotEmpty(logs.Problems);
        Assert.All(logs.Problems, p => Assert.Contains("Activation of grain CounterGrain/fragile failed", p.Message, StringComparison.Ordinal));

        probe.FailActivation = false;
        Assert.Equal(1, await grain.IncrementAsync(3).Within("a call after activation works again"));
        Assert.Equal(1, probe.Executions);
    }

    [Fact]
    public async Task Two_hosts_writing_one_grain_cannot_overwrite_each_other()
    {
        var path = TestHost.TempDatabase();
        await using var storeA = new SqliteGrainStore(path);
        await storeA.InitializeAsync(default);
        await using var storeB = new SqliteGrainStore(path);
        await storeB.InitializeAsync(default);
        await using var hostA = await TestHost.StartAsync(storeA, new Probe());
        await using var hostB = await TestHost.StartAsync(storeB, new Probe());

        await hostA.GrainFactory.GetGrain<IRegisterGrain>("contested").SetAsync("a").Within("first host's write");
        await hostB.GrainFactory.GetGrain<IRegisterGrain>("contested").SetAsync("b").Within("second host's write (read a's version)");
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => hostA.GrainFactory.GetGrain<IRegisterGrain>("contested").SetAsync("stale").AsTask().Within("the stale write refused"));
        Assert.Equal("1", error.ExpectedETag);
        Assert.Equal("2", error.StoredETag);
    }
}
