// Imports BPX (Battery Parameter eXchange) files, v0.x and v1.x, into a ParameterSet with PyBaMM names, following
// PyBaMM's bpx.py: Arrhenius factors, j0 from the normalised rate constant, Bruggeman exponents from transport
// efficiencies, SOC-to-stoichiometry windows, blends as "Primary:/Secondary:" materials. Expression strings and
// {x, y} tables (linear) are both accepted. Every problem is collected (with its JSON path) before throwing.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DigitalTwin.Physics.Electrochem.Expressions;
using DigitalTwin.Physics.Electrochem.Numerics;

namespace DigitalTwin.Physics.Electrochem.Parameters;

public static class BpxImporter
{
    private sealed record Field(string Name, double Min, double Max, string Unit);

    private static readonly Field[] Ranges =
    [
        new("Thickness [m]", 1e-7, 1e-2, "m"),
        new("Particle radius [m]", 1e-9, 1e-3, "m"),
        new("Porosity", 1e-3, 1, ""),
        new("Transport efficiency", 1e-4, 1, ""),
        new("Conductivity [S.m-1]", 1e-8, 1e8, "S.m-1"),
        new("Surface area per unit volume [m-1]", 1e2, 1e9, "m-1"),
        new("Reaction rate constant [mol.m-2.s-1]", 1e-16, 1, "mol.m-2.s-1"),
        new("Minimum stoichiometry", 0, 1, ""),
        new("Maximum stoichiometry", 0, 1, ""),
        new("Maximum concentration [mol.m-3]", 100, 1e6, "mol.m-3"),
        new("Electrode area [m2]", 1e-8, 1e3, "m2"),
        new("Nominal cell capacity [A.h]", 1e-9, 1e6, "A.h"),
        new("Lower voltage cut-off [V]", -1, 6, "V"),
        new("Upper voltage cut-off [V]", -1, 6, "V"),
        new("Cation transference number", 0, 1, ""),
        new("Reference temperature [K]", 200, 400, "K"),
    ];

    public static ParameterSet Import(string json, string origin)
    {
        var problems = new List<string>();
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new ParameterSetException(origin, [$"line {ex.LineNumber + 1}: not valid JSON ({ex.Message})"]);
        }

        if (root is not JsonObject top)
        {
            throw new ParameterSetException(origin, ["a BPX file is one JSON object"]);
        }

        var header = top["Header"] as JsonObject;
        var param = top["Parameterisation"] as JsonObject;
        if (header is null)
        {
            problems.Add("Header: missing");
        }

        if (param is null)
        {
            problems.Add("Parameterisation: missing");
        }

        if (header is null || param is null)
        {
            throw new ParameterSetException(origin, problems);
        }

