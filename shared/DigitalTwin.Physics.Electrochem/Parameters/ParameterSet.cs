// A named parameter set: PyBaMM-style names mapped to constants, expressions or tables, each with its source
// and a placeholder flag for values the paper did not state (STYLE §7).
using System.Text.Json;
using System.Text.Json.Nodes;
using DigitalTwin.Physics.Electrochem.Numerics;

namespace DigitalTwin.Physics.Electrochem.Parameters;

public sealed record ParameterEntry(string Name, ParameterFunction Value, string? Source, bool Placeholder)
{
    public bool IsScalar => Value.Kind == ParameterFunctionKind.Constant;
}

public sealed record ParameterReference(string Key, string Citation, string? Doi, string? Used);

public sealed class ParameterSet
{
    private readonly Dictionary<string, ParameterEntry> _entries;

    public ParameterSet(string name, string description, string source, IEnumerable<ParameterEntry> entries,
        IReadOnlyList<ParameterReference>? references = null, bool halfCell = false, string? chemistry = null)
    {
        Name = name;
        Description = description;
        Source = source;
        References = references ?? [];
        HalfCell = halfCell;
        Chemistry = chemistry ?? "";
        _entries = new Dictionary<string, ParameterEntry>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            _entries[e.Name] = e;
        }
    }

    public string Name { get; }

    public string Description { get; }

    public string Source { get; }

    public string Chemistry { get; }

    /// <summary>True for a porous cathode against Li metal (no negative porous electrode).</summary>
    public bool HalfCell { get; }

    public IReadOnlyList<ParameterReference> References { get; }

    /// <summary>The only model the data support (a BPX "SPM" file has no electrolyte), or null for any.</summary>
    public string? RestrictedToModel { get; init; }

    public IReadOnlyCollection<ParameterEntry> Entries => _entries.Values;

    public bool Contains(string name) => _entries.ContainsKey(name);

    public ParameterEntry? Find(string name) => _entries.GetValueOrDefault(name);

    public double Scalar(string name) =>
        _entries.TryGetValue(name, out var e) && e.IsScalar
            ? e.Value.Evaluate(0)
            : throw new KeyNotFoundException($"Parameter set {Name} has no scalar '{name}'.");

    /// <summary>Copy with some values replaced (a number, an expression string of the same arguments, or a function).</summary>
    public ParameterSet With(string newName, IReadOnlyDictionary<string, object> overrides, string? source = null)
    {
        var entries = new Dictionary<string, ParameterEntry>(_entries, StringComparer.Ordinal);
        foreach (var (key, value) in overrides)
        {
            var args = entries.TryGetValue(key, out var old) ? old.Value.Arguments : [];
            var fn = value switch
            {
                double d => ParameterFunction.Constant(d, args),
                int i => ParameterFunction.Constant(i, args),
                string s => ParameterFunction.FromExpression(s, args),
                ParameterFunction f => f,
                _ => throw new ArgumentException($"Override for '{key}' must be a number, an expression or a function."),
            };
            entries[key] = new ParameterEntry(key, fn, source ?? "override", false);
        }

        return new ParameterSet(newName, Description, Source, entries.Values, References, HalfCell, Chemistry);
    }

    /// <summary>Reads the set format of ParameterSets/*.json. Every problem is collected before throwing.</summary>
    public static ParameterSet FromJson(string json, string origin, Func<string, ParameterSet>? resolveBase = null)
    {
        var problems = new List<string>();
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new ParameterSetException(origin, [$"line {ex.LineNumber + 1}: not valid JSON ({ex.Message})"]);
        }

        if (root is not JsonObject obj)
        {
            throw new ParameterSetException(origin, ["the file must hold one JSON object"]);
        }

        var name = (string?)obj["name"] ?? problems.AddAndReturn<string>("missing \"name\"", "unnamed");
        var baseName = (string?)obj["base"];
        var entries = new List<ParameterEntry>();
        ParameterSet? baseSet = null;
        if (baseName is not null)
        {
            if (resolveBase is null)
            {
                problems.Add($"\"base\": {baseName} cannot be resolved here");
            }
            else
            {
                baseSet = resolveBase(baseName);
                entries.AddRange(baseSet.Entries);
            }
        }

        var references = new List<ParameterReference>();
        if (obj["references"] is JsonArray refs)
        {
            foreach (var r in refs.OfType<JsonObject>())
            {
                references.Add(new ParameterReference((string?)r["key"] ?? "", (string?)r["citation"] ?? "", (string?)r["doi"], (string?)r["used"]));
            }
        }

        if (obj["parameters"] is not JsonObject parameters)
        {
            problems.Add("missing \"parameters\" object");
        }
        else
        {
            foreach (var (key, node) in parameters)
            {
                var entry = ReadEntry(key, node, problems);
                if (entry is not null)
                {
                    entries.RemoveAll(e => e.Name == key);
                    entries.Add(entry);
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new ParameterSetException(origin, problems);
        }

        var halfCell = string.Equals((string?)obj["cell"], "half", StringComparison.OrdinalIgnoreCase) || (baseSet?.HalfCell ?? false);
        return new ParameterSet(name, (string?)obj["description"] ?? "", (string?)obj["source"] ?? origin, entries,
            references.Count > 0 ? references : baseSet?.References, halfCell, (string?)obj["chemistry"] ?? baseSet?.Chemistry);
    }

    private static ParameterEntry? ReadEntry(string key, JsonNode? node, List<string> problems)
    {
        try
        {
            switch (node)
            {
                case JsonValue v when v.TryGetValue<double>(out var d):
                    return new ParameterEntry(key, ParameterFunction.Constant(d), null, false);
                case JsonObject o:
                    var source = (string?)o["source"];
                    var placeholder = o["placeholder"] is JsonValue pv && pv.TryGetValue<bool>(out var p) && p;
                    var args = o["args"] is JsonArray a ? a.Select(x => (string)x!).ToArray() : [];
                    if (o["value"] is JsonValue val && val.TryGetValue<double>(out var num))
                    {
                        return new ParameterEntry(key, ParameterFunction.Constant(num, args), source, placeholder);
                    }

                    if (o["expression"] is JsonValue ev && ev.TryGetValue<string>(out var expr))
                    {
                        return new ParameterEntry(key, ParameterFunction.FromExpression(expr, args), source, placeholder);
                    }

                    if (o["table"] is JsonObject t)
                    {
                        var xs = (t["x"] as JsonArray)?.Select(x => (double)x!).ToArray() ?? [];
                        var ys = (t["y"] as JsonArray)?.Select(x => (double)x!).ToArray() ?? [];
                        var cubic = string.Equals((string?)o["interpolation"], "cubic", StringComparison.OrdinalIgnoreCase);
                        return new ParameterEntry(key, ParameterFunction.FromTable(new Interpolant(xs, ys, cubic), args), source, placeholder);
                    }

                    problems.Add($"\"{key}\": needs \"value\", \"expression\" or \"table\"");
                    return null;
                default:
                    problems.Add($"\"{key}\": expected a number or an object, found {node?.GetValueKind().ToString() ?? "null"}");
                    return null;
            }
        }
        catch (Exception ex) when (ex is Expressions.ExpressionException or ArgumentException or InvalidOperationException or FormatException)
        {
            problems.Add($"\"{key}\": {ex.Message}");
            return null;
        }
    }
}

/// <summary>A parameter set or BPX file that cannot be used; lists every problem found.</summary>
public sealed class ParameterSetException(string origin, IReadOnlyList<string> problems)
    : Exception($"{origin}: {problems.Count} problem(s):{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}")
{
    public string Origin { get; } = origin;

    public IReadOnlyList<string> Problems { get; } = problems;
}

internal static class ListExtensions
{
    public static T AddAndReturn<T>(this List<string> problems, string problem, T fallback)
    {
        problems.Add(problem);
        return fallback;
    }
}
