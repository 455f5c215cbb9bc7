// Settings of the twin's grains (Twin section of a host's settings).
using DigitalTwin.Estimation.Alerts;
using DigitalTwin.Estimation.Cycles;
using DigitalTwin.Estimation.Design;
using DigitalTwin.Estimation.Filtering;
using DigitalTwin.Estimation.Forecast;
using DigitalTwin.Estimation.Health;
using DigitalTwin.Twin.Dem;

namespace DigitalTwin.Twin;

/// <summary>Everything the twin's grains are tuned by; the defaults are what `twin fleet` runs with.</summary>
public sealed record TwinOptions
{
    /// <summary>Samples per source kept after a sequence gap before later ones are refused [count].</summary>
    public int MaxHoldingPerSource { get; init; } = 10_000;

    /// <summary>Samples held for a cell that is not registered yet, over all its sources [count].</summary>
    public int MaxHeldUnregistered { get; init; } = 200_000;

    /// <summary>Consecutive solver failures after which a cell is reported faulted [count].</summary>
    public int FaultedAfterSolverFailures { get; init; } = 3;

    /// <summary>Parameter sets accepted at registration when no Electrochem service is configured to ask.</summary>
    public IReadOnlyList<string> KnownParameterSets { get; init; } = ["Ai2020", "Chen2020", "Ecker2015", "KazemGhamsari2025", "Marquis2019", "Marquis2019Comsol", "OKane2022"];

    /// <summary>
    /// Mechanics catalog set for cells whose parameters are a BPX document (BPX has no elastic data): Ai2020's graphite
    /// negative and intercalation-oxide positive, the only graphite-cell set of the Mechanics catalog (docs/twin.md).
    /// </summary>
    public string BpxMechanicsSet { get; init; } = "Ai2020";

    /// <summary>Model the Electrochem service advances for each cell.</summary>
    public string Model { get; init; } = "spme";

    public CycleOptions Cycles { get; init; } = new();

    public HealthOptions Health { get; init; } = new();

    public ForecastOptions Forecast { get; init; } = new();

    public SocFilterOptions Filter { get; init; } = new();

    public DesignLimits DesignLimits { get; init; } = new();

    public IReadOnlyList<AlertRule> AlertRules { get; init; } = Estimation.Alerts.AlertRules.Defaults;

    /// <summary>The electrodes' DEM packing studies (used when a DEM service is configured).</summary>
    public PackingStudyOptions Dem { get; init; } = new();

    /// <summary>The models the Electrochem service advances a cell with.</summary>
    public static IReadOnlyList<string> Models { get; } = ["spm", "spme", "dfn"];

    /// <summary>Every problem with these options, each naming its key under <paramref name="prefix"/> (e.g. Twin:Model).</summary>
    public IReadOnlyList<string> Problems(string prefix)
    {
        var problems = new List<string>();
        if (!Models.Contains(Model, StringComparer.Ordinal))
        {
            problems.Add($"{prefix}:Model = '{Model}': must be one of {string.Join(", ", Models)}");
        }

        if (MaxHoldingPerSource < 1)
        {
            problems.Add($"{prefix}:MaxHoldingPerSource = {MaxHoldingPerSource}: must be >= 1");
        }

        if (MaxHeldUnregistered < 0)
        {
            problems.Add($"{prefix}:MaxHeldUnregistered = {MaxHeldUnregistered}: must be >= 0");
        }

        if (FaultedAfterSolverFailures < 1)
        {
            problems.Add($"{prefix}:FaultedAfterSolverFailures = {FaultedAfterSolverFailures}: must be >= 1");
        }

        if (KnownParameterSets.Count == 0)
        {
            problems.Add($"{prefix}:KnownParameterSets: at least one set is required");
        }

        if (string.IsNullOrWhiteSpace(BpxMechanicsSet))
        {
            problems.Add($"{prefix}:BpxMechanicsSet: empty");
        }

        if (!(Forecast.EndOfLifeSoh > 0 && Forecast.EndOfLifeSoh < 1))
        {
            problems.Add($"{prefix}:Forecast:EndOfLifeSoh = {Forecast.EndOfLifeSoh}: must be in (0, 1)");
        }

        if (!(Forecast.BandProbability > 0 && Forecast.BandProbability < 1))
        {
            problems.Add($"{prefix}:Forecast:BandProbability = {Forecast.BandProbability}: must be in (0, 1)");
        }

        if (!(DesignLimits.SafeFabricationPressure > 0))
        {
            problems.Add($"{prefix}:DesignLimits:SafeFabricationPressure = {DesignLimits.SafeFabricationPressure}: must be > 0 [Pa]");
        }

        if (!(Filter.VoltageNoiseStd > 0))
        {
            problems.Add($"{prefix}:Filter:VoltageNoiseStd = {Filter.VoltageNoiseStd}: must be > 0 [V]");
        }

        problems.AddRange(Dem.Problems($"{prefix}:Dem"));
        return problems;
    }
}
