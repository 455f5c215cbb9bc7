// Between the contract (common.v1 SampleBatch, CycleSummary, Provenance, Diagnostic) and the libraries
// (log columns, Telemetry results); validation of incoming live batches names every bad row and field.
using System.Reflection;
using DigitalTwin.Telemetry;
using DigitalTwin.Telemetry.Log;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Proto = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Services.Ingest;

internal static class Conversions
{
    public const string Producer = "digitaltwin.ingest";

    public static readonly string ProducerVersion =
        typeof(Conversions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Rows [start, start + count) of a batch as a contract message.</summary>
    public static Proto.SampleBatch ToBatch(SampleSource source, SampleColumns c, int start, int count)
    {
        var b = new Proto.SampleBatch { CellId = source.CellId, SourceId = source.SourceId, SourceFile = source.SourceFile };
        b.Sequence.AddRange(new ArraySegment<ulong>(c.Sequence, start, count));
        b.Current.AddRange(new ArraySegment<double>(c.Current, start, count));
        b.Voltage.AddRange(new ArraySegment<double>(c.Voltage, start, count));
        if (c.Has(SampleFields.TimeUnixNs))
        {
            b.TimeUnixNs.AddRange(new ArraySegment<long>(c.TimeUnixNs, start, count));
        }

        if (c.Has(SampleFields.TestTime))
        {
            b.TestTime.AddRange(new ArraySegment<double>(c.TestTime, start, count));
        }

        if (c.Has(SampleFields.Cycle))
        {
            b.CycleIndex.AddRange(new ArraySegment<uint>(c.Cycle, start, count));
        }

        if (c.Has(SampleFields.Step))
        {
            b.StepIndex.AddRange(new ArraySegment<uint>(c.Step, start, count));
        }

        if (c.Has(SampleFields.StepType))
        {
            for (var i = start; i < start + count; i++)
            {
                b.StepType.Add((Proto.StepType)c.StepType[i]);
            }
        }

        Optional(b.TemperatureDegc, c, SampleFields.Temperature, c.Temperature, start, count);
        Optional(b.ChargeCapacityAh, c, SampleFields.ChargeCapacity, c.ChargeCapacity, start, count);
        Optional(b.DischargeCapacityAh, c, SampleFields.DischargeCapacity, c.DischargeCapacity, start, count);
        Optional(b.ChargeEnergyWh, c, SampleFields.ChargeEnergy, c.ChargeEnergy, start, count);
        Optional(b.DischargeEnergyWh, c, SampleFields.DischargeEnergy, c.DischargeEnergy, start, count);
        if (c.Has(SampleFields.SourceRow))
        {
            b.SourceRow.AddRange(new ArraySegment<ulong>(c.SourceRow, start, count));
        }

        return b;
    }

    /// <summary>
    /// Copies a live batch into <paramref name="target"/>, keeping only valid rows. A batch whose columns do not fit
    /// together is refused whole; a bad row (sequence out of order, NaN/Inf) is refused alone. Each problem becomes a
    /// diagnostic naming the batch, row, field and value. Returns the number of rows refused.
    /// </summary>
    public static int FromBatch(Proto.SampleBatch batch, SampleColumns target, List<Proto.Diagnostic> diagnostics, string where)
    {
        var n = batch.Sequence.Count;
        target.Clear();
        var structural = new List<string>();
        if (string.IsNullOrEmpty(batch.SourceId))
        {
            structural.Add("source_id is empty: every batch names its source");
        }

        if (string.IsNullOrEmpty(batch.CellId))
        {
            structural.Add("cell_id is empty: every batch names its cell");
        }

        if (batch.SourceId.Length > 1024 || batch.CellId.Length > 1024 || batch.SourceFile.Length > 4096)
        {
            structural.Add("source_id and cell_id are limited to 1024 characters, source_file to 4096");
        }

        Require(structural, "current", batch.Current.Count, n, required: true);
        Require(structural, "voltage", batch.Voltage.Count, n, required: true);
        Require(structural, "time_unix_ns", batch.TimeUnixNs.Count, n, required: false);
        Require(structural, "test_time", batch.TestTime.Count, n, required: false);
        Require(structural, "cycle_index", batch.CycleIndex.Count, n, required: false);
        Require(structural, "step_index", batch.StepIndex.Count, n, required: false);
        Require(structural, "step_type", batch.StepType.Count, n, required: false);
        Require(structural, "temperature_degc", batch.TemperatureDegc.Count, n, required: false);
        Require(structural, "charge_capacity_ah", batch.ChargeCapacityAh.Count, n, required: false);
        Require(structural, "discharge_capacity_ah", batch.DischargeCapacityAh.Count, n, required: false);
        Require(structural, "charge_energy_wh", batch.ChargeEnergyWh.Count, n, required: false);
        Require(structural, "discharge_energy_wh", batch.DischargeEnergyWh.Count, n, required: false);
        Require(structural, "source_row", batch.SourceRow.Count, n, required: false);
        if (n > 0 && batch.TimeUnixNs.Count == 0 && batch.TestTime.Count == 0)
        {
            structural.Add("neither time_unix_ns nor test_time is given: a sample needs a time");
        }

        if (structural.Count > 0)
        {
            foreach (var s in structural)
            {
                diagnostics.Add(Diagnostic(Proto.Severity.Error, "batch_rejected", $"{s}; the batch of {n} samples was refused", where, 0, null, null));
            }

            return n;
        }

        target.EnsureCapacity(n);
        target.Count = n;
        var fields = SampleFields.Required;
        batch.Sequence.CopyTo(target.Sequence, 0);
        batch.Current.CopyTo(target.Current, 0);
        batch.Voltage.CopyTo(target.Voltage, 0);
        fields |= Copy(batch.TimeUnixNs, target.TimeUnixNs, SampleFields.TimeUnixNs);
        fields |= Copy(batch.TestTime, target.TestTime, SampleFields.TestTime);
        fields |= Copy(batch.CycleIndex, target.Cycle, SampleFields.Cycle);
        fields |= Copy(batch.StepIndex, target.Step, SampleFields.Step);
        if (batch.StepType.Count > 0)
        {
            for (var i = 0; i < n; i++)
            {
                var code = (int)batch.StepType[i];
                target.StepType[i] = code is >= 0 and <= StepCodes.Other ? (byte)code : StepCodes.Other;
            }

            fields |= SampleFields.StepType;
        }

        fields |= Copy(batch.TemperatureDegc, target.Temperature, SampleFields.Temperature);
        fields |= Copy(batch.ChargeCapacityAh, target.ChargeCapacity, SampleFields.ChargeCapacity);
        fields |= Copy(batch.DischargeCapacityAh, target.DischargeCapacity, SampleFields.DischargeCapacity);
        fields |= Copy(batch.ChargeEnergyWh, target.ChargeEnergy, SampleFields.ChargeEnergy);
        fields |= Copy(batch.DischargeEnergyWh, target.DischargeEnergy, SampleFields.DischargeEnergy);
        fields |= Copy(batch.SourceRow, target.SourceRow, SampleFields.SourceRow);
        target.Fields = fields;

        // Row checks; refused rows are compacted away so the rest keeps its order.
        var kept = 0;
        var previous = 0UL;
        var hasTestTime = target.Has(SampleFields.TestTime);
        var hasRow = target.Has(SampleFields.SourceRow);
        for (var i = 0; i < n; i++)
        {
            var line = hasRow ? target.SourceRow[i] : 0UL;
            var seq = target.Sequence[i];
            string? field = null, value = null, problem = null;
            if (seq == 0 || seq <= previous)
            {
                (field, value, problem) = ("sequence", seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    seq == 0 ? "sequence numbers start at 1" : $"sequence {seq} is not above the previous row's {previous}; sequences increase strictly");
            }
            else if (!double.IsFinite(target.Current[i]))
            {
                (field, value, problem) = ("current", Text(target.Current[i]), $"current of sequence {seq} is not a finite number");
            }
            else if (!double.IsFinite(target.Voltage[i]))
            {
                (field, value, problem) = ("voltage", Text(target.Voltage[i]), $"voltage of sequence {seq} is not a finite number");
            }
            else if (hasTestTime && !double.IsFinite(target.TestTime[i]))
            {
                (field, value, problem) = ("test_time", Text(target.TestTime[i]), $"test time of sequence {seq} is not a finite number");
            }

            if (problem is not null)
            {
                diagnostics.Add(Diagnostic(Proto.Severity.Error, field == "sequence" ? "sequence_order" : "not_finite", problem + "; the sample was refused", where, line, field, value));
                continue;
            }

            previous = seq;
            if (kept != i)
            {
                MoveRow(target, i, kept);
            }

            kept++;
        }

        target.Count = kept;
        return n - kept;
    }

    public static Proto.Diagnostic Diagnostic(Proto.Severity severity, string code, string message, string source, ulong line, string? field, string? value) => new()
    {
        Severity = severity,
        Code = code,
        Message = message,
        Source = source,
        Line = line,
        Field = field ?? string.Empty,
        Value = value ?? string.Empty,
    };

    public static Proto.Diagnostic ToDiagnostic(IngestProblem p) => new()
    {
        Severity = p.Severity == ProblemSeverity.Error ? Proto.Severity.Error : Proto.Severity.Warning,
        Code = p.Code,
        Message = p.Message,
        Source = p.File,
        Line = (ulong)Math.Max(0, p.Line),
        Field = p.Field ?? string.Empty,
    };

    public static Proto.Provenance ToProvenance(Telemetry.Provenance p, int maxWarnings)
    {
        var proto = new Proto.Provenance
        {
            Producer = Producer,
            ProducerVersion = ProducerVersion,
            CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(p.ParsedAtUtc, DateTimeKind.Utc)),
            Model = p.Reader,
            ModelVersion = p.ReaderVersion,
            SourceFile = p.SourceFile,
            SourceSha256 = p.Sha256,
        };
        proto.Warnings.AddRange(p.Warnings.Take(maxWarnings).Select(ToDiagnostic));
        var beyond = p.Warnings.Count - maxWarnings;
        if (beyond > 0)
        {
            proto.Warnings.Add(Diagnostic(Proto.Severity.Info, ProblemCodes.TooManyProblems, $"{beyond} more warnings are kept with the data (ListCycles / the stored provenance)", p.SourceFile, 0, null, null));
        }

        proto.Attributes["dialect"] = p.Dialect;
        proto.Attributes["cell_id"] = p.CellId;
        proto.Attributes["bytes"] = p.Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        proto.Attributes["policy"] = p.Policy == BadRowPolicy.RejectFile ? "reject" : "skip";
        if (p.TimeZone is not null)
        {
            proto.Attributes["time_zone"] = p.TimeZone;
        }

        foreach (var (code, count) in p.UnstoredProblemCounts)
        {
            proto.Attributes["unstored." + code] = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in p.Metadata)
        {
            proto.Attributes["file." + key] = value;
        }

        return proto;
    }

