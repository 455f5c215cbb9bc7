// The Twin host's settings from configuration: every key of TwinOptions is settable (model, cadences, DEM, alert
// thresholds), lists are replaced rather than appended to, and bad or unknown keys stop the start naming each key.
using DigitalTwin.Grains.Testing;
using DigitalTwin.Services.Twin;
using Microsoft.Extensions.Configuration;

namespace DigitalTwin.Twin.Tests;

public sealed class TwinConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Every_option_is_read_from_its_key()
    {
        var (settings, options) = TwinConfiguration.Read(Config(
            ("Twin:Model", "DFN"),
            ("Twin:DemAddress", "http://127.0.0.1:5106"),
            ("Twin:FaultedAfterSolverFailures", "5"),
            ("Twin:KnownParameterSets:0", "Chen2020"),
            ("Twin:Forecast:EndOfLifeSoh", "0.7"),
            ("Twin:Cycles:ResistanceMinStepA", "0.5"),
            ("Twin:Dem:EveryCycles", "10"),
            ("Twin:Dem:ParticleCount", "400"),
            ("Twin:Dem:Deadline", "00:02:00"),
            ("Twin:Dem:ActiveMaterial:YoungsModulus", "1.5e11"),
            ("Twin:Alerts:voltage-residual:Threshold", "0.05"),
            ("Twin:Alerts:voltage-residual:ClearAt", "0.04"),
            ("Twin:Alerts:temperature-high:Enabled", "false"),
            ("Twin:Alerts:interface-gap:Threshold", "1e-7")));

        Assert.Equal("http://127.0.0.1:5106", settings.DemAddress);
        Assert.Equal("dfn", options.Model);
        Assert.Equal(5, options.FaultedAfterSolverFailures);
        Assert.Equal(["Chen2020"], options.KnownParameterSets);
        Assert.Equal(0.7, options.Forecast.EndOfLifeSoh);
        Assert.Equal(0.9, options.Forecast.BandProbability);
        Assert.Equal(0.5, options.Cycles.ResistanceMinStepA);
        Assert.Equal((10, 400, TimeSpan.FromMinutes(2)), (options.Dem.EveryCycles, options.Dem.ParticleCount, options.Dem.Deadline));
        Assert.Equal(1.5e11, options.Dem.ActiveMaterial.YoungsModulus);
        Assert.Equal(4750, options.Dem.ActiveMaterial.Density);
        var residual = Assert.Single(options.AlertRules, r => r.Id == "voltage-residual");
        Assert.Equal((0.05, 0.04), (residual.Threshold, residual.ClearAt));
        Assert.DoesNotContain(options.AlertRules, r => r.Id == "temperature-high");
        // Threshold alone keeps the built-in hysteresis: interface-gap clears 10 nm under its threshold (50 -> 40 nm).
        var gap = Assert.Single(options.AlertRules, r => r.Id == "interface-gap");
        Assert.Equal(1e-7, gap.Threshold);
        Assert.Equal(0.9e-7, gap.ClearAt, 1e-20);
        Assert.Equal(Estimation.Alerts.AlertRules.Defaults.Count - 1, options.AlertRules.Count);
    }

    [Fact]
    public void No_keys_give_the_built_in_defaults()
    {
        var (settings, options) = TwinConfiguration.Read(Config());
        Assert.Null(settings.DemAddress);
        Assert.Equal(new TwinOptions().KnownParameterSets, options.KnownParameterSets);
        Assert.Equal(Estimation.Alerts.AlertRules.Defaults, options.AlertRules);
        Assert.Equal("spme", options.Model);
        Assert.Equal(new Dem.PackingStudyOptions().EveryCycles, options.Dem.EveryCycles);
    }

    [Fact]
    public void Bad_and_unknown_keys_are_refused_all_at_once_naming_each_key()
    {
        var bad = Assert.Throws<TwinConfigurationException>(() => TwinConfiguration.Read(Config(
            ("Twin:Modle", "dfn"),
            ("Twin:Dem:EveryCycle", "3"),
            ("Twin:Alerts:no-such-rule:Threshold", "1"))));
        Assert.Contains("Twin:Modle: unknown setting", bad.Message, StringComparison.Ordinal);
        Assert.Contains("Twin:Dem:EveryCycle: unknown setting of PackingStudyOptions", bad.Message, StringComparison.Ordinal);
        Assert.Contains("Twin:Alerts:no-such-rule: unknown alert rule", bad.Message, StringComparison.Ordinal);

        var invalid = Assert.Throws<TwinConfigurationException>(() => TwinConfiguration.Read(Config(
            ("Twin:Model", "p2d"),
            ("Twin:DemAddress", "127.0.0.1:5106"),
            ("Twin:Dem:ParticleCount", "1"),
            ("Twin:Dem:MaxConcurrent", "0"),
            ("Twin:Alerts:binder-fracture:Threshold", "0.5"),
            ("Twin:Alerts:binder-fracture:ClearAt", "0.4"))));
        Assert.True(invalid.Problems.Count == 5, string.Join(" | ", invalid.Problems));
        Assert.Contains("Twin:Model = 'p2d': must be one of spm, spme, dfn", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("Twin:DemAddress = '127.0.0.1:5106': not an absolute http:// or https:// address", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("Twin:Dem:ParticleCount = 1: must be >= 2", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("Twin:Dem:MaxConcurrent = 0: must be >= 1", invalid.Message, StringComparison.Ordinal);
        // binder-fracture raises below its threshold, so it must clear above it: ClearAt 0.4 under Threshold 0.5 is refused.
        Assert.Contains("Twin:Alerts:binder-fracture: Threshold 0.5 and ClearAt 0.4", invalid.Message, StringComparison.Ordinal);

        var unconvertible = Assert.Throws<TwinConfigurationException>(() => TwinConfiguration.Read(Config(("Twin:Dem:EveryCycles", "often"))));
        Assert.Contains("Twin:Dem:EveryCycles", unconvertible.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_refuses_to_start_on_a_bad_command_line_key()
    {
        var error = await Assert.ThrowsAsync<TwinConfigurationException>(() => TwinHost.BuildAsync(["--Rpc:Port=0", "--Twin:Model=p2d"]).Within("the refused build"));
        Assert.Contains("Twin:Model = 'p2d'", error.Message, StringComparison.Ordinal);
    }
}
