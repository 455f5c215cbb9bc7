// Settings of the twin's grains (Twin section of a host's settings).
using DigitalTwin.Estimation.Alerts;
using DigitalTwin.Estimation.Cycles;
using DigitalTwin.Estimation.Design;
using DigitalTwin.Estimation.Filtering;
using DigitalTwin.Estimation.Forecast;
using DigitalTwin.Estimation.Health;

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
}