        var version = header["BPX"] switch
        {
            JsonValue v when v.TryGetValue<double>(out var d) => d,
            JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(string.Join('.', s.Split('.').Take(2)), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => problems.AddAndReturn("Header.BPX: missing or not a version (e.g. \"1.1.1\" or 0.1)", 1.0),
        };
        var v1 = version >= 0.5;
        var model = (string?)header["Model"] ?? problems.AddAndReturn("Header.Model: missing (SPM, SPMe or DFN)", "DFN");
        if (model is not ("SPM" or "SPMe" or "DFN"))
        {
            problems.Add($"Header.Model: '{model}' cannot be simulated (SPM, SPMe or DFN; 'Partial' sets are not complete cells)");
        }

        var isSpm = model == "SPM";
        var state = top["State"] as JsonObject;
        var p = new List<ParameterEntry>();
        var src = $"BPX {origin}";
        void Add(string name, double value, string path) => p.Add(new ParameterEntry(name, ParameterFunction.Constant(value), $"{src}: {path}", false));

        var cell = Group(param, "Cell", problems);
        var tref = Num(cell, "Cell", "Reference temperature [K]", problems, optional: true) ?? 298.15;
        double? ambient = v1 ? Num(state?["Thermal environment"] as JsonObject, "State.Thermal environment", "Ambient temperature [K]", problems, optional: true)
            : Num(cell, "Cell", "Ambient temperature [K]", problems, optional: true);
        double? initialT = v1 ? Num(state?["Initial conditions"] as JsonObject, "State.Initial conditions", "Initial temperature [K]", problems, optional: true)
            : Num(cell, "Cell", "Initial temperature [K]", problems, optional: true);
        var temperature = ambient ?? initialT ?? tref;
        var area = Num(cell, "Cell", "Electrode area [m2]", problems) ?? double.NaN;
        Add("Electrode height [m]", Math.Sqrt(area), "Cell.Electrode area [m2] (height = width = sqrt(area), as PyBaMM)");
        Add("Electrode width [m]", Math.Sqrt(area), "Cell.Electrode area [m2]");
        Add("Number of electrodes connected in parallel to make a cell", Num(cell, "Cell", "Number of electrode pairs connected in parallel to make a cell", problems) ?? double.NaN, "Cell");
        var capacity = Num(cell, "Cell", "Nominal cell capacity [A.h]", problems) ?? double.NaN;
        Add("Nominal cell capacity [A.h]", capacity, "Cell");
        Add("Current function [A]", capacity, "Cell (1C)");
        Add("Lower voltage cut-off [V]", Num(cell, "Cell", "Lower voltage cut-off [V]", problems) ?? double.NaN, "Cell");
        Add("Upper voltage cut-off [V]", Num(cell, "Cell", "Upper voltage cut-off [V]", problems) ?? double.NaN, "Cell");
        Add("Reference temperature [K]", tref, "Cell");
        Add("Ambient temperature [K]", temperature, v1 ? "State.Thermal environment" : "Cell");
        Add("Initial temperature [K]", initialT ?? temperature, v1 ? "State.Initial conditions" : "Cell");
        if (v1 && cell?["Thermal conductivity [W.m-1.K-1]"] is not null)
        {
            problems.Add("Cell.Thermal conductivity [W.m-1.K-1]: not allowed in BPX v1 (move it to User-defined)");
        }

        var soc = (v1 ? Num(state?["Initial conditions"] as JsonObject, "State.Initial conditions", "Initial state-of-charge", problems, optional: true) : null) ?? 1.0;
        if (soc is < 0 or > 1)
        {
            problems.Add($"State.Initial conditions.Initial state-of-charge: {soc} is outside [0, 1]");
        }

        double ce0;
        if (isSpm)
        {
            ce0 = 1000;
            if (param["Electrolyte"] is not null || param["Separator"] is not null)
            {
                problems.Add("Parameterisation: an SPM file must not have Electrolyte or Separator groups");
            }

            // The SPM has no electrolyte; these fill the cell description and are never used by the SPM equations.
            foreach (var (name, value) in new (string, double)[]
            {
                ("Cation transference number", 0.0), ("Separator thickness [m]", 1e-5), ("Separator porosity", 1.0),
                ("Separator Bruggeman coefficient (electrolyte)", 1.5), ("Negative electrode porosity", 0.3), ("Positive electrode porosity", 0.3),
                ("Negative electrode Bruggeman coefficient (electrolyte)", 1.5), ("Positive electrode Bruggeman coefficient (electrolyte)", 1.5),
                ("Negative electrode conductivity [S.m-1]", 1e3), ("Positive electrode conductivity [S.m-1]", 1e3),
            })
            {
                p.Add(new ParameterEntry(name, ParameterFunction.Constant(value), "not used by the SPM (BPX SPM files have no electrolyte)", true));
            }

            p.Add(new ParameterEntry("Electrolyte diffusivity [m2.s-1]", ParameterFunction.Constant(1e-10, ["c_e", "T"]), "not used by the SPM", true));
            p.Add(new ParameterEntry("Electrolyte conductivity [S.m-1]", ParameterFunction.Constant(1.0, ["c_e", "T"]), "not used by the SPM", true));
        }
        else
        {
            var el = Group(param, "Electrolyte", problems);
            ce0 = (v1 ? Num(state?["Initial conditions"] as JsonObject, "State.Initial conditions", "Initial electrolyte concentration [mol.m-3]", problems, optional: true)
                : Num(el, "Electrolyte", "Initial concentration [mol.m-3]", problems, optional: true)) ?? 1000;
            if (v1 && el?["Initial concentration [mol.m-3]"] is not null)
            {
                problems.Add("Electrolyte.Initial concentration [mol.m-3]: moved to State in BPX v1");
            }

            Add("Cation transference number", Num(el, "Electrolyte", "Cation transference number", problems) ?? double.NaN, "Electrolyte");
            var eaD = Num(el, "Electrolyte", "Diffusivity activation energy [J.mol-1]", problems, optional: true) ?? 0;
            var eaK = Num(el, "Electrolyte", "Conductivity activation energy [J.mol-1]", problems, optional: true) ?? 0;
            var d = Fn(el, "Electrolyte", "Diffusivity [m2.s-1]", problems);
            var k = Fn(el, "Electrolyte", "Conductivity [S.m-1]", problems);
            if (d is not null)
            {
                p.Add(new ParameterEntry("Electrolyte diffusivity [m2.s-1]", Arrhenius(d, eaD, tref, "c_e"), $"{src}: Electrolyte.Diffusivity x Arrhenius({eaD} J/mol)", false));
            }

            if (k is not null)
            {
                p.Add(new ParameterEntry("Electrolyte conductivity [S.m-1]", Arrhenius(k, eaK, tref, "c_e"), $"{src}: Electrolyte.Conductivity x Arrhenius({eaK} J/mol)", false));
            }

            var sep = Group(param, "Separator", problems);
            Add("Separator thickness [m]", Num(sep, "Separator", "Thickness [m]", problems) ?? double.NaN, "Separator");
            var sepEps = Num(sep, "Separator", "Porosity", problems) ?? double.NaN;
            Add("Separator porosity", sepEps, "Separator");
            Add("Separator Bruggeman coefficient (electrolyte)", Math.Log(Num(sep, "Separator", "Transport efficiency", problems) ?? double.NaN) / Math.Log(sepEps), "Separator: ln(TE)/ln(porosity)");
        }

        Add("Initial concentration in electrolyte [mol.m-3]", ce0, "State (default 1000)");
        Add("Thermodynamic factor", 1.0, "BPX has no thermodynamic factor (PyBaMM sets 1)");
        foreach (var side in new[] { "Negative", "Positive" })
        {
            var g = Group(param, $"{side} electrode", problems);
            if (g is null)
            {
                continue;
            }

            var path = $"{side} electrode";
            Add($"{side} electrode thickness [m]", Num(g, path, "Thickness [m]", problems) ?? double.NaN, path);
            if (!isSpm)
            {
                var eps = Num(g, path, "Porosity", problems) ?? double.NaN;
                Add($"{side} electrode porosity", eps, path);
                Add($"{side} electrode Bruggeman coefficient (electrolyte)", Math.Log(Num(g, path, "Transport efficiency", problems) ?? double.NaN) / Math.Log(eps), $"{path}: ln(TE)/ln(porosity)");
                Add($"{side} electrode conductivity [S.m-1]", Num(g, path, "Conductivity [S.m-1]", problems) ?? double.NaN, $"{path} (effective)");
            }
            else
            {
                foreach (var forbidden in new[] { "Porosity", "Transport efficiency", "Conductivity [S.m-1]" })
                {
                    if (g[forbidden] is not null)
                    {
                        problems.Add($"{path}.{forbidden}: not allowed in an SPM file");
                    }
                }
            }

            Add($"{side} electrode Bruggeman coefficient (electrode)", 0, "BPX conductivities are effective");
            var materials = g["Particle"] is JsonObject blend
                ? blend.Select((kv, i) => (Prefix: i switch { 0 => "Primary: ", 1 => "Secondary: ", _ => "Tertiary: " }, Node: kv.Value as JsonObject, Path: $"{path}.Particle.{kv.Key}")).ToList()
                : [("", g, path)];
            if (materials.Count > 3)
            {
                problems.Add($"{path}.Particle: at most three materials are supported");
            }

            foreach (var (prefix, node, mpath) in materials)
            {
                Particle(node, mpath, prefix, side, soc, ce0, tref, p, problems, src);
            }
        }

        CheckUnknownUnits(param, problems);
        if (problems.Count > 0)
        {
            throw new ParameterSetException(origin, problems);
        }

        var title = (string?)header["Title"] ?? origin;
        return new ParameterSet(title, (string?)header["Description"] ?? "", $"BPX v{version.ToString(CultureInfo.InvariantCulture)} file {origin}", p,
            [new ParameterReference("BPX", "Battery Parameter eXchange (FaradayInstitution/BPX)", null, origin)], halfCell: false, chemistry: title)
        {
            RestrictedToModel = isSpm ? "SPM" : null,
        };
    }

