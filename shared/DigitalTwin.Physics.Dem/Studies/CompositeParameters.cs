// The composite-cathode parameter set (embedded JSON with provenance): materials, recipe, numerics.
using System.Text.Json;

namespace DigitalTwin.Physics.Dem.Studies;

public sealed record CompositeType(string Name, double YoungsModulusPa, double PoissonRatio, double DensityKgM3, double[]? DiameterRangeM);

public sealed class CompositeParameters
{
    public const int Am = 0;
    public const int Se = 1;
    public const int Wall = 2;

    public required string Name { get; init; }

    public required IReadOnlyList<CompositeType> Types { get; init; }

    public double Restitution { get; init; }

    public double Friction { get; init; }

    public double AmMassLoadingMgCm2 { get; init; }

    public double AmMassFraction { get; init; }

    public double FootprintM { get; init; }

    public double InitialSolidFraction { get; init; }

    public double TimeStepS { get; init; }

    public double SkinM { get; init; }

    /// <summary>The embedded Alabdali2024_NMC532_LPSCl set (the peer deck's values).</summary>
    public static CompositeParameters Default { get; } = Load("Alabdali2024_NMC532_LPSCl");

    public static CompositeParameters Load(string name)
    {
        var asm = typeof(CompositeParameters).Assembly;
        using var stream = asm.GetManifestResourceStream($"DigitalTwin.Physics.Dem.Parameters.{name}.json")
            ?? throw new DemInputException([$"parameter set '{name}' is not embedded"]);
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        var types = root.GetProperty("types").EnumerateArray().Select(t => new CompositeType(
            t.GetProperty("name").GetString()!,
            t.GetProperty("youngsModulusPa").GetDouble(),
            t.GetProperty("poissonRatio").GetDouble(),
            t.GetProperty("densityKgM3").GetDouble(),
            t.TryGetProperty("diameterRangeM", out var d) ? d.EnumerateArray().Select(x => x.GetDouble()).ToArray() : null)).ToList();
        var pairs = root.GetProperty("pairs");
        var recipe = root.GetProperty("recipe");
        var num = root.GetProperty("numerics");
        return new CompositeParameters
        {
            Name = root.GetProperty("name").GetString()!,
            Types = types,
            Restitution = pairs.GetProperty("restitution").GetDouble(),
            Friction = pairs.GetProperty("friction").GetDouble(),
            AmMassLoadingMgCm2 = recipe.GetProperty("amMassLoadingMgCm2").GetDouble(),
            AmMassFraction = recipe.GetProperty("amMassFraction").GetDouble(),
            FootprintM = recipe.GetProperty("footprintM").GetDouble(),
            InitialSolidFraction = recipe.GetProperty("initialSolidFraction").GetDouble(),
            TimeStepS = num.GetProperty("timeStepS").GetDouble(),
            SkinM = num.GetProperty("skinM").GetDouble(),
        };
    }

    public MaterialTable CreateMaterials() =>
        new(Types.Select(t => new DemMaterial(t.Name, t.YoungsModulusPa, t.PoissonRatio)).ToList(),
            (_, _) => new DemPairProperties(Restitution, Friction));
}