    /// <summary>A cycle as the contract has it; samples without capacity counters (live) fall back to coulomb counting.</summary>
    public static Proto.CycleSummary ToCycle(string cellId, CycleSummary c, long startUnixNs, long endUnixNs, bool includeDqdv)
    {
        var charge = double.IsNaN(c.ChargeCapacity) ? c.CoulombCountedCharge : c.ChargeCapacity;
        var discharge = double.IsNaN(c.DischargeCapacity) ? c.CoulombCountedDischarge : c.DischargeCapacity;
        var proto = new Proto.CycleSummary
        {
            CellId = cellId,
            CycleIndex = (uint)Math.Max(0, c.Cycle),
            Duration = c.Duration,
            ChargeCapacityAh = charge,
            DischargeCapacityAh = discharge,
            CoulombicEfficiency = double.IsNaN(c.CoulombicEfficiency) && charge > 0 && !c.IsPartial ? discharge / charge : c.CoulombicEfficiency,
            Partial = c.IsPartial,
            ChargeEnergyWh = c.ChargeEnergy,
            DischargeEnergyWh = c.DischargeEnergy,
            MeanChargeVoltage = c.MeanChargeVoltage,
            MeanDischargeVoltage = c.MeanDischargeVoltage,
            MinVoltage = c.VoltageMin,
            MaxVoltage = c.VoltageMax,
            CvTime = c.CvTime,
        };
        if (startUnixNs != SampleColumns.NoTime)
        {
            proto.StartTime = FromUnixNs(startUnixNs);
        }

        if (endUnixNs != SampleColumns.NoTime)
        {
            proto.EndTime = FromUnixNs(endUnixNs);
        }

        if (c.Pulses > 0 && double.IsFinite(c.DcResistance))
        {
            proto.DcResistance = c.DcResistance;
        }

        if (includeDqdv)
        {
            proto.DqdvVoltage.AddRange(c.DqDvVoltage);
            proto.Dqdv.AddRange(c.DqDvDischarge);
        }

        return proto;
    }