    private static void Particle(JsonObject? g, string path, string prefix, string side, double soc, double ce0, double tref,
        List<ParameterEntry> p, List<string> problems, string src)
    {
        if (g is null)
        {
            problems.Add($"{path}: missing particle data");
            return;
        }

        var lower = side.ToLowerInvariant();
        void Add(string name, double value, string note) => p.Add(new ParameterEntry(prefix + name, ParameterFunction.Constant(value), $"{src}: {path} {note}", false));
        var radius = Num(g, path, "Particle radius [m]", problems) ?? double.NaN;
        var a = Num(g, path, "Surface area per unit volume [m-1]", problems) ?? double.NaN;
        var cmax = Num(g, path, "Maximum concentration [mol.m-3]", problems) ?? double.NaN;
        var smin = Num(g, path, "Minimum stoichiometry", problems) ?? double.NaN;
        var smax = Num(g, path, "Maximum stoichiometry", problems) ?? double.NaN;
        var k = Num(g, path, "Reaction rate constant [mol.m-2.s-1]", problems) ?? double.NaN;
        var eaK = Num(g, path, "Reaction rate constant activation energy [J.mol-1]", problems, optional: true) ?? 0;
        var eaD = Num(g, path, "Diffusivity activation energy [J.mol-1]", problems, optional: true) ?? 0;
        if (smin >= smax)
        {
            problems.Add($"{path}: Minimum stoichiometry {smin} must be below Maximum stoichiometry {smax}");
        }

        Add($"{side} particle radius [m]", radius, "");
        Add($"{side} electrode surface area to volume ratio [m-1]", a, "");
        Add($"{side} electrode active material volume fraction", a * radius / 3, "(a R / 3)");
        Add($"Maximum concentration in {lower} electrode [mol.m-3]", cmax, "");
        var sto = side == "Negative" ? smin + soc * (smax - smin) : smax - soc * (smax - smin);
        Add($"Initial concentration in {lower} electrode [mol.m-3]", sto * cmax, $"(SOC {soc} in [{smin}, {smax}])");
        Add($"{side} electrode minimum stoichiometry", smin, "");
        Add($"{side} electrode maximum stoichiometry", smax, "");
        var d = Fn(g, path, "Diffusivity [m2.s-1]", problems);
        if (d is not null)
        {
            p.Add(new ParameterEntry($"{prefix}{side} particle diffusivity [m2.s-1]", Arrhenius(d, eaD, tref, "sto"), $"{src}: {path}.Diffusivity x Arrhenius({eaD} J/mol)", false));
        }

        var ocp = Fn(g, path, "OCP [V]", problems);
        if (ocp is not null)
        {
            p.Add(new ParameterEntry($"{prefix}{side} electrode OCP [V]", ocp.WithArguments(["sto"]), $"{src}: {path}.OCP", false));
        }

        var scale = Constants.F * k;
        var j0 = ParameterFunction.FromDelegate($"F k sqrt(c_e/c_e0 sto (1-sto)) Arrhenius({eaK}), k = {k}", ["c_e", "c_s_surf", "c_s_max", "T"],
            (ce, cs, cm, t) => scale * Math.Exp(eaK / Constants.R * (1 / tref - 1 / t)) * Math.Sqrt(ce / ce0 * (cs / cm) * (1 - cs / cm)));
        p.Add(new ParameterEntry($"{prefix}{side} electrode exchange-current density [A.m-2]", j0, $"{src}: {path}.Reaction rate constant (BPX kinetics)", false));
    }

