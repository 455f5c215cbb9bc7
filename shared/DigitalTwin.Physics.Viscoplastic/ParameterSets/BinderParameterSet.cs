// The binder parameter set (embedded JSON with references, placeholders and the A/k calibration record).
using System.Text.Json;
using DigitalTwin.Physics.Viscoplastic.Laws;

namespace DigitalTwin.Physics.Viscoplastic.ParameterSets;

public sealed record BinderParameterSet(string Name, IReadOnlyList<string> References, IReadOnlyList<string> Placeholders,
    PerzynaLudwik Law, double FractureStress, double FractureWork, double SwellingPerStoichiometry, string CalibrationJson)
{
    private const string Prefix = "DigitalTwin.Physics.Viscoplastic.ParameterSets.";

    public static IReadOnlyList<string> Available { get; } = typeof(BinderParameterSet).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^5]).Order(StringComparer.Ordinal).ToArray();

    public static BinderParameterSet Load(string name = "KazemGhamsari2025_PVdF")
    {
        using var stream = typeof(BinderParameterSet).Assembly.GetManifestResourceStream(Prefix + name + ".json")
            ?? throw new ViscoplasticInputException("binder parameter sets", [$"no set named '{name}' (available: {string.Join(", ", Available)})"]);
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), name + ".json");
    }

    public static BinderParameterSet Parse(string json, string source)
    {
        var p = new Problems(source);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        double Num(string field)
        {
            if (root.TryGetProperty("values", out var v) && v.TryGetProperty(field, out var x) && x.ValueKind == JsonValueKind.Number)
            {
                return x.GetDouble();
            }

            p.Add($"values.{field} is missing or not a number");
            return double.NaN;
        }

        var e = Num("youngsModulus_Pa");
        var nu = Num("poissonsRatio");
        var y0 = Num("initialYieldStress_Pa");
        var n = Num("hardeningExponent");
        var b = Num("rateExponent");
        var a = Num("rateCoefficient_per_s");
        var k = Num("strengthCoefficient_Pa");
        var sf = Num("fractureStress_Pa");
        var wf = Num("fractureWork_J_m3");
        var swelling = Num("swellingPerStoichiometry");
        p.Positive("values.fractureStress_Pa", sf, "Pa");
        p.Positive("values.fractureWork_J_m3", wf, "J.m-3");
        var references = root.TryGetProperty("references", out var refs) ? refs.EnumerateArray().Select(r => r.GetRawText()).ToArray() : [];
        if (references.Length == 0)
        {
            p.Add("field 'references' is missing or empty");
        }

        PerzynaLudwik? law = null;
        try
        {
            law = PerzynaLudwik.Create(e, nu, y0, k, n, a, b);
        }
        catch (ViscoplasticInputException ex)
        {
            foreach (var item in ex.Problems)
            {
                p.Add(item);
            }
        }

        p.ThrowIfAny();
        var placeholders = root.TryGetProperty("placeholders", out var ph) ? ph.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : [];
        var calibration = root.TryGetProperty("calibration", out var c) ? c.GetRawText() : "";
        return new BinderParameterSet(root.GetProperty("name").GetString() ?? source, references, placeholders, law!, sf, wf, swelling, calibration);
    }
}
