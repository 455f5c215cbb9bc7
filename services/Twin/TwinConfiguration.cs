// Reads the Twin section (appsettings.json, environment Twin__Key, command line --Twin:Key=value) into the host's
// settings and the grains' TwinOptions, and refuses to start on a bad or unknown key, naming every one at once.
using System.Globalization;
using System.Reflection;
using DigitalTwin.Estimation.Alerts;
using DigitalTwin.Twin;

namespace DigitalTwin.Services.Twin;

/// <summary>Changes to one built-in alert rule (Twin:Alerts:&lt;rule id&gt;).</summary>
public sealed record AlertRuleSettings
{
    /// <summary>Raise at this value [unit of the rule]; unset keeps the built-in threshold.</summary>
    public double? Threshold { get; init; }

    /// <summary>Clear when the value comes back past this [unit of the rule]; unset keeps the built-in hysteresis (ClearAt − Threshold).</summary>
    public double? ClearAt { get; init; }

    /// <summary>False drops the rule.</summary>
    public bool Enabled { get; init; } = true;
}

/// <summary>Bad Twin settings; the message lists every problem with its key.</summary>
public sealed class TwinConfigurationException(IReadOnlyList<string> problems)
    : Exception($"Invalid Twin configuration ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

public static class TwinConfiguration
{
    public const string Section = "Twin";

    /// <summary>Keys of the Twin section that are neither host settings nor grain options.</summary>
    private static readonly HashSet<string> Extra = new(StringComparer.OrdinalIgnoreCase) { "Alerts" };

    /// <summary>The host settings and grain options of <paramref name="configuration"/>, or every problem at once.</summary>
    public static (TwinHostSettings Settings, TwinOptions Options) Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var problems = new List<string>();
        problems.AddRange(UnknownKeys(section));

        var settings = Bind(section, new TwinHostSettings(), problems);
        var options = Bind(section, new TwinOptions(), problems);
        var known = section.GetSection(nameof(TwinOptions.KnownParameterSets));
        options = options with
        {
            Model = options.Model.Trim().ToLowerInvariant(),
            // Lists are replaced, not appended to (the binder's default would append to the built-in list).
            KnownParameterSets = known.Exists() ? [.. known.GetChildren().Select(c => c.Value ?? "").Where(v => v.Length > 0)] : new TwinOptions().KnownParameterSets,
            AlertRules = Rules(section.GetSection("Alerts"), problems),
        };
        problems.AddRange(Problems(settings));
        problems.AddRange(options.Problems(Section));

        return problems.Count > 0 ? throw new TwinConfigurationException(problems) : (settings, options);
    }

    private static T Bind<T>(IConfigurationSection section, T target, List<string> problems)
        where T : class
    {
        try
        {
            return section.Get<T>() ?? target;
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key and the type it could not convert to.
            problems.Add(e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
            return target;
        }
    }

    private static IReadOnlyList<AlertRule> Rules(IConfigurationSection alerts, List<string> problems)
    {
        var overrides = new Dictionary<string, AlertRuleSettings>(StringComparer.Ordinal);
        foreach (var child in alerts.GetChildren())
        {
            if (!AlertRules.Defaults.Any(r => r.Id == child.Key))
            {
                problems.Add($"{child.Path}: unknown alert rule (known: {string.Join(", ", AlertRules.Defaults.Select(r => r.Id))})");
                continue;
            }

            overrides[child.Key] = Bind(child, new AlertRuleSettings(), problems);
        }

        var rules = new List<AlertRule>();
        foreach (var rule in AlertRules.Defaults)
        {
            if (!overrides.TryGetValue(rule.Id, out var o))
            {
                rules.Add(rule);
                continue;
            }

            if (!o.Enabled)
            {
                continue;
            }

            var changed = rule with { Threshold = o.Threshold ?? rule.Threshold, ClearAt = o.ClearAt ?? (o.Threshold is { } t ? t + (rule.ClearAt - rule.Threshold) : rule.ClearAt) };
            if (!double.IsFinite(changed.Threshold) || !double.IsFinite(changed.ClearAt) || (rule.Above ? changed.ClearAt > changed.Threshold : changed.ClearAt < changed.Threshold))
            {
                problems.Add($"{Section}:Alerts:{rule.Id}: Threshold {changed.Threshold.ToString(CultureInfo.InvariantCulture)} and ClearAt {changed.ClearAt.ToString(CultureInfo.InvariantCulture)} must be finite, ClearAt {(rule.Above ? "<=" : ">=")} Threshold (the rule raises {(rule.Above ? "above" : "below")})");
            }

            rules.Add(changed);
        }

        return rules;
    }

    private static IEnumerable<string> Problems(TwinHostSettings s)
    {
        foreach (var (key, address) in new[]
        {
            ("ElectrochemAddress", s.ElectrochemAddress), ("MechanicsAddress", s.MechanicsAddress), ("ViscoplasticAddress", s.ViscoplasticAddress),
            ("DemAddress", s.DemAddress), ("IngestAddress", s.IngestAddress), ("SeriesUrl", s.SeriesUrl),
        })
        {
            if (!string.IsNullOrWhiteSpace(address) && !(Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                yield return $"{Section}:{key} = '{address}': not an absolute http:// or https:// address";
            }
        }

        if (s.WriteBehindPeriod <= TimeSpan.Zero)
        {
            yield return $"{Section}:WriteBehindPeriod = {s.WriteBehindPeriod}: must be positive";
        }

        if (s.IdleTimeout <= TimeSpan.Zero)
        {
            yield return $"{Section}:IdleTimeout = {s.IdleTimeout}: must be positive";
        }

        if (string.IsNullOrWhiteSpace(s.StorageConnectionString))
        {
            yield return $"{Section}:StorageConnectionString: empty";
        }
    }

    /// <summary>Keys under Twin that no setting reads (typos), searched through nested settings records.</summary>
    private static IEnumerable<string> UnknownKeys(IConfigurationSection section)
    {
        foreach (var child in section.GetChildren())
        {
            if (Extra.Contains(child.Key))
            {
                continue;
            }

            var property = Property(typeof(TwinHostSettings), child.Key) ?? Property(typeof(TwinOptions), child.Key);
            if (property is null)
            {
                yield return $"{child.Path}: unknown setting";
                continue;
            }

            foreach (var problem in UnknownKeys(child, property.PropertyType))
            {
                yield return problem;
            }
        }
    }

    private static IEnumerable<string> UnknownKeys(IConfigurationSection section, Type type)
    {
        if (!IsSettingsRecord(type))
        {
            yield break;
        }

        foreach (var child in section.GetChildren())
        {
            var property = Property(type, child.Key);
            if (property is null && ConstructorParameter(type, child.Key) is null)
            {
                yield return $"{child.Path}: unknown setting of {type.Name}";
                continue;
            }

            if (property is not null)
            {
                foreach (var problem in UnknownKeys(child, property.PropertyType))
                {
                    yield return problem;
                }
            }
        }
    }

    private static bool IsSettingsRecord(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && type.Namespace?.StartsWith("DigitalTwin", StringComparison.Ordinal) == true;

    private static PropertyInfo? Property(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);

    private static ParameterInfo? ConstructorParameter(Type type, string name) =>
        type.GetConstructors().SelectMany(c => c.GetParameters()).FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