    public static Timestamp FromUnixNs(long ns) => new() { Seconds = Math.DivRem(ns, 1_000_000_000L, out var rem) - (rem < 0 ? 1 : 0), Nanos = (int)(rem < 0 ? rem + 1_000_000_000L : rem) };

    public static long ToUnixNs(Timestamp t) => checked((t.Seconds * 1_000_000_000L) + t.Nanos);

    /// <summary>Impedance points of one upload as spectra, one per sweep.</summary>
    public static List<Proto.ImpedanceSpectrum> ToSpectra(SampleSource source, IReadOnlyList<ImpedancePoint> points)
    {
        var spectra = new List<Proto.ImpedanceSpectrum>();
        Proto.ImpedanceSpectrum? current = null;
        var index = int.MinValue;
        foreach (var p in points)
        {
            if (current is null || p.Spectrum != index)
            {
                index = p.Spectrum;
                current = new Proto.ImpedanceSpectrum { CellId = source.CellId, SourceId = source.SourceId, SourceFile = source.SourceFile, CycleIndex = (uint)Math.Max(0, p.Cycle) };
                if (p.TimestampMicros != Sample.NoTimestamp)
                {
                    current.Time = FromUnixNs(p.TimestampMicros * 1000);
                }

                if (double.IsFinite(p.Current))
                {
                    current.DcCurrent = p.Current;
                }

                spectra.Add(current);
            }

            current.Frequency.Add(p.Frequency);
            current.ZReal.Add(p.ZReal);
            current.ZImag.Add(p.ZImag);
        }

        return spectra;
    }