    // x in BPX functions is stoichiometry (particles) or c_e (electrolyte); T enters only through Arrhenius.
    private static ParameterFunction Arrhenius(ParameterFunction f, double ea, double tref, string variable)
    {
        if (ea == 0)
        {
            return f.Kind == ParameterFunctionKind.Constant ? ParameterFunction.Constant(f.Evaluate(0), [variable, "T"]) : f.WithArguments([variable, "T"]);
        }

        return ParameterFunction.FromDelegate($"({f.Text}) x exp({ea}/R (1/{tref} - 1/T))", [variable, "T"],
            (x, t, _, _) => f.Evaluate(x) * Math.Exp(ea / Constants.R * (1 / tref - 1 / t)));
    }

    private static JsonObject? Group(JsonObject param, string name, List<string> problems)
    {
        if (param[name] is JsonObject g)
        {
            return g;
        }

        problems.Add($"Parameterisation.{name}: missing");
        return null;
    }

    private static double? Num(JsonObject? g, string path, string key, List<string> problems, bool optional = false)
    {
        if (g is null)
        {
            return null;
        }

        var node = g[key];
        if (node is null)
        {
            if (!optional)
            {
                problems.Add($"{path}.{key}: missing");
            }

            return null;
        }

        if (node is JsonValue v && v.TryGetValue<double>(out var d))
        {
            var range = Ranges.FirstOrDefault(r => r.Name == key);
            if (range is not null && (d < range.Min || d > range.Max || double.IsNaN(d)))
            {
                var hint = range.Unit == "m" && d > range.Max && d * 1e-6 <= range.Max ? " (looks like micrometres; the unit is m)" : "";
                problems.Add($"{path}.{key}: {d.ToString("G6", CultureInfo.InvariantCulture)} is outside [{range.Min:G3}, {range.Max:G3}] {range.Unit}{hint}");
            }

            return d;
        }

        problems.Add($"{path}.{key}: expected a number, found {node.GetValueKind()}");
        return null;
    }

