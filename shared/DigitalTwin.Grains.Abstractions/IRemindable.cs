// Grains that own durable reminders implement this to receive their ticks.
namespace DigitalTwin.Grains;

/// <summary>A grain that receives durable reminder ticks (they survive deactivation and host restarts).</summary>
public interface IRemindable : IGrain
{
    /// <summary>Called as a normal turn of the grain when reminder <paramref name="reminderName"/> is due.</summary>
    ValueTask ReceiveReminderAsync(string reminderName, ReminderTick tick);
}

/// <summary>One reminder tick: when the reminder first fired, its period, and the time of this tick (UTC).</summary>
public readonly record struct ReminderTick(DateTimeOffset FirstTickTime, TimeSpan Period, DateTimeOffset CurrentTickTime);
