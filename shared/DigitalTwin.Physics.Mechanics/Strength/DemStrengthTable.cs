// DEM crush strengths after increasing numbers of swelling cycles (`twin dem crush --series ... --out`, one file per
// environment) and their fit into the particle strength law: sigma(N) = sigma_0 (1 - D_f)(1 - D_s ln(1 + 2 N c / D_s))
// is the law's discharged strength after N reference cycles (2N half cycles at sigma_ref), so D_f,ref and c per
// environment come from the DEM points by least squares; sigma_0 is the DEM pristine strength.
using System.Text.Json;

namespace DigitalTwin.Physics.Mechanics.Strength;

/// <summary>One DEM point: mean strength over seeds after <see cref="Cycles"/> cycles, and its standard deviation [Pa].</summary>
public sealed record DemStrengthPoint(int Cycles, double StrengthPa, double StandardDeviationPa);

/// <summary>A DEM strength-vs-cycles table of one environment.</summary>
public sealed record DemStrengthTable(Environment Environment, IReadOnlyList<DemStrengthPoint> Points)
{
    /// <summary>Parses the JSON the DEM crush series writes; every problem is reported at once, naming <paramref name="origin"/>.</summary>
    public static DemStrengthTable Parse(string json, string origin)
    {
        var problems = new ParameterProblems($"DEM strength table {origin}");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            problems.Add($"not JSON: {ex.Message}");
            problems.ThrowIfAny();
            throw;
        }

