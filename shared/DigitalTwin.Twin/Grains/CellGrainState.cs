// What a CellGrain persists: registration, per-source cursors, cycle in progress, health, filter, model state, alerts.
using DigitalTwin.Estimation;
using DigitalTwin.Estimation.Alerts;
using DigitalTwin.Estimation.Cycles;
using DigitalTwin.Estimation.Filtering;
using DigitalTwin.Estimation.Forecast;
using DigitalTwin.Estimation.Health;
using DigitalTwin.GrainInterfaces;

namespace DigitalTwin.Twin.Grains;

/// <summary>Where one source stands: the last sequence applied and the samples held behind a gap.</summary>
public sealed record SourceCursor(ulong LastApplied, IReadOnlyList<CellSample> Holding);

/// <summary>The latest figures an electrode reported, used for alerts and the forecast (packing figures from its last DEM study).</summary>
public sealed record ElectrodeIndicators(string Electrode, double MaxStrengthRatio, string WorstClass, double MaxInterfaceGap, double BinderFractureMargin, double LossOfActiveMaterial,
    double PackingStressRatio = double.NaN, double AmSeContactLoss = double.NaN);

/// <summary>The persisted state of a cell (written after every applied batch, so an acknowledgement is durable).</summary>
public sealed record CellGrainState
{
    public CellRegistration? Registration { get; init; }

    public IReadOnlyDictionary<string, SourceCursor> Sources { get; init; } = new Dictionary<string, SourceCursor>();

    /// <summary>Samples received before registration, per source, in arrival order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<CellSample>> Unregistered { get; init; } = new Dictionary<string, IReadOnlyList<CellSample>>();

    public CycleProgress Progress { get; init; } = CycleProgress.Empty;

    public HealthState Health { get; init; } = HealthState.Empty;

    public SocFilterState? Filter { get; init; }

    /// <summary>The Electrochem model state (the contract's ModelState, protobuf bytes); null before the first segment.</summary>
    public byte[]? ModelState { get; init; }

    /// <summary>Test time the model state has reached [s].</summary>
    public double ModelTestTime { get; init; }

    public CellSample? LastSample { get; init; }

    public double ModelVoltage { get; init; } = double.NaN;

    public double ModelSoc { get; init; } = double.NaN;

    public double Residual { get; init; } = double.NaN;

    public IReadOnlyList<double> RecentResidualRms { get; init; } = [];

    public IReadOnlyList<ActiveAlert> Alerts { get; init; } = [];

    public IReadOnlyList<ActiveAlert> ClearedAlerts { get; init; } = [];

    public ForecastResult? Forecast { get; init; }

    public IReadOnlyList<ElectrodeIndicators> Electrodes { get; init; } = [];

    public int CompletedCycles { get; init; }

    public long Applied { get; init; }

    public long Duplicates { get; init; }

    public int SolverFailures { get; init; }

    /// <summary>Steps the model could not follow (no model voltage for them; the model restarted after each) [count].</summary>
    public long ModelFailures { get; init; }

    public string? LastModelFailure { get; init; }

    /// <summary>Steps of the latest applied batch the model could not follow [count]; drives the model-out-of-range alert.</summary>
    public int LatestModelFailures { get; init; }

    /// <summary>Segments whose electrode update failed (the electrodes lag; the cell does not).</summary>
    public int ElectrodeFailures { get; init; }
}
