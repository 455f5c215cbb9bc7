// Every await in a test has a timeout whose message says what was expected (STYLE §11).
namespace DigitalTwin.TimeSeries.Tests;

internal static class Within
{
    public static async Task Seconds(double seconds, Task task, string expected)
    {
        try
        {
            await task.WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {seconds} s waiting for: {expected}");
        }
    }

    public static async Task<T> Seconds<T>(double seconds, Task<T> task, string expected)
    {
        await Seconds(seconds, (Task)task, expected);
        return await task;
    }

    public static Task Seconds(double seconds, ValueTask task, string expected) => Seconds(seconds, task.AsTask(), expected);
}
