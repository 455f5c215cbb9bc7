// Mechanics parameter sets (embedded JSON, one file per set, with references and placeholder markers) and the
// factory that turns one electrode of a set into a ParticleClass. Every problem in a file is reported at once.
using System.Text.Json;
using DigitalTwin.Physics.Mechanics.ChemicalStrain;
using DigitalTwin.Physics.Mechanics.Elasticity;
using DigitalTwin.Physics.Mechanics.Grains;
using DigitalTwin.Physics.Mechanics.Interface;
using DigitalTwin.Physics.Mechanics.Particles;
using DigitalTwin.Physics.Mechanics.Sphere;
using DigitalTwin.Physics.Mechanics.Strength;

namespace DigitalTwin.Physics.Mechanics.ParameterSets;

/// <summary>One electrode's mechanics in a set (SI units; null where the set does not model it).</summary>
public sealed record ElectrodeMechanics(
    string Electrode, string Material, double ParticleRadius, double MaximumConcentration, double InitialConcentration,
    double YoungsModulus, double PoissonsRatio, double Diffusivity, IChemicalStrain Strain,
    ParisCrackGrowth? Cracking, double? CriticalStress, MatrixShell? Matrix, ParticleInterface? Interface,
    GrainBoundaryMismatch? Mismatch, bool Seed000Strength, IChemicalStrain? VolumeChangeStrain);

