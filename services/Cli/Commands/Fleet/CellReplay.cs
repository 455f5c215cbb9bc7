// One cell of the fleet: a file's samples sent to Ingest as a live stream (StreamSamples), paced by the file's own test
// time × speed and stamped with the wall clock, so the dashboard shows them as they "happen"; test time stays the file's
// (the twin's physics integrates over it). A clone scales current and counters and offsets the voltage a little.
// The Twin follows Ingest's log and writes telemetry and its state to the dashboard, so nothing is written there twice.
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Telemetry;
using Common = DigitalTwin.Contracts.Common.V1;
using CyclerStep = DigitalTwin.Telemetry.StepType;

namespace DigitalTwin.Cli.Commands.Fleet;

public sealed class CellReplay
{
    private const int MaxBatch = 2000;
    private long _sent;
    private long _acknowledged;
    private long _rejected;

    public CellReplay(string cellId, string lotId, ReplaySource source, double scale, double voltageOffset)
    {
        CellId = cellId;
        LotId = lotId;
        Source = source;
        Scale = scale;
        VoltageOffset = voltageOffset;
        SourceId = $"fleet:{cellId}";
    }

    public string CellId { get; }

    public string LotId { get; }

    public string SourceId { get; }

    public ReplaySource Source { get; }

    /// <summary>Factor on current, capacities and energies (1 for the file's own cell).</summary>
    public double Scale { get; }

    /// <summary>Added to every voltage [V] (0 for the file's own cell).</summary>
    public double VoltageOffset { get; }

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Highest sequence Ingest reported durable; sequences run 1, 2, ... so it is also the count.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Samples of this source the twin has applied (its cell state's last applied sequence), as last asked.</summary>
    public long Applied { get; set; }

    /// <summary>Completed passes through the file.</summary>
    public int Passes { get; private set; }

    /// <summary>The last problem Ingest reported, for the progress line.</summary>
    public string? LastProblem { get; private set; }

    /// <summary>
    /// Streams until the file ends (without <paramref name="loop"/>) or <paramref name="cancel"/> fires; then completes the
    /// stream and waits briefly for the last acknowledgements.
    /// </summary>
    public async Task RunAsync(TelemetryServiceClient ingest, Metadata key, double speed, bool loop, CancellationToken cancel)
    {
        using var callEnd = new CancellationTokenSource();
        using var call = ingest.StreamSamples(new CallOptions(Headers: key, CancellationToken: callEnd.Token));
        var acks = Task.Run(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                var ack = call.ResponseStream.Current.Ack;
                if (ack.HasLastDurableSequence)
                {
                    InterlockedMax(ref _acknowledged, (long)ack.LastDurableSequence);
                }

                if (ack.Rejected > 0)
                {
                    Interlocked.Add(ref _rejected, (long)ack.Rejected);
                    LastProblem = ack.Diagnostics.Count > 0 ? ack.Diagnostics[0].Message : $"{ack.Rejected} samples rejected";
                }
            }
        }, CancellationToken.None);

        var samples = Source.Samples;
        var t0 = Source.FirstTestTime;
        // One second between passes, so test time keeps increasing when the file starts again.
        var period = Source.Span + 1;
        var startNs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var next = 0;
        var pass = 0;
        var sequence = 0UL;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                var virtualNow = clock.Elapsed.TotalSeconds * speed;
                var batch = NewBatch();
                while (batch.Sequence.Count < MaxBatch)
                {
                    var offset = pass * period + (samples[next].TestTime - t0);
                    if (offset > virtualNow)
                    {
                        break;
                    }

                    var s = Shape(samples[next], pass, t0 + offset);
                    var timeNs = startNs + (long)(offset / speed * 1e9);
                    Add(batch, s, ++sequence, timeNs);

                    if (++next == samples.Length)
                    {
                        next = 0;
                        pass++;
                        Passes = pass;
                        if (!loop)
                        {
                            break;
                        }
                    }
                }

                if (batch.Sequence.Count > 0)
                {
                    await call.RequestStream.WriteAsync(new StreamSamplesRequest { Batch = batch }, CancellationToken.None);
                    Interlocked.Add(ref _sent, batch.Sequence.Count);
                }

                if (!loop && pass > 0)
                {
                    break;
                }

                if (batch.Sequence.Count < MaxBatch)
                {
                    var dueIn = (pass * period + (samples[next].TestTime - t0) - clock.Elapsed.TotalSeconds * speed) / speed;
                    await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(dueIn, 0.02, 0.25)), cancel);
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Stopping: the stream is completed below.
        }

        try
        {
            await call.RequestStream.CompleteAsync();
            await acks.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (Exception e) when (e is RpcException or TimeoutException or IOException or InvalidOperationException or HttpRequestException)
        {
            LastProblem ??= $"stream end: {e.Message}";
        }
        finally
        {
            await callEnd.CancelAsync();
        }
    }

    /// <summary>The sample as this cell sends it: pass-shifted cycle and test time, scaled counters, offset voltage.</summary>
    private Sample Shape(in Sample source, int pass, double testTime)
    {
        var s = source;
        s.TestTime = testTime;
        if (s.Cycle > 0)
        {
            s.Cycle += pass * Source.LastCycle;
        }

        s.Current *= Scale;
        s.Voltage += VoltageOffset;
        s.ChargeCapacity *= Scale;
        s.DischargeCapacity *= Scale;
        s.ChargeEnergy *= Scale;
        s.DischargeEnergy *= Scale;
        return s;
    }

    private Common.SampleBatch NewBatch() => new() { CellId = CellId, SourceId = SourceId, SourceFile = Source.FileName };

    private static void Add(Common.SampleBatch b, in Sample s, ulong sequence, long timeNs)
    {
        b.Sequence.Add(sequence);
        b.TimeUnixNs.Add(timeNs);
        b.TestTime.Add(s.TestTime);
        b.CycleIndex.Add((uint)Math.Max(0, s.Cycle));
        b.StepIndex.Add((uint)Math.Max(0, s.Step));
        b.StepType.Add(StepType(s.StepType));
        b.Current.Add(s.Current);
        b.Voltage.Add(s.Voltage);
        b.TemperatureDegc.Add(s.Temperature);
        b.ChargeCapacityAh.Add(s.ChargeCapacity);
        b.DischargeCapacityAh.Add(s.DischargeCapacity);
        b.ChargeEnergyWh.Add(s.ChargeEnergy);
        b.DischargeEnergyWh.Add(s.DischargeEnergy);
        b.SourceRow.Add((ulong)Math.Max(0, s.SourceRow));
    }

    private static Common.StepType StepType(CyclerStep t) => t switch
    {
        CyclerStep.Rest => Common.StepType.Rest,
        CyclerStep.CcCharge => Common.StepType.CcCharge,
        CyclerStep.CvCharge => Common.StepType.CvCharge,
        CyclerStep.CcDischarge => Common.StepType.CcDischarge,
        CyclerStep.CvDischarge => Common.StepType.CvDischarge,
        CyclerStep.Pulse => Common.StepType.Pulse,
        CyclerStep.Eis => Common.StepType.Eis,
        CyclerStep.Other => Common.StepType.Other,
        _ => Common.StepType.Unspecified,
    };

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
