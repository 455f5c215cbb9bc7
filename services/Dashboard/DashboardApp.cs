// Composition of the dashboard host (kept out of Program.cs so tests build the same app):
// the store chosen by configuration, the live hub, the demo, static pages and the REST API.
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Services.Dashboard.Api;
using DigitalTwin.Services.Dashboard.Hosting;
using DigitalTwin.Services.Dashboard.Live;
using DigitalTwin.TimeSeries;
using DigitalTwin.TimeSeries.Embedded;
using DigitalTwin.TimeSeries.Influx;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Services.Dashboard;

public static class DashboardApp
{
    /// <summary>Builds the host. `--demo` turns the demo fleet on; everything else is ordinary configuration.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args.Where(a => a != "--demo").ToArray());
        if (args.Contains("--demo"))
        {
            builder.Configuration[$"{DashboardOptions.Section}:Demo:Enabled"] = "true";
        }

        var settings = builder.Configuration.GetSection(DashboardOptions.Section).Get<DashboardOptions>() ?? new DashboardOptions();
        Validate(settings);
        builder.Services.Configure<DashboardOptions>(builder.Configuration.GetSection(DashboardOptions.Section));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddParentExitWatch();
        builder.Services.AddSingleton(sp => new LiveHub(sp.GetRequiredService<TimeProvider>(), settings.LiveInterval));
        if (settings.Store == "influxdb")
        {
            builder.Services.AddSingleton(sp => new InfluxDbStore(InfluxOptions(settings), logger: sp.GetRequiredService<ILogger<InfluxDbStore>>()));
            builder.Services.AddSingleton<ITimeSeriesStore>(sp => new LiveSink(sp.GetRequiredService<InfluxDbStore>(), sp.GetRequiredService<LiveHub>()));
        }
        else
        {
            builder.Services.AddSingleton(sp => SqliteTimeSeriesStore.Open(Path.GetFullPath(settings.DataPath, builder.Environment.ContentRootPath)));
            builder.Services.AddSingleton<ITimeSeriesStore>(sp => new LiveSink(sp.GetRequiredService<SqliteTimeSeriesStore>(), sp.GetRequiredService<LiveHub>()));
            builder.Services.AddHostedService<CompactionService>();
        }

        builder.Services.AddSingleton(sp => (LiveSink)sp.GetRequiredService<ITimeSeriesStore>());
        builder.Services.AddSingleton<DemoService>();
        if (settings.Demo.Enabled)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoService>());
        }

        configure?.Invoke(builder);
        var app = builder.Build();

        var web = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "web"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = web });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = web,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        SeriesEndpoints.Map(app);
        FleetEndpoints.Map(app);
        StreamEndpoints.Map(app);
        WriteEndpoints.Map(app);
        app.MapGet("/healthz", (IOptions<DashboardOptions> options, LiveHub hub) =>
            Results.Json(new { status = "ok", store = options.Value.Store, subscribers = hub.Subscribers }));
        return app;
    }

    private static InfluxDbOptions InfluxOptions(DashboardOptions settings) => new()
    {
        Endpoint = new Uri(settings.Influx.Endpoint),
        Api = settings.Influx.Api == "v2" ? InfluxApi.V2 : InfluxApi.V1,
        Database = settings.Influx.Database,
        Username = settings.Influx.Username,
        Password = settings.Influx.Password,
        Organization = settings.Influx.Organization,
        Bucket = settings.Influx.Bucket,
        Token = settings.Influx.Token,
        BufferDirectory = settings.Influx.BufferDirectory,
    };

    private static void Validate(DashboardOptions settings)
    {
        var problems = new List<string>();
        if (settings.Store is not ("embedded" or "influxdb"))
        {
            problems.Add($"Dashboard:Store '{settings.Store}' must be 'embedded' or 'influxdb'");
        }

        if (settings.Influx.Api is not ("v1" or "v2"))
        {
            problems.Add($"Dashboard:Influx:Api '{settings.Influx.Api}' must be 'v1' or 'v2'");
        }

        if (settings.LiveInterval <= TimeSpan.Zero || settings.CompactionInterval <= TimeSpan.Zero || settings.OfflineAfter <= TimeSpan.Zero)
        {
            problems.Add("Dashboard:LiveInterval, CompactionInterval and OfflineAfter must be positive");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid dashboard configuration: " + string.Join("; ", problems) + ".");
        }
    }
}