public sealed record MechanicsParameterSet(string Name, string Description, IReadOnlyList<string> References,
    IReadOnlyList<string> Placeholders, IReadOnlyList<ElectrodeMechanics> Electrodes)
{
    private const string Prefix = "DigitalTwin.Physics.Mechanics.ParameterSets.";

    /// <summary>Names of the embedded sets.</summary>
    public static IReadOnlyList<string> Available { get; } = typeof(MechanicsParameterSet).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^5]).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Loads an embedded set by name (e.g. "Ai2020").</summary>
    public static MechanicsParameterSet Load(string name)
    {
        using var stream = typeof(MechanicsParameterSet).Assembly.GetManifestResourceStream(Prefix + name + ".json")
            ?? throw new MechanicsInputException("mechanics parameter sets", [$"no set named '{name}' (available: {string.Join(", ", Available)})"]);
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), name + ".json");
    }

    /// <summary>Parses a set from JSON text; <paramref name="source"/> names the file in error messages.</summary>
    public static MechanicsParameterSet Parse(string json, string source)
    {
        var problems = new ParameterProblems(source);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var name = root.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
        if (name.Length == 0)
        {
            problems.Add("field 'name' is missing");
        }

        var description = root.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "";
        var references = root.TryGetProperty("references", out var refs)
            ? refs.EnumerateArray().Select(r => $"{Str(r, "id")}: {Str(r, "citation")} {Str(r, "doi")} ({Str(r, "used")})").ToArray()
            : [];
        if (references.Length == 0)
        {
            problems.Add("field 'references' is missing or empty: every value needs a source");
        }

        var placeholders = root.TryGetProperty("placeholders", out var ph) ? ph.EnumerateArray().Select(p => p.GetString() ?? "").ToArray() : [];
        var electrodes = new List<ElectrodeMechanics>();
        if (!root.TryGetProperty("electrodes", out var list) || list.GetArrayLength() == 0)
        {
            problems.Add("field 'electrodes' is missing or empty");
        }
        else
        {
            var index = 0;
            foreach (var e in list.EnumerateArray())
            {
                var electrode = ParseElectrode(e, $"electrodes[{index++}]", problems);
                if (electrode is not null)
                {
                    electrodes.Add(electrode);
                }
            }
        }

        problems.ThrowIfAny();
        return new MechanicsParameterSet(name, description, references, placeholders, electrodes);
    }

    /// <summary>The electrode named "negative" or "positive"; an electrode the set lacks is named in the error.</summary>
    public ElectrodeMechanics Electrode(string electrode) =>
        Electrodes.FirstOrDefault(e => string.Equals(e.Electrode, electrode, StringComparison.OrdinalIgnoreCase))
        ?? throw new MechanicsInputException(Name, [$"set '{Name}' has no '{electrode}' electrode (has: {string.Join(", ", Electrodes.Select(e => e.Electrode))})"]);

    /// <summary>Builds a particle class of this electrode on a uniform grid.</summary>
    public ParticleClass CreateClass(string electrode, int nodes = 30, double? radius = null,
        Strength.Environment environment = Strength.Environment.Liquid, double? referenceDrivingStress = null,
        bool useVolumeChangeCurve = false)
    {
        var e = Electrode(electrode);
        if (useVolumeChangeCurve && e.VolumeChangeStrain is null)
        {
            throw new MechanicsInputException(Name, [$"set '{Name}' {electrode} electrode has no volume change curve"]);
        }

        var r = radius ?? e.ParticleRadius;
        var grid = SphereGrid.Uniform(r, nodes);
        var elasticity = IsotropicElasticity.Create(e.YoungsModulus, e.PoissonsRatio, $"{Name} {e.Electrode}");
        var strain = useVolumeChangeCurve ? e.VolumeChangeStrain! : e.Strain;
        var id = $"{Name}/{e.Electrode}/r{r * 1e6:0.###}um";
        ParticleStrengthLaw? strength = null;
        if (e.Seed000Strength)
        {
            var probe = ParticleClass.Create(id, grid, elasticity, strain, e.Interface, e.Mismatch, environment: environment);
            strength = ParticleStrengthLaw.Seed000(referenceDrivingStress ?? ReferenceDrivingStress(probe, e.Diffusivity));
        }

        ParisCrackGrowth? cracking = e.Cracking is null ? null
            : ParisCrackGrowth.Create(e.Cracking.Rate, e.Cracking.Exponent, e.Cracking.GeometryFactor, e.Cracking.InitialLength, r, e.Cracking.Toughness);
        return ParticleClass.Create(id, grid, elasticity, strain, e.Interface, e.Mismatch, strength, cracking, environment);
    }

    /// <summary>
    /// σ_ref of the seed-000 strength law: the peak driving stress (the kernel's own measure) over the seed-000
    /// reference charge, C/3 from x̄ = 0.95 to 0.25, using the quasi-steady galvanostatic profile
    /// c = c̄ − (J R / D)(ρ²/2 − 3/10) (Cheng and Verbrugge 2009, long-time limit) at each x̄.
    /// </summary>
    public static double ReferenceDrivingStress(ParticleClass probe, double diffusivity)
    {
        var batch = new ParticleBatch([probe]);
        var grid = probe.Grid;
        var cmax = probe.Strain.MaximumConcentration;
        var flux = 0.7 * cmax * grid.Radius / 3 / (3 * 3600);
        var amplitude = flux * grid.Radius / diffusivity;
        for (var k = 0; k <= 140; k++)
        {
            var mean = (0.95 - 0.7 * k / 140) * cmax;
            for (var i = 0; i < grid.Count; i++)
            {
                var rho = grid.Nodes[i] / grid.Radius;
                batch.Concentration[i] = Math.Clamp(mean - amplitude * (0.5 * rho * rho - 0.3), 0, cmax);
            }

            batch.Step(0, 0);
        }

        return batch.HalfCyclePeakDrivingStress[0];
    }

    private static string Str(JsonElement e, string field) => e.TryGetProperty(field, out var v) ? v.GetString() ?? "" : "";

    private static ElectrodeMechanics? ParseElectrode(JsonElement e, string path, ParameterProblems problems)
    {
        var before = problems.Items.Count;
        double Num(JsonElement o, string field, string p)
        {
            if (o.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number)
            {
                return v.GetDouble();
            }

            problems.Add($"{p}.{field} is missing or not a number");
            return double.NaN;
        }

        var electrode = Str(e, "electrode");
        var material = Str(e, "material");
        var radius = Num(e, "particleRadius_m", path);
        var cmax = Num(e, "maximumConcentration_mol_m3", path);
        var c0 = Num(e, "initialConcentration_mol_m3", path);
        var young = Num(e, "youngsModulus_Pa", path);
        var poisson = Num(e, "poissonsRatio", path);
        var diffusivity = Num(e, "diffusivity_m2_s", path);
        problems.Positive($"{path}.particleRadius_m", radius, "m");
        problems.Positive($"{path}.maximumConcentration_mol_m3", cmax, "mol.m-3");
        problems.InRange($"{path}.initialConcentration_mol_m3", c0, 0, cmax, "mol.m-3");
        problems.Positive($"{path}.diffusivity_m2_s", diffusivity, "m2.s-1");
        IsotropicElasticity.Check(problems, path, young, poisson);
        if (electrode is not ("negative" or "positive"))
        {
            problems.Add($"{path}.electrode = '{electrode}' must be 'negative' or 'positive'");
        }

        if (problems.Items.Count > before)
        {
            return null;
        }

        IChemicalStrain? strain = null;
        try
        {
            if (e.TryGetProperty("lattice", out var lat))
            {
                strain = LatticeParameterStrain.Create(Arr(lat, "stoichiometry"), Arr(lat, "a"), Arr(lat, "c"), cmax, Num(lat, "referenceStoichiometry", path + ".lattice"));
            }
            else if (e.TryGetProperty("linearAnisotropic", out var la))
            {
                var p = path + ".linearAnisotropic";
                strain = LinearAnisotropicStrain.Create(Num(la, "beta_m3_mol", p), Num(la, "thetaA", p), Num(la, "thetaC", p), Num(la, "referenceConcentration_mol_m3", p), cmax);
            }
            else
            {
                strain = PartialMolarVolumeStrain.Create(Num(e, "partialMolarVolume_m3_mol", path), Num(e, "referenceConcentration_mol_m3", path), cmax);
            }
        }
        catch (MechanicsInputException ex)
        {
            foreach (var p in ex.Problems)
            {
                problems.Add($"{path}: {p}");
            }
        }

        IChemicalStrain? volumeChange = null;
        if (e.TryGetProperty("volumeChangePolynomial", out var poly))
        {
            try
            {
                volumeChange = VolumeChangeCurveStrain.Create(poly.EnumerateArray().Select(x => x.GetDouble()).ToArray(), cmax,
                    Num(e, "referenceConcentration_mol_m3", path) / cmax);
            }
            catch (MechanicsInputException ex)
            {
                foreach (var p in ex.Problems)
                {
                    problems.Add($"{path}.volumeChangePolynomial: {p}");
                }
            }
        }

        ParisCrackGrowth? cracking = null;
        MatrixShell? matrix = null;
        ParticleInterface? face = null;
        GrainBoundaryMismatch? mismatch = null;
        double? critical = e.TryGetProperty("criticalStress_Pa", out var cs) ? cs.GetDouble() : null;
        try
        {
            if (e.TryGetProperty("paris", out var paris))
            {
                var p = path + ".paris";
                // K_IC ≈ 0.1 MPa m^0.5 for NCM (seed 001 ref. 47) unless the set gives one.
                var toughness = paris.TryGetProperty("toughness_Pa_m05", out var t) ? t.GetDouble() : 1e5;
                cracking = ParisCrackGrowth.Create(Num(paris, "rate", p), Num(paris, "exponent", p), Num(paris, "geometryFactor", p),
                    Num(paris, "initialLength_m", p), radius, toughness);
            }

            if (e.TryGetProperty("matrix", out var m))
            {
                var p = path + ".matrix";
                matrix = MatrixShell.Create(Num(m, "youngsModulus_Pa", p), Num(m, "poissonsRatio", p),
                    m.TryGetProperty("outerRadiusRatio", out var b) ? b.GetDouble() : double.PositiveInfinity);
            }

            if (e.TryGetProperty("interface", out var f))
            {
                var p = path + ".interface";
                if (matrix is null)
                {
                    problems.Add($"{p} needs a 'matrix' block");
                }
                else
                {
                    var law = BilinearCohesiveLaw.Create(Num(f, "strength_Pa", p), Num(f, "fractureEnergy_J_m2", p));
                    var resistance = InterfaceResistance.Create(Num(f, "baseResistance_Ohm_m2", p), Num(f, "decayLength_m", p), Num(f, "maximumResistance_Ohm_m2", p));
                    face = ParticleInterface.Create(law, matrix, resistance, (int)Num(f, "patches", p), Num(f, "surfaceGrainSize_m", p), Num(f, "orientationSpread_rad", p));
                }
            }

            if (e.TryGetProperty("grains", out var g))
            {
                var p = path + ".grains";
                mismatch = GrainBoundaryMismatch.Create(young, poisson, Num(g, "grainSize_m", p), Num(g, "orientationSpread_rad", p), Num(g, "boundaryFractureEnergy_J_m2", p));
            }
        }
        catch (MechanicsInputException ex)
        {
            foreach (var p in ex.Problems)
            {
                problems.Add($"{path}: {ex.Context}: {p}");
            }
        }

        var seed000 = e.TryGetProperty("strength", out var s) && Str(s, "model") == "seed000";
        if (problems.Items.Count > before || strain is null)
        {
            return null;
        }

        return new ElectrodeMechanics(electrode, material, radius, cmax, c0, young, poisson, diffusivity, strain, cracking, critical,
            matrix, face, mismatch, seed000, volumeChange);
    }

    private static double[] Arr(JsonElement o, string field) =>
        o.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetDouble()).ToArray() : [];
}
