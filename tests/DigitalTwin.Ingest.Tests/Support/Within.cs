// Every await in these tests has a timeout whose message says what was expected (STYLE §11).
namespace DigitalTwin.Ingest.Tests.Support;

public static class Within
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(60);

    public static async Task<T> Await<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out after {(timeout ?? Default).TotalSeconds:0} s waiting for {what}");
        }
    }

    public static async Task Await(Task task, string what, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out after {(timeout ?? Default).TotalSeconds:0} s waiting for {what}");
        }
    }
}
