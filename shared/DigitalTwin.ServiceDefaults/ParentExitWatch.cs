// Stops a service whose launcher died: `twin fleet` gives each child a stdin pipe it never writes to and sets
// DIGITALTWIN_STOP_ON_STDIN_EOF=1; when the launcher exits in any way (even SIGKILL) the kernel closes the pipe, the
// child reads end-of-file and shuts down gracefully instead of running on as an orphan.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.ServiceDefaults;

public sealed class ParentExitWatch(IHostApplicationLifetime lifetime, ILogger<ParentExitWatch> logger) : IHostedService
{
    /// <summary>The environment variable a launcher sets ("1") when the child's stdin is a pipe held open by the launcher.</summary>
    public const string Variable = "DIGITALTWIN_STOP_ON_STDIN_EOF";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(Variable) == "1")
        {
            // A blocking read on a dedicated thread: stdin has no cancellable async read, and the thread costs nothing while it waits.
            new Thread(WaitForEndOfInput) { IsBackground = true, Name = "parent-exit-watch" }.Start();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void WaitForEndOfInput()
    {
        try
        {
            using var input = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (input.Read(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A broken pipe means the same as end-of-file: the launcher is gone.
        }

        logger.LogWarning("the launcher's stdin pipe closed (launcher exited): stopping");
        lifetime.StopApplication();
    }
}

public static class ParentExitWatchExtensions
{
    /// <summary>Registers <see cref="ParentExitWatch"/> (inactive unless the launcher set its environment variable).</summary>
    public static IServiceCollection AddParentExitWatch(this IServiceCollection services) =>
        services.AddHostedService<ParentExitWatch>();
}