    public static byte[] Bytes(IMessage message) => message.ToByteArray();

    private static void Optional(Google.Protobuf.Collections.RepeatedField<double> field, SampleColumns c, SampleFields flag, double[] column, int start, int count)
    {
        if (c.Has(flag))
        {
            field.AddRange(new ArraySegment<double>(column, start, count));
        }
    }

    private static void Require(List<string> problems, string field, int count, int n, bool required)
    {
        if ((required || count != 0) && count != n)
        {
            problems.Add($"{field} has {count} values for {n} sequence numbers{(required ? string.Empty : " (an optional column is either empty or complete)")}");
        }
    }

    private static SampleFields Copy<T>(Google.Protobuf.Collections.RepeatedField<T> source, T[] target, SampleFields flag)
    {
        if (source.Count == 0)
        {
            return SampleFields.None;
        }

        source.CopyTo(target, 0);
        return flag;
    }

    private static void MoveRow(SampleColumns c, int from, int to)
    {
        c.Sequence[to] = c.Sequence[from];
        c.TimeUnixNs[to] = c.TimeUnixNs[from];
        c.TestTime[to] = c.TestTime[from];
        c.Cycle[to] = c.Cycle[from];
        c.Step[to] = c.Step[from];
        c.StepType[to] = c.StepType[from];
        c.Current[to] = c.Current[from];
        c.Voltage[to] = c.Voltage[from];
        c.Temperature[to] = c.Temperature[from];
        c.ChargeCapacity[to] = c.ChargeCapacity[from];
        c.DischargeCapacity[to] = c.DischargeCapacity[from];
        c.ChargeEnergy[to] = c.ChargeEnergy[from];
        c.DischargeEnergy[to] = c.DischargeEnergy[from];
        c.SourceRow[to] = c.SourceRow[from];
    }

    private static string Text(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
