// Every await in these tests is bounded: a task that does not finish in time fails the test with a
// message naming what was expected.
namespace DigitalTwin.Rpc.Tests.Support;

public static class Within
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);

    public static async Task<T> OrFail<T>(this Task<T> task, string expectation, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {(timeout ?? Default).TotalSeconds:0.#} s waiting for: {expectation}");
        }
    }

    public static async Task OrFail(this Task task, string expectation, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {(timeout ?? Default).TotalSeconds:0.#} s waiting for: {expectation}");
        }
    }

    /// <summary>Awaits a call expected to fail and returns its RpcException.</summary>
    public static async Task<RpcException> RpcFailure(this Task task, string expectation, TimeSpan? timeout = null)
    {
        try
        {
            await task.OrFail(expectation, timeout);
        }
        catch (RpcException ex)
        {
            return ex;
        }

        throw new Xunit.Sdk.XunitException($"Expected an RpcException for: {expectation}, but the call succeeded.");
    }
}
