// The built-in parameter sets, embedded as JSON resources; looked up by name, case-insensitively.
using System.Reflection;

namespace DigitalTwin.Physics.Electrochem.Parameters;

public static class ParameterSets
{
    private static readonly Lazy<Dictionary<string, string>> Resources = new(() =>
        typeof(ParameterSets).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("ParameterSets.", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .ToDictionary(n => n["ParameterSets.".Length..^".json".Length].Split('_')[0], n => n, StringComparer.OrdinalIgnoreCase));

    private static readonly Dictionary<string, ParameterSet> Cache = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Names of the built-in sets (Marquis2019, Marquis2019Comsol, Chen2020, Ai2020, Ai2020Paper, Ecker2015, KazemGhamsari2025).</summary>
    public static IReadOnlyList<string> Names => [.. Resources.Value.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The file name of the embedded JSON, for provenance.</summary>
    public static string ResourceName(string name) => Resources.Value[name];

    public static bool Exists(string name) => Resources.Value.ContainsKey(name);

    public static ParameterSet Get(string name)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(name, out var cached))
            {
                return cached;
            }
        }

        if (!Resources.Value.TryGetValue(name, out var resource))
        {
            throw new KeyNotFoundException($"Unknown parameter set '{name}'. Known: {string.Join(", ", Names)}.");
        }

        using var stream = typeof(ParameterSets).Assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        var set = ParameterSet.FromJson(reader.ReadToEnd(), resource, Get);
        lock (Cache)
        {
            Cache[name] = set;
        }

        return set;
    }

    /// <summary>The raw JSON of a built-in set.</summary>
    public static string Json(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(Resources.Value[name])!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
