// Synthetic live samples with values that follow from their sequence number, so any sample read back can be
// checked for exactness (a 1 Hz CC discharge at 1 A, V = 4.2 V - 1e-6 V per second).
using DigitalTwin.Telemetry.Log;
using Proto = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Ingest.Tests.Support;

public static class Synthetic
{
    public const long StartUnixNs = 1_700_000_000_000_000_000;

    public static double Voltage(ulong sequence) => 4.2 - (1e-6 * sequence);

    public static SampleColumns Columns(ulong first, int count)
    {
        var c = new SampleColumns(count) { Count = count, Fields = SampleFields.Required | SampleFields.TimeUnixNs | SampleFields.TestTime };
        for (var i = 0; i < count; i++)
        {
            var q = first + (ulong)i;
            c.Sequence[i] = q;
            c.TimeUnixNs[i] = StartUnixNs + ((long)q * 1_000_000_000);
            c.TestTime[i] = q;
            c.Current[i] = -1.0;
            c.Voltage[i] = Voltage(q);
        }

        return c;
    }

    public static Proto.SampleBatch Batch(string cellId, string sourceId, ulong first, int count)
    {
        var b = new Proto.SampleBatch { CellId = cellId, SourceId = sourceId };
        for (var i = 0; i < count; i++)
        {
            var q = first + (ulong)i;
            b.Sequence.Add(q);
            b.TimeUnixNs.Add(StartUnixNs + ((long)q * 1_000_000_000));
            b.TestTime.Add(q);
            b.Current.Add(-1.0);
            b.Voltage.Add(Voltage(q));
        }

        return b;
    }
}
