// The options record that picks one implementation per mechanism (PyBaMM-style), validated against one table.
namespace DigitalTwin.Physics.Electrochem.Models;

public enum ModelKind
{
    Spm,
    Spme,
    Dfn,
}

/// <summary>One particle-size class given explicitly (a cell design): id, radius [m] and share of the active volume [-].</summary>
public sealed record SizeClass(string Id, double Radius, double VolumeShare);

public sealed record ModelOptions
{
    /// <summary>SPM, SPMe or DFN.</summary>
    public ModelKind Model { get; init; } = ModelKind.Dfn;

    /// <summary>"Fickian" (finite volumes, D_s(c)) or "uniform profile" (no solid diffusion limitation).</summary>
    public string ParticleTransport { get; init; } = "Fickian";

    /// <summary>"symmetric Butler-Volmer" (j = 2 j0 sinh(F eta / 2RT)) or "asymmetric Butler-Volmer" (alpha from the set).</summary>
    public string Kinetics { get; init; } = "symmetric Butler-Volmer";

    /// <summary>"auto" (from the set's function arguments), "standard" (k c_e^0.5 c_s^0.5 (c_max-c_s)^0.5) or "stoichiometry" (seed 002 i0(x)).</summary>
    public string ExchangeCurrent { get; init; } = "auto";

    /// <summary>"auto" (None for SPM, Reduced for SPMe, Full for DFN), or one of those explicitly.</summary>
    public string Electrolyte { get; init; } = "auto";

    /// <summary>"auto" (from the set), "porous" (full cell) or "lithium metal" (half cell).</summary>
    public string CounterElectrode { get; init; } = "auto";

    /// <summary>Li-metal counter electrode: "constant overpotential" or "Butler-Volmer".</summary>
    public string LithiumMetalKinetics { get; init; } = "Butler-Volmer";

    /// <summary>
    /// "isothermal" (the set's ambient temperature, or <see cref="Temperature"/>) or "lumped" (one cell temperature
    /// from the heat generated and Newton cooling, PyBaMM's lumped model with "cell geometry": "arbitrary"; DFN only).
    /// </summary>
    public string Thermal { get; init; } = "isothermal";

    /// <summary>
    /// "false", or "true": the particle diffusivity becomes D (1 + theta (c - c_0)) with theta = Omega/(RT) 2 Omega E/(9(1-nu)),
    /// the hydrostatic-stress drift of a free elastic sphere (Ai et al. 2020 eq. 12; PyBaMM "stress-induced diffusion").
    /// </summary>
    public string StressInducedDiffusion { get; init; } = "false";

    /// <summary>Particle-size classes per electrode (negative, positive): a log-normal size distribution when &gt; 1.</summary>
    public int NegativeSizeClasses { get; init; } = 1;

    public int PositiveSizeClasses { get; init; } = 1;

    /// <summary>Log-normal standard deviation of ln(R) used when there is more than one size class.</summary>
    public double SizeSpread { get; init; } = 0.3;

    /// <summary>Explicit size classes of the negative electrode (replace the set's radius and the log-normal classes); null for none.</summary>
    public IReadOnlyList<SizeClass>? NegativeSizes { get; init; }

    /// <summary>Explicit size classes of the positive electrode; null for none.</summary>
    public IReadOnlyList<SizeClass>? PositiveSizes { get; init; }

    /// <summary>A stable text of every option, explicit size classes included (records print lists by type name only).</summary>
    public string Describe() => this + string.Concat(
        (NegativeSizes ?? []).Select(c => FormattableString.Invariant($"|n:{c.Id}:{c.Radius:R}:{c.VolumeShare:R}")).Concat(
        (PositiveSizes ?? []).Select(c => FormattableString.Invariant($"|p:{c.Id}:{c.Radius:R}:{c.VolumeShare:R}"))));

    /// <summary>Finite volumes in x per domain (negative, separator, positive) and in r per particle.</summary>
    public int PointsNegative { get; init; } = 20;

    public int PointsSeparator { get; init; } = 20;

    public int PointsPositive { get; init; } = 20;

    public int PointsParticle { get; init; } = 20;

    /// <summary>Relative and absolute (stoichiometry / normalised) local error tolerances of the adaptive steps.</summary>
    public double RelativeTolerance { get; init; } = 1e-3;

    public double AbsoluteTolerance { get; init; } = 1e-5;

    /// <summary>Largest time step [s].</summary>
    public double MaxStep { get; init; } = 600;

    /// <summary>Temperature override [K]; NaN means the set's ambient temperature.</summary>
    public double Temperature { get; init; } = double.NaN;

    public static ModelOptions For(ModelKind model) => new() { Model = model };
}

/// <summary>One row of the options table: a name, the accepted values, and what each means.</summary>
public sealed record OptionSpec(string Name, IReadOnlyList<string> Accepted, string Description);

public static class OptionTable
{
    public static readonly IReadOnlyList<OptionSpec> Rows =
    [
        new("particle transport", ["Fickian", "uniform profile"], "solid diffusion in each particle class"),
        new("kinetics", ["symmetric Butler-Volmer", "asymmetric Butler-Volmer"], "interfacial reaction rate"),
        new("exchange current", ["auto", "standard", "stoichiometry"], "j0 form: k c_e^.5 c_s^.5 (c_max-c_s)^.5, or i0(x) of seed 002"),
        new("electrolyte", ["auto", "None", "Reduced", "Full"], "SPM: None; SPMe: Reduced; DFN: Full"),
        new("counter electrode", ["auto", "porous", "lithium metal"], "full cell or Li-metal half cell"),
        new("lithium metal kinetics", ["constant overpotential", "Butler-Volmer"], "Li-metal surface overpotential"),
        new("thermal", ["isothermal", "lumped"], "temperature model: fixed, or one lumped cell temperature (DFN)"),
        new("stress-induced diffusion", ["false", "true"], "particle diffusivity raised by the hydrostatic-stress gradient"),
    ];

