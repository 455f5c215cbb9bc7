// A batch of normalized samples as columns (the shape of common.v1.SampleBatch and of a log record),
// reused between batches so the hot path does not allocate.
namespace DigitalTwin.Telemetry.Log;

/// <summary>Which columns a batch carries; sequence, current and voltage always.</summary>
[Flags]
public enum SampleFields : uint
{
    None = 0,
    Sequence = 1 << 0,
    TimeUnixNs = 1 << 1,
    TestTime = 1 << 2,
    Cycle = 1 << 3,
    Step = 1 << 4,
    StepType = 1 << 5,
    Current = 1 << 6,
    Voltage = 1 << 7,
    Temperature = 1 << 8,
    ChargeCapacity = 1 << 9,
    DischargeCapacity = 1 << 10,
    ChargeEnergy = 1 << 11,
    DischargeEnergy = 1 << 12,
    SourceRow = 1 << 13,
    Required = Sequence | Current | Voltage,
    All = (1 << 14) - 1,
}

/// <summary>
/// Step type codes stored in the log: the values of digitaltwin.common.v1.StepType, so records pass to and
/// from the contract unchanged.
/// </summary>
public static class StepCodes
{
    public const byte Unspecified = 0;
    public const byte Rest = 1;
    public const byte CcCharge = 2;
    public const byte CvCharge = 3;
    public const byte CccvCharge = 4;
    public const byte CcDischarge = 5;
    public const byte CvDischarge = 6;
    public const byte CccvDischarge = 7;
    public const byte CpCharge = 8;
    public const byte CpDischarge = 9;
    public const byte Pulse = 10;
    public const byte Eis = 11;
    public const byte Pause = 12;
    public const byte Other = 13;

    public static byte FromStepType(StepType type) => type switch
    {
        StepType.Rest => Rest,
        StepType.CcCharge => CcCharge,
        StepType.CvCharge => CvCharge,
        StepType.CcDischarge => CcDischarge,
        StepType.CvDischarge => CvDischarge,
        StepType.Pulse => Pulse,
        StepType.Eis => Eis,
        StepType.Other => Other,
        _ => Unspecified,
    };

    /// <summary>The library's step type for a code; CCCV and CP map to their CC direction, pause to rest.</summary>
    public static StepType ToStepType(byte code) => code switch
    {
        Rest or Pause => StepType.Rest,
        CcCharge or CccvCharge or CpCharge => StepType.CcCharge,
        CvCharge => StepType.CvCharge,
        CcDischarge or CccvDischarge or CpDischarge => StepType.CcDischarge,
        CvDischarge => StepType.CvDischarge,
        Pulse => StepType.Pulse,
        Eis => StepType.Eis,
        Other => StepType.Other,
        _ => StepType.Unknown,
    };
}

/// <summary>Samples of one source as columns of equal length; absent optional columns are not in <see cref="Fields"/>.</summary>
public sealed class SampleColumns
{
    /// <summary>Marks a row without a clock in <see cref="TimeUnixNs"/>.</summary>
    public const long NoTime = long.MinValue;

    public SampleColumns(int capacity = 1024)
    {
        Allocate(Math.Max(1, capacity));
    }

    public int Count { get; set; }

    public int Capacity => Sequence.Length;

    public SampleFields Fields { get; set; } = SampleFields.Required;

    /// <summary>Per-source sample numbers, from 1, strictly increasing [sequence].</summary>
    public ulong[] Sequence { get; private set; } = [];

    /// <summary>UTC nanoseconds since the Unix epoch; <see cref="NoTime"/> when a row has no clock [ns].</summary>
    public long[] TimeUnixNs { get; private set; } = [];

    /// <summary>Test time [s].</summary>
    public double[] TestTime { get; private set; } = [];

    public uint[] Cycle { get; private set; } = [];

    public uint[] Step { get; private set; } = [];

    /// <summary><see cref="StepCodes"/> values.</summary>
    public byte[] StepType { get; private set; } = [];

    /// <summary>Current, positive when charging [A].</summary>
    public double[] Current { get; private set; } = [];

    /// <summary>Voltage [V].</summary>
    public double[] Voltage { get; private set; } = [];

    /// <summary>Temperature [degC].</summary>
    public double[] Temperature { get; private set; } = [];

