// The pages in Debian's headless Chromium driven by playwright-core (browser/check-pages.mjs): every
// page loads and draws, a live update arrives, nothing is logged to the console, and full-page
// screenshots are kept under artifacts/screenshots/dashboard/ for people to look at.
using System.Diagnostics;
using System.Text.Json;

namespace DigitalTwin.Dashboard.Tests;

public sealed class BrowserFixture : IAsyncLifetime
{
    public Dictionary<string, JsonElement> Pages { get; } = [];

    public string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots", "dashboard");

    public string Output { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        await using var host = await DashboardHost.StartAsync(demo: true);
        Directory.CreateDirectory(ScreenshotDirectory);
        var script = Path.Combine(RepositoryRoot(), "tests", "DigitalTwin.Dashboard.Tests", "browser", "check-pages.mjs");
        var start = new ProcessStartInfo("node", [script, host.BaseAddress.ToString().TrimEnd('/'), ScreenshotDirectory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        try
        {
            await Within.Seconds(150, node.WaitForExitAsync(), "the browser checks (node check-pages.mjs) to finish");
        }
        catch (TimeoutException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }

        Output = await stdout + await stderr;
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"check-pages.mjs exited with {node.ExitCode}:\n{Output}");
        }

        foreach (var page in JsonDocument.Parse(await stdout).RootElement.EnumerateArray())
        {
            Pages[page.GetProperty("name").GetString()!] = page.Clone();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DigitalTwin.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"DigitalTwin.sln not found above {AppContext.BaseDirectory}.");
    }
}

public sealed class BrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    // Charts per page as the page scripts build them: fleet 1 (capacity fade), cell 6, mechanics 8, DEM 4.
    [Theory]
    [InlineData("fleet", 1)]
    [InlineData("cell", 6)]
    [InlineData("mechanics", 8)]
    [InlineData("dem", 4)]
    public void The_page_draws_its_data_updates_live_and_logs_no_error(string name, int charts)
    {
        Assert.True(fixture.Pages.TryGetValue(name, out var page), $"no result for page '{name}':\n{fixture.Output}");
        var report = page.ToString();
        Assert.False(page.TryGetProperty("error", out var error), $"{name}: {error}\n{report}");
        Assert.True(page.GetProperty("ready").GetBoolean(), report);
        Assert.Empty(page.GetProperty("consoleErrors").EnumerateArray());
        Assert.Empty(page.GetProperty("pageErrors").EnumerateArray());
        Assert.Empty(page.GetProperty("badResponses").EnumerateArray());
        Assert.True(page.GetProperty("liveEvents").GetInt32() >= 1, report);
        Assert.Equal(charts, page.GetProperty("checks").GetProperty("charts").GetInt32());
        Assert.Equal("live", page.GetProperty("checks").GetProperty("liveIndicator").GetString()![..4]);

        var screenshot = new FileInfo(Path.Combine(fixture.ScreenshotDirectory, name + ".png"));
        Assert.True(screenshot.Exists, $"screenshot {screenshot.FullName} missing");
        Assert.True(screenshot.Length > 40_000, $"screenshot {screenshot.FullName} is only {screenshot.Length} bytes: an empty page?");
    }

    [Fact]
    public void A_cell_written_while_the_fleet_page_is_open_appears_in_its_table()
    {
        var checks = fixture.Pages["fleet"].GetProperty("checks");
        Assert.Equal(204, checks.GetProperty("injectStatus").GetInt32());
        var row = checks.GetProperty("injectedRow").GetString()!;
        Assert.Contains("LIVE-CHECK", row, StringComparison.Ordinal);
        Assert.Contains("3.333", row, StringComparison.Ordinal);
    }
}