    private static ParameterFunction? Fn(JsonObject? g, string path, string key, List<string> problems)
    {
        if (g is null)
        {
            return null;
        }

        var node = g[key];
        try
        {
            switch (node)
            {
                case null:
                    problems.Add($"{path}.{key}: missing");
                    return null;
                case JsonValue v when v.TryGetValue<double>(out var d):
                    return ParameterFunction.Constant(d, ["x"]);
                case JsonValue v when v.TryGetValue<string>(out var text):
                    return ParameterFunction.FromExpression(text, ["x"]);
                case JsonObject o when o["x"] is JsonArray xs && o["y"] is JsonArray ys:
                    return ParameterFunction.FromTable(new Interpolant(xs.Select(x => (double)x!).ToArray(), ys.Select(y => (double)y!).ToArray(), cubic: false), ["x"]);
                default:
                    problems.Add($"{path}.{key}: expected a number, an expression string in x, or a table {{\"x\": [...], \"y\": [...]}}");
                    return null;
            }
        }
        catch (ExpressionException ex)
        {
            problems.Add($"{path}.{key}: {ex.Message}");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            problems.Add($"{path}.{key}: {ex.Message}");
        }

        return null;
    }

    // A key whose name matches a known field but with other units (e.g. "Thickness [um]") is a unit mistake.
    private static void CheckUnknownUnits(JsonObject param, List<string> problems)
    {
        var known = Ranges.Select(r => r.Name).Concat(["Diffusivity [m2.s-1]", "OCP [V]", "Entropic change coefficient [V.K-1]"]).ToList();
        foreach (var (group, node) in param)
        {
            if (node is not JsonObject g)
            {
                continue;
            }

            foreach (var (key, _) in g)
            {
                var bracket = key.IndexOf('[', StringComparison.Ordinal);
                if (bracket <= 0)
                {
                    continue;
                }

                var stem = key[..bracket];
                var expected = known.FirstOrDefault(k => k.StartsWith(stem, StringComparison.Ordinal) && k != key);
                if (expected is not null && !known.Contains(key))
                {
                    problems.Add($"{group}.{key}: unit not accepted; BPX expects '{expected}'");
                }
            }
        }
    }
}