    /// <summary>Charge capacity since the start of the cycle [A.h].</summary>
    public double[] ChargeCapacity { get; private set; } = [];

    /// <summary>Discharge capacity since the start of the cycle [A.h].</summary>
    public double[] DischargeCapacity { get; private set; } = [];

    /// <summary>Charge energy since the start of the cycle [W.h].</summary>
    public double[] ChargeEnergy { get; private set; } = [];

    /// <summary>Discharge energy since the start of the cycle [W.h].</summary>
    public double[] DischargeEnergy { get; private set; } = [];

    /// <summary>1-based line or record of the source file [index].</summary>
    public ulong[] SourceRow { get; private set; } = [];

    public bool Has(SampleFields field) => (Fields & field) == field;

    public void Clear()
    {
        Count = 0;
        Fields = SampleFields.Required;
    }

    /// <summary>Grows every column to hold at least <paramref name="capacity"/> rows, keeping the first <see cref="Count"/>.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity <= Capacity)
        {
            return;
        }

        var count = Count;
        var (sequence, time, testTime, cycle, step, stepType) = (Sequence, TimeUnixNs, TestTime, Cycle, Step, StepType);
        var (current, voltage, temperature, chargeCapacity, dischargeCapacity) = (Current, Voltage, Temperature, ChargeCapacity, DischargeCapacity);
        var (chargeEnergy, dischargeEnergy, sourceRow) = (ChargeEnergy, DischargeEnergy, SourceRow);
        Allocate(Math.Max(capacity, Capacity * 2));
        sequence.AsSpan(0, count).CopyTo(Sequence);
        time.AsSpan(0, count).CopyTo(TimeUnixNs);
        testTime.AsSpan(0, count).CopyTo(TestTime);
        cycle.AsSpan(0, count).CopyTo(Cycle);
        step.AsSpan(0, count).CopyTo(Step);
        stepType.AsSpan(0, count).CopyTo(StepType);
        current.AsSpan(0, count).CopyTo(Current);
        voltage.AsSpan(0, count).CopyTo(Voltage);
        temperature.AsSpan(0, count).CopyTo(Temperature);
        chargeCapacity.AsSpan(0, count).CopyTo(ChargeCapacity);
        dischargeCapacity.AsSpan(0, count).CopyTo(DischargeCapacity);
        chargeEnergy.AsSpan(0, count).CopyTo(ChargeEnergy);
        dischargeEnergy.AsSpan(0, count).CopyTo(DischargeEnergy);
        sourceRow.AsSpan(0, count).CopyTo(SourceRow);
    }

    /// <summary>First index whose sequence is above <paramref name="sequence"/> (Count when none).</summary>
    public int IndexAfter(ulong sequence)
    {
        var span = Sequence.AsSpan(0, Count);
        if (span.Length == 0 || span[0] > sequence)
        {
            return 0;
        }

        var lo = 0;
        var hi = span.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (span[mid] <= sequence)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// Replaces the content with normalized samples of the Telemetry library. Sequence numbers become 1-based
    /// (Sample.Sequence + 1); columns a file does not carry (all NaN, no clock) are left out.
    /// </summary>
    public void SetFrom(ReadOnlySpan<Sample> samples)
    {
        EnsureCapacity(samples.Length);
        Count = samples.Length;
        var fields = SampleFields.Required | SampleFields.TestTime | SampleFields.Cycle | SampleFields.Step | SampleFields.StepType | SampleFields.SourceRow;
        for (var i = 0; i < samples.Length; i++)
        {
            ref readonly var s = ref samples[i];
            Sequence[i] = (ulong)s.Sequence + 1;
            TimeUnixNs[i] = s.TimestampMicros == Sample.NoTimestamp ? NoTime : s.TimestampMicros * 1000;
            TestTime[i] = s.TestTime;
            Cycle[i] = (uint)Math.Max(0, s.Cycle);
            Step[i] = (uint)Math.Max(0, s.Step);
            StepType[i] = StepCodes.FromStepType(s.StepType);
            Current[i] = s.Current;
            Voltage[i] = s.Voltage;
            Temperature[i] = s.Temperature;
            ChargeCapacity[i] = s.ChargeCapacity;
            DischargeCapacity[i] = s.DischargeCapacity;
            ChargeEnergy[i] = s.ChargeEnergy;
            DischargeEnergy[i] = s.DischargeEnergy;
            SourceRow[i] = (ulong)Math.Max(0, s.SourceRow);
        }

        fields |= AnyTime(TimeUnixNs.AsSpan(0, Count)) ? SampleFields.TimeUnixNs : SampleFields.None;
        fields |= AnyFinite(Temperature.AsSpan(0, Count)) ? SampleFields.Temperature : SampleFields.None;
        fields |= AnyFinite(ChargeCapacity.AsSpan(0, Count)) ? SampleFields.ChargeCapacity : SampleFields.None;
        fields |= AnyFinite(DischargeCapacity.AsSpan(0, Count)) ? SampleFields.DischargeCapacity : SampleFields.None;
        fields |= AnyFinite(ChargeEnergy.AsSpan(0, Count)) ? SampleFields.ChargeEnergy : SampleFields.None;
        fields |= AnyFinite(DischargeEnergy.AsSpan(0, Count)) ? SampleFields.DischargeEnergy : SampleFields.None;
        Fields = fields;
    }

    /// <summary>Row <paramref name="i"/> as a library sample (absent columns as NaN / no clock); Sequence is 0-based again.</summary>
    public Sample ToSample(int i) => new()
    {
        Sequence = (long)Sequence[i] - 1,
        TimestampMicros = Has(SampleFields.TimeUnixNs) && TimeUnixNs[i] != NoTime ? TimeUnixNs[i] / 1000 : Sample.NoTimestamp,
        TestTime = Has(SampleFields.TestTime) ? TestTime[i] : double.NaN,
        Cycle = Has(SampleFields.Cycle) ? (int)Cycle[i] : 0,
        Step = Has(SampleFields.Step) ? (int)Step[i] : 0,
        StepType = Has(SampleFields.StepType) ? StepCodes.ToStepType(StepType[i]) : Telemetry.StepType.Unknown,
        Current = Current[i],
        Voltage = Voltage[i],
        Temperature = Has(SampleFields.Temperature) ? Temperature[i] : double.NaN,
        ChargeCapacity = Has(SampleFields.ChargeCapacity) ? ChargeCapacity[i] : double.NaN,
        DischargeCapacity = Has(SampleFields.DischargeCapacity) ? DischargeCapacity[i] : double.NaN,
        ChargeEnergy = Has(SampleFields.ChargeEnergy) ? ChargeEnergy[i] : double.NaN,
        DischargeEnergy = Has(SampleFields.DischargeEnergy) ? DischargeEnergy[i] : double.NaN,
        SourceRow = Has(SampleFields.SourceRow) ? (long)SourceRow[i] : 0,
    };

    /// <summary>Keeps rows [start, start + count) only, moving them to the front.</summary>
    public void Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) are outside the batch of {Count}");
        }

        if (start > 0)
        {
            Move(Sequence, start, count);
            Move(TimeUnixNs, start, count);
            Move(TestTime, start, count);
            Move(Cycle, start, count);
            Move(Step, start, count);
            Move(StepType, start, count);
            Move(Current, start, count);
            Move(Voltage, start, count);
            Move(Temperature, start, count);
            Move(ChargeCapacity, start, count);
            Move(DischargeCapacity, start, count);
            Move(ChargeEnergy, start, count);
            Move(DischargeEnergy, start, count);
            Move(SourceRow, start, count);
        }

        Count = count;
    }

    private static void Move<T>(T[] column, int start, int count) => column.AsSpan(start, count).CopyTo(column);

    private static bool AnyTime(ReadOnlySpan<long> times)
    {
        foreach (var t in times)
        {
            if (t != NoTime)
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyFinite(ReadOnlySpan<double> values)
    {
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                return true;
            }
        }

        return false;
    }

    private void Allocate(int capacity)
    {
        Sequence = new ulong[capacity];
        TimeUnixNs = new long[capacity];
        TestTime = new double[capacity];
        Cycle = new uint[capacity];
        Step = new uint[capacity];
        StepType = new byte[capacity];
        Current = new double[capacity];
        Voltage = new double[capacity];
        Temperature = new double[capacity];
        ChargeCapacity = new double[capacity];
        DischargeCapacity = new double[capacity];
        ChargeEnergy = new double[capacity];
        DischargeEnergy = new double[capacity];
        SourceRow = new ulong[capacity];
    }
}
