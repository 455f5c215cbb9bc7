// Grain-to-grain calls, deadlines that surface as errors for the caller, and the grain interface rules.
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;

namespace DigitalTwin.Grains.Tests;

public interface IBadGrain : IGrain
{
    Task<int> ReturnsTaskAsync();

    ValueTask NoSuffix();

    ValueTask OverloadedAsync(int a);

    ValueTask OverloadedAsync(string a);
}

public sealed class CallTests
{
    private static readonly GrainHostOptions FiveSecondCalls = new() { CallTimeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task A_grain_calls_another_grain()
    {
        await using var host = await TestHost.StartAsync(new InMemoryGrainStore(), new Probe());
        Assert.Equal("a->b", await host.GrainFactory.GetGrain<IPingGrain>("a").AskAsync("b").Within("a grain-to-grain call"));
        Assert.Equal(2, host.ActivationCount);
    }

    [Fact]
    public async Task A_call_that_does_not_finish_in_time_fails_for_its_caller_and_queued_calls_behind_it_never_run()
    {
        var probe = new Probe();
        var time = new ManualTimeProvider();
        await using var host = await TestHost.StartAsync(new InMemoryGrainStore(), probe, time, FiveSecondCalls);
        var grain = host.GrainFactory.GetGrain<ICounterGrain>("stuck");

        var stuck = grain.WaitForGateAsync().AsTask();
        await probe.Started.Task.Within("the stuck call to start");
        var queued = grain.IncrementAsync(1).AsTask();
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(stuck.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => stuck.Within("the timeout of the stuck call"));
        Assert.Equal(new GrainId("CounterGrain", "stuck"), error.Grain);
        Assert.Equal("ICounterGrain.WaitForGateAsync", error.Method);
        Assert.Contains("5000 ms", error.Message);
        await Assert.ThrowsAsync<GrainCallTimeoutException>(() => queued.Within("the timeout of the queued call"));

        probe.Gate.SetResult();
        Assert.Equal(1, await grain.IncrementAsync(2).Within("a fresh call once the grain is free"));
        Assert.Equal(2, probe.Executions);
    }

    [Fact]
    public async Task A_call_cycle_between_two_grains_ends_in_a_timeout_for_the_caller()
    {
        var time = new ManualTimeProvider();
        var probe = new Probe();
        await using var host = await TestHost.StartAsync(new InMemoryGrainStore(), probe, time, FiveSecondCalls);
        var cycle = host.GrainFactory.GetGrain<IPingGrain>("x").CycleAsync("y").AsTask();
        await probe.TimerTicked.Task.Within("y to call back into x, closing the cycle");
        Assert.False(cycle.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(6));

        var error = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => cycle.Within("the cycle x→y→x to time out"));
        Assert.Equal("x", error.Grain.Key);
        Assert.Equal("y->x", await host.GrainFactory.GetGrain<IPingGrain>("y").AskAsync("x").Within("both grains usable again"));
    }

    [Fact]
    public void Interfaces_that_break_the_grain_rules_are_refused_with_every_problem()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new LocalGrainHost(new InMemoryGrainStore()).AddGrain<IBadGrain, BadGrain>(() => new BadGrain()));
        Assert.Contains("ReturnsTaskAsync returns Task`1", error.Message);
        Assert.Contains("NoSuffix lacks the Async suffix", error.Message);
        Assert.Contains("OverloadedAsync is overloaded", error.Message);
    }

    private sealed class BadGrain : Grain, IBadGrain
    {
        public Task<int> ReturnsTaskAsync() => Task.FromResult(1);

        public ValueTask NoSuffix() => default;

        public ValueTask OverloadedAsync(int a) => default;

        public ValueTask OverloadedAsync(string a) => default;
    }
}