        using (doc)
        {
            var root = doc.RootElement;
            var env = Environment.Liquid;
            if (!root.TryGetProperty("environment", out var e) || e.ValueKind != JsonValueKind.String ||
                !Enum.TryParse(e.GetString(), ignoreCase: true, out env))
            {
                problems.Add("environment: \"liquid\" or \"solid\" is required");
            }

            var points = new List<DemStrengthPoint>();
            if (!root.TryGetProperty("points", out var arr) || arr.ValueKind != JsonValueKind.Array)
            {
                problems.Add("points: an array of { cycles, strengthPa, sdPa } is required");
            }
            else
            {
                var k = 0;
                foreach (var p in arr.EnumerateArray())
                {
                    var cycles = p.TryGetProperty("cycles", out var c) && c.TryGetInt32(out var ci) ? ci : -1;
                    var strength = p.TryGetProperty("strengthPa", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : double.NaN;
                    var sd = p.TryGetProperty("sdPa", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : 0;
                    if (cycles < 0)
                    {
                        problems.Add($"points[{k}].cycles: an integer >= 0 is required");
                    }

                    problems.Positive($"points[{k}].strengthPa", strength, "Pa");
                    problems.NonNegative($"points[{k}].sdPa", sd, "Pa");
                    points.Add(new DemStrengthPoint(cycles, strength, sd));
                    k++;
                }

                if (!points.Any(q => q.Cycles == 0))
                {
                    problems.Add("points: the pristine point (cycles = 0) is required");
                }

                if (points.Select(q => q.Cycles).Distinct().Count() != points.Count)
                {
                    problems.Add("points: each cycle count may appear once");
                }
            }

            problems.ThrowIfAny();
            return new DemStrengthTable(env, points.OrderBy(q => q.Cycles).ToArray());
        }
    }

    public double Pristine => Points.First(p => p.Cycles == 0).StrengthPa;

    /// <summary>Recorded DEM tables shipped with the library (Strength/DemTables/&lt;name&gt;.json).</summary>
    public static IReadOnlyList<string> Available { get; } = typeof(DemStrengthTable).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(EmbeddedPrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Select(n => n[EmbeddedPrefix.Length..^".json".Length]).Order(StringComparer.Ordinal).ToArray();

    private const string EmbeddedPrefix = "DigitalTwin.Physics.Mechanics.DemTables.";

    public static DemStrengthTable Embedded(string name)
    {
        using var stream = typeof(DemStrengthTable).Assembly.GetManifestResourceStream(EmbeddedPrefix + name + ".json");
        if (stream is null)
        {
            var problems = new ParameterProblems("DEM strength table");
            problems.Add($"'{name}' is not embedded (available: {string.Join(", ", Available)})");
            problems.ThrowIfAny();
        }

        using var reader = new StreamReader(stream!);
        return Parse(reader.ReadToEnd(), name + ".json");
    }
}

public static class DemStrengthCalibration
{
    /// <summary>The law's discharged strength after <paramref name="cycles"/> reference cycles [Pa].</summary>
    public static double StrengthAfter(ParticleStrengthLaw law, Environment environment, int cycles)
    {
        var state = default(StrengthState);
        var strength = law.Strength(state, environment);
        for (var h = 1; h <= 2 * cycles; h++)
        {
            strength = law.EndHalfCycle(ref state, law.ReferenceDrivingStress, h % 2 == 1 ? law.ChargedStoichiometry : law.DischargedStoichiometry, environment);
        }

        return strength;
    }

    /// <summary>
    /// The strength law with the DEM pristine strength and, per environment with a table, the formation damage and
    /// fatigue rate that fit its points (least squares on relative strength); an environment without a table keeps
    /// <paramref name="baseline"/>'s constants (default: the seed-000 experiment fit). Reversible weakening is kept:
    /// the DEM crushes discharged specimens only.
    /// </summary>
    public static ParticleStrengthLaw Fit(double referenceDrivingStress, DemStrengthTable? liquid, DemStrengthTable? solid, ParticleStrengthLaw? baseline = null)
    {
        var b = baseline ?? ParticleStrengthLaw.Seed000(referenceDrivingStress);
        var tables = new[] { liquid, solid }.Where(t => t is not null).Select(t => t!).ToArray();
        if (tables.Length == 0)
        {
            var problems = new ParameterProblems("DEM strength fit");
            problems.Add("at least one DEM table (liquid or solid) is required");
            problems.ThrowIfAny();
        }

        var pristine = tables.Average(t => t.Pristine);
        var l = liquid is null ? b.Liquid : FitEnvironment(liquid, b.Liquid, b.FatigueSaturation, b.MaximumDamage);
        var s = solid is null ? b.Solid : FitEnvironment(solid, b.Solid, b.FatigueSaturation, b.MaximumDamage);
        return ParticleStrengthLaw.Create(pristine, referenceDrivingStress, b.FormationExponent, b.FatigueExponent, b.FatigueSaturation,
            b.MaximumDamage, b.DischargedStoichiometry, b.ChargedStoichiometry, l, s);
    }

    private static EnvironmentStrengthParameters FitEnvironment(DemStrengthTable t, EnvironmentStrengthParameters keep, double ds, double maxDamage)
    {
        var cycled = t.Points.Where(p => p.Cycles > 0).ToArray();
        if (cycled.Length == 0)
        {
            return keep with { FormationDamage = 0, FatigueRate = 0 };
        }

        var y = cycled.Select(p => p.StrengthPa / t.Pristine).ToArray();
        var n = cycled.Select(p => p.Cycles).ToArray();
        // for a fatigue rate c the best (1 - D_f) is linear least squares; c itself by a scan in log c, then golden section
        (double Error, double Df) Solve(double c)
        {
            var g = n.Select(k => 1 - Math.Min(maxDamage, ds * Math.Log(1 + 2 * k * c / ds))).ToArray();
            var gg = g.Sum(v => v * v);
            var keepFraction = gg > 0 ? Math.Clamp(g.Zip(y, (a, v) => a * v).Sum() / gg, 1 - maxDamage, 1) : 1;
            var err = g.Zip(y, (a, v) => (keepFraction * a - v) * (keepFraction * a - v)).Sum();
            return (err, 1 - keepFraction);
        }

        var best = (C: 0.0, Fit: Solve(0));
        for (var e = -8.0; e <= 1.0; e += 0.25)
        {
            var c = Math.Pow(10, e);
            var f = Solve(c);
            if (f.Error < best.Fit.Error)
            {
                best = (c, f);
            }
        }

        if (best.C > 0)
        {
            double lo = best.C / 1.8, hi = best.C * 1.8;
            for (var it = 0; it < 60; it++)
            {
                var m1 = lo + 0.382 * (hi - lo);
                var m2 = lo + 0.618 * (hi - lo);
                if (Solve(m1).Error < Solve(m2).Error)
                {
                    hi = m2;
                }
                else
                {
                    lo = m1;
                }
            }

            var c = 0.5 * (lo + hi);
            if (Solve(c).Error < best.Fit.Error)
            {
                best = (c, Solve(c));
            }
        }

        return keep with { FormationDamage = Math.Min(best.Fit.Df, maxDamage - 1e-9), FatigueRate = best.C };
    }
}
