// Turn-based execution: concurrent callers never overlap inside one grain, and a caller's pipelined calls run in order.
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;

namespace DigitalTwin.Grains.Tests;

public sealed class TurnTests
{
    [Fact]
    public async Task Concurrent_callers_never_overlap_and_no_update_is_lost()
    {
        var probe = new Probe();
        var logs = new RecordingLoggerFactory();
        await using var host = await TestHost.StartAsync(new InMemoryGrainStore(), probe, logs: logs);
        const int callers = 32, callsEach = 50;

        // Each caller is its own task on the thread pool; the grain's increment reads, yields twice, then writes.
        var tasks = Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            var grain = host.GrainFactory.GetGrain<ICounterGrain>("shared");
            for (var i = 0; i < callsEach; i++)
            {
                await grain.IncrementAsync(c);
            }
        }));
        await Task.WhenAll(tasks).Within($"{callers}×{callsEach} concurrent increments");

        Assert.Equal(0, probe.Overlaps);
        Assert.Equal(callers * callsEach, await host.GrainFactory.GetGrain<ICounterGrain>("shared").GetAsync().Within("final count"));
        Assert.Equal(1, probe.Activations);
        logs.AssertNoProblems();
    }

    [Fact]
    public async Task Pipelined_calls_from_one_caller_run_in_the_order_sent()
    {
        var probe = new Probe();
        await using var host = await TestHost.StartAsync(new InMemoryGrainStore(), probe);
        var grain = host.GrainFactory.GetGrain<ICounterGrain>("ordered");
        var calls = Enumerable.Range(0, 500).Select(i => grain.IncrementAsync(i).AsTask()).ToList();
        var results = await Task.WhenAll(calls).Within("500 pipelined increments");

        Assert.Equal(Enumerable.Range(0, 500), probe.Order);
        Assert.Equal(Enumerable.Range(1, 500), results);
    }

    [Fact]
    public async Task Many_grains_run_in_parallel_each_turn_based()
    {
        var probe = new Probe();
        await using var host = await TestHost.StartAsync(new InMemoryGrainStore(), probe);
        var grains = Enumerable.Range(0, 200).Select(i => host.GrainFactory.GetGrain<IPingGrain>($"p{i}")).ToList();
        var names = await Task.WhenAll(grains.Select(g => g.NameAsync().AsTask())).Within("200 grains answering");

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"p{i}"), names);
        Assert.Equal(200, host.ActivationCount);
    }

    [Fact]
    public async Task A_grain_exception_reaches_the_caller_and_the_grain_stays_usable()
    {
        var probe = new Probe();
        await using var host = await TestHost.StartAsync(new InMemoryGrainStore(), probe);
        var grain = host.GrainFactory.GetGrain<ICounterGrain>("thrower");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => grain.FailAsync("bad message").AsTask().Within("the grain's exception"));
        Assert.Equal("bad message", error.Message);
        Assert.Equal(1, await grain.IncrementAsync(0).Within("a call after the failure"));
        Assert.Equal(1, probe.Activations);
    }

    [Fact]
    public async Task Timer_ticks_are_turns_and_do_not_stack()
    {
        var probe = new Probe();
        var time = new ManualTimeProvider();
        await using var host = await TestHost.StartAsync(new InMemoryGrainStore(), probe, time);
        var grain = host.GrainFactory.GetGrain<ICounterGrain>("ticking");
        await grain.StartTimerAsync(TimeSpan.FromSeconds(1)).Within("timer registration");

        time.Advance(TimeSpan.FromSeconds(1));
        await probe.TimerTicked.Task.Within("the first timer tick");
        var calls = Enumerable.Range(0, 100).Select(i => grain.IncrementAsync(i).AsTask()).ToList();
        for (var s = 0; s < 20; s++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await Task.WhenAll(calls).Within("increments interleaved with timer ticks");
        Assert.Equal(0, probe.Overlaps);
        Assert.InRange(probe.TimerTicks, 1, 21);
    }
}
