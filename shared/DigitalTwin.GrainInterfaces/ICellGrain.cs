// The cell's twin: registration, telemetry applied exactly once in order, SOC/SOH, cycles, forecast and alerts.
using DigitalTwin.Estimation;
using DigitalTwin.Estimation.Alerts;
using DigitalTwin.Estimation.Cycles;
using DigitalTwin.Estimation.Design;
using DigitalTwin.Estimation.Forecast;

namespace DigitalTwin.GrainInterfaces;

/// <summary>
/// One cell, keyed by cell id. Every method carries the Async suffix and returns a ValueTask (the grain rule).
/// Telemetry for a cell that is not registered is held (bounded) and applied on registration.
/// </summary>
public interface ICellGrain : IGrain
{
    ValueTask<RegistrationResult> RegisterAsync(CellRegistration registration);

    ValueTask<TelemetryAck> ApplyTelemetryAsync(TelemetryBatch batch);

    ValueTask<CellSnapshot> GetStateAsync();

    /// <summary>The completed cycles, oldest first, and the cycle in progress last.</summary>
    ValueTask<IReadOnlyList<CycleRecord>> GetCyclesAsync();

    ValueTask<ForecastResult> GetForecastAsync(double endOfLifeSoh);

    ValueTask<IReadOnlyList<ActiveAlert>> GetAlertsAsync(bool activeOnly);
}

/// <summary>Registration of a cell: its lot, design and labels; <see cref="RegisteredAtNs"/> is the caller's UTC time [ns].</summary>
public sealed record CellRegistration(string LotId, CellDesign Design, IReadOnlyDictionary<string, string> Labels, long RegisteredAtNs);

/// <summary>What registration decided. Refused registrations list every reason in <see cref="Problems"/>.</summary>
public sealed record RegistrationResult(bool Accepted, bool AlreadyRegistered, IReadOnlyList<string> Problems, IReadOnlyList<string> Warnings, long HeldSamplesApplied);

/// <summary>Samples of one source for one cell, in any order; the grain orders them by sequence.</summary>
public sealed record TelemetryBatch(string SourceId, IReadOnlyList<CellSample> Samples);

/// <summary>How a batch was taken.</summary>
public enum TelemetryDisposition
{
    Applied = 1,
    Held = 2,

    /// <summary>Not applied because a solver failed after its retries; the source must re-send from <see cref="TelemetryAck.LastAppliedSequence"/> + 1.</summary>
    Deferred = 3,
}

/// <summary>
/// The answer to a batch. <see cref="LastAppliedSequence"/> is durable when the call returns: a source that resends
/// everything after it (after any failure, including a crash of the twin) loses nothing and duplicates nothing.
/// </summary>
public sealed record TelemetryAck(string SourceId, TelemetryDisposition Disposition, ulong LastAppliedSequence, int Applied, int Duplicates, int Held, int Refused, string? Reason);

/// <summary>Lifecycle of a twinned cell.</summary>
public enum CellStatus
{
    Unregistered = 0,
    Registered = 1,
    Live = 2,
    EndOfLife = 4,
    Faulted = 5,
}

/// <summary>What a reader sees of a cell after its last applied sample.</summary>
public sealed record CellSnapshot(
    string CellId,
    CellStatus Status,
    CellRegistration? Registration,
    IReadOnlyDictionary<string, ulong> LastAppliedSequence,
    long HeldSamples,
    CellSample? LastSample,
    double ModelVoltage,
    double VoltageResidual,
    double VoltageResidualRms,
    double Soc,
    double SocStd,
    double Soh,
    double CapacityAh,
    double Resistance,
    int CompletedCycles,
    IReadOnlyList<ActiveAlert> ActiveAlerts,
    ForecastResult? Forecast,
    long AppliedSamples,
    long DuplicateSamples);
