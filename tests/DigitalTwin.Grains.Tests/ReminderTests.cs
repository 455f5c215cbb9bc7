// Durable reminders: delivered as turns, surviving host restarts, missed ticks collapsed, delivered ticks not repeated.
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;

namespace DigitalTwin.Grains.Tests;

public sealed class ReminderTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_reminder_survives_a_host_restart_and_activates_its_grain()
    {
        var path = TestHost.TempDatabase();
        var time = new ManualTimeProvider();
        var start = time.GetUtcNow();
        await using (var store = new SqliteGrainStore(path))
        {
            await store.InitializeAsync(default);
            await using var host = await TestHost.StartAsync(store, new Probe(), time);
            await host.GrainFactory.GetGrain<IRegisterGrain>("cell-7").RemindAsync("forecast", Period, Period).Within("reminder registration");
            time.Advance(TimeSpan.FromMinutes(2));
        }

        var probe = new Probe();
        await using var reopened = new SqliteGrainStore(path);
        await reopened.InitializeAsync(default);
        await using var restarted = await TestHost.StartAsync(reopened, probe, time);
        Assert.Equal(0, probe.Activations);
        time.Advance(TimeSpan.FromMinutes(3));

        var tick = await probe.ReminderSeen.Task.Within("the reminder tick after the restart");
        Assert.Equal(start + Period, tick.CurrentTickTime);
        Assert.Equal(start + Period, tick.FirstTickTime);
        Assert.Equal(Period, tick.Period);
        Assert.Equal(1, probe.Activations);
        Assert.Equal(("cell-7", "forecast"), (probe.Reminders.Single().Grain, probe.Reminders.Single().Reminder));
    }

    [Fact]
    public async Task Ticks_missed_while_down_collapse_into_one_and_a_delivered_tick_is_not_repeated()
    {
        var store = new InMemoryGrainStore();
        var time = new ManualTimeProvider();
        var start = time.GetUtcNow();
        var first = new Probe();
        await using (var host = await TestHost.StartAsync(store, first, time))
        {
            await host.GrainFactory.GetGrain<IRegisterGrain>("r").RemindAsync("check", Period, Period).Within("reminder registration");
            time.Advance(Period);
            await first.ReminderSeen.Task.Within("the first tick");
            await host.StopAsync().Within("host stop (delivered tick recorded first)");
        }

        // Down for 17 minutes: ticks at 10 and 15 minutes are missed and arrive as one tick stamped 20 minutes.
        time.Advance(TimeSpan.FromMinutes(17));
        var second = new Probe();
        await using (var host = await TestHost.StartAsync(store, second, time))
        {
            var tick = await second.ReminderSeen.Task.Within("the collapsed tick at start");
            Assert.Equal(start + TimeSpan.FromMinutes(20), tick.CurrentTickTime);
            Assert.Single(second.Reminders);
            await host.StopAsync().Within("host stop");
        }

        var third = new Probe();
        await using var last = await TestHost.StartAsync(store, third, time);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Empty(third.Reminders);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(start + TimeSpan.FromMinutes(25), (await third.ReminderSeen.Task.Within("the next regular tick")).CurrentTickTime);
    }

    [Fact]
    public async Task An_unregistered_reminder_stops_and_stays_stopped_after_restart()
    {
        var store = new InMemoryGrainStore();
        var time = new ManualTimeProvider();
        var probe = new Probe();
        await using (var host = await TestHost.StartAsync(store, probe, time))
        {
            var grain = host.GrainFactory.GetGrain<IRegisterGrain>("quiet");
            await grain.RemindAsync("a", Period, Period).Within("reminder registration");
            await grain.ForgetAsync("a").Within("reminder removal");
            time.Advance(TimeSpan.FromMinutes(11));
        }

        Assert.Empty(await store.ReadAllAsync(default).Within("the reminder table"));
        await using var restarted = await TestHost.StartAsync(store, probe, time);
        time.Advance(TimeSpan.FromMinutes(11));
        Assert.Empty(probe.Reminders);
    }

    [Fact]
    public async Task A_grain_that_is_not_remindable_cannot_register_a_reminder()
    {
        await using var host = await TestHost.StartAsync(new InMemoryGrainStore(), new Probe());
        var grain = host.GrainFactory.GetGrain<IPingGrain>("no-reminders");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.RemindAsync().AsTask().Within("the refusal"));
        Assert.Contains("does not implement IRemindable", error.Message);
    }

    [Theory]
    [InlineData(null, 0, 5)]      // never fired, first tick in the future: the first tick
    [InlineData(null, 12, 10)]    // never fired, first tick missed: the latest due tick
    [InlineData(5, 7, 10)]        // fired at 5: the next one
    [InlineData(5, 16, 15)]       // fired at 5, 10 missed, now 16: collapse to 15
    public void Next_tick_follows_the_schedule(int? lastTickMinute, int nowMinute, int expectedMinute)
    {
        var origin = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var entry = new ReminderEntry(new GrainId("RegisterGrain", "x"), "n", origin + Period, Period, lastTickMinute is int m ? origin + TimeSpan.FromMinutes(m) : null);
        Assert.Equal(origin + TimeSpan.FromMinutes(expectedMinute), Reminders.ReminderService.NextTick(entry, origin + TimeSpan.FromMinutes(nowMinute)));
    }
}
