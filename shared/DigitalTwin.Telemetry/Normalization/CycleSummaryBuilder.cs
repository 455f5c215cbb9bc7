// Per-cycle summaries from samples that are already normalized (e.g. read back from the Ingest log), with the
// same rules as a file parse: counters for capacity and energy, coulomb counting beside them, pulses, dQ/dV.
using DigitalTwin.Telemetry.Normalization;

namespace DigitalTwin.Telemetry;

public sealed class CycleSummaryBuilder(double dqDvBinWidth = 0.01)
{
    private readonly CycleSummarizer _summarizer = new(dqDvBinWidth);

    /// <summary>Adds samples in time order; a change of cycle number closes the current cycle.</summary>
    public void Add(ReadOnlySpan<Sample> samples)
    {
        foreach (ref readonly var s in samples)
        {
            _summarizer.Add(s);
        }
    }

    public void Add(in Sample sample) => _summarizer.Add(sample);

    /// <summary>Closes the last cycle and returns every cycle seen.</summary>
    public IReadOnlyList<CycleSummary> Finish() => _summarizer.Finish();
}