    /// <summary>Every problem with the options, or none. Names and values are compared case-insensitively.</summary>
    public static IReadOnlyList<string> Validate(ModelOptions o)
    {
        var problems = new List<string>();
        Check(problems, "particle transport", o.ParticleTransport);
        Check(problems, "kinetics", o.Kinetics);
        Check(problems, "exchange current", o.ExchangeCurrent);
        Check(problems, "electrolyte", o.Electrolyte);
        Check(problems, "counter electrode", o.CounterElectrode);
        Check(problems, "lithium metal kinetics", o.LithiumMetalKinetics);
        Check(problems, "thermal", o.Thermal);
        Check(problems, "stress-induced diffusion", o.StressInducedDiffusion);
        if (Is(o.Thermal, "lumped") && o.Model != ModelKind.Dfn)
        {
            problems.Add($"option 'thermal' = 'lumped' is implemented for the DFN only, not model {o.Model}");
        }

        if (Is(o.StressInducedDiffusion, "true") && Is(o.ParticleTransport, "uniform profile"))
        {
            problems.Add("option 'stress-induced diffusion' = 'true' needs particle transport 'Fickian' (a uniform profile has no gradient)");
        }
        var electrolyte = ElectrolyteFor(o);
        var required = o.Model switch { ModelKind.Spm => "None", ModelKind.Spme => "Reduced", _ => "Full" };
        if (!string.Equals(electrolyte, required, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"electrolyte '{o.Electrolyte}' does not fit model {o.Model}: it needs '{required}'");
        }

        if (o.NegativeSizeClasses is < 1 or > 16 || o.PositiveSizeClasses is < 1 or > 16)
        {
            problems.Add("size classes must be between 1 and 16 per electrode");
        }

        CheckSizes(problems, "negative", o.NegativeSizes, o.NegativeSizeClasses);
        CheckSizes(problems, "positive", o.PositiveSizes, o.PositiveSizeClasses);
        if (o.SizeSpread is < 0 or > 2 || double.IsNaN(o.SizeSpread))
        {
            problems.Add("size spread (std of ln R) must be in [0, 2]");
        }

        if (o.PointsNegative < 3 || o.PointsSeparator < 2 || o.PointsPositive < 3 || o.PointsParticle < 3)
        {
            problems.Add("mesh needs at least 3 points per electrode and particle and 2 in the separator");
        }

        if (!(o.RelativeTolerance is > 0 and < 0.1) || !(o.AbsoluteTolerance is > 0 and < 0.1))
        {
            problems.Add("tolerances must be in (0, 0.1)");
        }

        if (!(o.MaxStep > 0))
        {
            problems.Add("max step must be positive");
        }

        return problems;
    }

    public static string ElectrolyteFor(ModelOptions o) =>
        !o.Electrolyte.Equals("auto", StringComparison.OrdinalIgnoreCase)
            ? o.Electrolyte
            : o.Model switch { ModelKind.Spm => "None", ModelKind.Spme => "Reduced", _ => "Full" };

    public static bool Is(string value, string option) => string.Equals(value.Trim(), option, StringComparison.OrdinalIgnoreCase);

    private static void CheckSizes(List<string> problems, string electrode, IReadOnlyList<SizeClass>? sizes, int count)
    {
        if (sizes is null)
        {
            return;
        }

        if (sizes.Count is < 1 or > 16)
        {
            problems.Add($"{electrode} size classes: give 1 to 16 classes, not {sizes.Count}");
        }

        if (count != 1)
        {
            problems.Add($"{electrode} size classes: give either explicit classes or a class count ({count}), not both");
        }

        for (var i = 0; i < sizes.Count; i++)
        {
            var c = sizes[i];
            if (string.IsNullOrWhiteSpace(c.Id))
            {
                problems.Add($"{electrode} size class {i}: the id is empty");
            }

            if (!(c.Radius is > 0 and < 1e-3))
            {
                problems.Add($"{electrode} size class '{c.Id}': radius {c.Radius} m is outside (0, 1e-3) m");
            }

            if (!(c.VolumeShare is > 0 and <= 1))
            {
                problems.Add($"{electrode} size class '{c.Id}': volume share {c.VolumeShare} is outside (0, 1]");
            }
        }

        foreach (var duplicate in sizes.GroupBy(c => c.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"{electrode} size classes: id '{duplicate.Key}' appears {duplicate.Count()} times");
        }

        var total = sizes.Sum(c => c.VolumeShare);
        if (sizes.Count > 0 && Math.Abs(total - 1) > 1e-6)
        {
            problems.Add($"{electrode} size classes: the volume shares sum to {total:G6}, not 1");
        }
    }

    private static void Check(List<string> problems, string name, string value)
    {
        var row = Rows.First(r => r.Name == name);
        if (!row.Accepted.Any(a => Is(value, a)))
        {
            problems.Add($"option '{name}' = '{value}' is not accepted; accepted: {string.Join(", ", row.Accepted.Select(a => $"'{a}'"))}");
        }
    }
}
