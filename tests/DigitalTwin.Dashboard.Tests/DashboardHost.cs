// Starts the real dashboard host on a loopback port with a temporary store, optionally with the
// demo fleet replaying the shared Arbin file, and waits (no polling) until the demo history is in.
using DigitalTwin.Services.Dashboard;
using DigitalTwin.Services.Dashboard.Hosting;
using DigitalTwin.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Dashboard.Tests;

public sealed class DashboardHost : IAsyncDisposable
{
    private DashboardHost(WebApplication app, string root)
    {
        App = app;
        Root = root;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public string Root { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public static async Task<DashboardHost> StartAsync(bool demo, params string[] settings)
    {
        var root = Path.Combine(Path.GetTempPath(), "dt-dashboard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Dashboard:DataPath={Path.Combine(root, "timeseries.db")}",
            $"--Dashboard:Influx:BufferDirectory={Path.Combine(root, "influx-buffer")}",
            $"--Dashboard:Demo:Enabled={demo}",
            $"--Dashboard:Demo:Source={SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv")}",
            "--Dashboard:Demo:Speed=20",
            "--Dashboard:Demo:Cells=8",
            "--Dashboard:Demo:HistoryCycles=150",
            .. settings.Select(s => "--" + s),
        ];
        var app = DashboardApp.Build(args, builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await Within.Seconds(30, app.StartAsync(), "the dashboard host to start");
        var host = new DashboardHost(app, root);
        if (demo)
        {
            await Within.Seconds(90, app.Services.GetRequiredService<DemoService>().HistoryWritten, "the demo history to be written");
        }

        return host;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing connection; the temp folder is cleaned by the OS.
        }
    }
}

/// <summary>One demo dashboard shared by the tests of a class.</summary>
public sealed class DemoDashboardFixture : IAsyncLifetime
{
    public DashboardHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await DashboardHost.StartAsync(demo: true);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
