// Every await in a test has a timeout whose message names what was expected (STYLE §11).
namespace DigitalTwin.Grains.Testing;

public static class Await
{
    /// <summary>The default budget for anything a test waits for.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    public static async Task<T> Within<T>(this Task<T> task, string expected, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? Budget).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"Timed out after {(timeout ?? Budget).TotalSeconds:0.#} s waiting for: {expected}");
        }
    }

    public static async Task Within(this Task task, string expected, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? Budget).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"Timed out after {(timeout ?? Budget).TotalSeconds:0.#} s waiting for: {expected}");
        }
    }

    public static Task<T> Within<T>(this ValueTask<T> task, string expected, TimeSpan? timeout = null) => task.AsTask().Within(expected, timeout);

    public static Task Within(this ValueTask task, string expected, TimeSpan? timeout = null) => task.AsTask().Within(expected, timeout);
}
