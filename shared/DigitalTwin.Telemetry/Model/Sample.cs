// The normalized telemetry sample: SI units, UTC, current > 0 while charging (DESIGN §5).
// A plain struct so readers and sinks move spans of them without allocation.
namespace DigitalTwin.Telemetry;

/// <summary>What the cell was doing when a sample was taken.</summary>
public enum StepType : byte
{
    Unknown = 0,
    Rest = 1,
    CcCharge = 2,
    CvCharge = 3,
    CcDischarge = 4,
    CvDischarge = 5,
    Pulse = 6,
    Eis = 7,
    Other = 8,
}

/// <summary>One normalized sample. NaN marks a quantity the file does not carry.</summary>
public struct Sample
{
    /// <summary>UTC time in microseconds since the Unix epoch; <see cref="NoTimestamp"/> when the file has no clock.</summary>
    public long TimestampMicros;

    /// <summary>Time since the start of the test [s].</summary>
    public double TestTime;

    /// <summary>Cycle index as numbered by the file (or inferred, see provenance warnings).</summary>
    public int Cycle;

    /// <summary>Step index as numbered by the file (or counted from step changes).</summary>
    public int Step;

    public StepType StepType;

    /// <summary>Current [A], positive while charging.</summary>
    public double Current;

    /// <summary>Cell voltage [V].</summary>
    public double Voltage;

    /// <summary>Cell temperature [°C]; NaN when absent.</summary>
    public double Temperature;

    /// <summary>Charge passed into the cell since the start of this cycle [Ah].</summary>
    public double ChargeCapacity;

    /// <summary>Charge taken out of the cell since the start of this cycle [Ah].</summary>
    public double DischargeCapacity;

    /// <summary>Energy into the cell since the start of this cycle [Wh].</summary>
    public double ChargeEnergy;

    /// <summary>Energy out of the cell since the start of this cycle [Wh].</summary>
    public double DischargeEnergy;

    /// <summary>Line (text) or record (binary) of the source file this sample came from, 1-based.</summary>
    public long SourceRow;

    /// <summary>Position of the sample in the normalized output of its source, 0-based; the idempotency key with the source.</summary>
    public long Sequence;

    public const long NoTimestamp = long.MinValue;

    public readonly DateTime? TimestampUtc =>
        TimestampMicros == NoTimestamp ? null : DateTime.UnixEpoch.AddTicks(TimestampMicros * 10);
}

/// <summary>One impedance point of an EIS spectrum. Im(Z) is stored with its physical sign (negative when capacitive).</summary>
public struct ImpedancePoint
{
    public long TimestampMicros;
    public double TestTime;
    public int Cycle;

    /// <summary>Index of the spectrum within the file (a new sweep starts a new spectrum).</summary>
    public int Spectrum;

    /// <summary>Frequency [Hz].</summary>
    public double Frequency;

    /// <summary>Re(Z) [Ω].</summary>
    public double ZReal;

    /// <summary>Im(Z) [Ω], negative for a capacitive response.</summary>
    public double ZImag;

    /// <summary>DC voltage during the measurement [V]; NaN when absent.</summary>
    public double Voltage;

    /// <summary>DC current during the measurement [A]; NaN when absent.</summary>
    public double Current;

    public long SourceRow;
    public long Sequence;
}
