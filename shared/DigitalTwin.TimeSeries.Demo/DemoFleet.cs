// The demo fleet: a real cycler file replayed as several cells in three lots. First a history
// (per-cycle series for HistoryCycles cycles ending now, telemetry for the last two cycles at
// real pace), then a live replay at Speed× (file seconds per wall-clock second), written every
// Tick through the sink interface the twin and Ingest will use.
using DigitalTwin.TimeSeries.Points;

namespace DigitalTwin.TimeSeries.Demo;

public sealed record DemoFleetOptions
{
    public int Cells { get; init; } = 8;

    public double Speed { get; init; } = 20;

    public int HistoryCycles { get; init; } = 150;

    /// <summary>Cycles at the end of the history that also get telemetry and twin-state samples.</summary>
    public int HistoryTelemetryCycles { get; init; } = 2;

    public int Seed { get; init; } = 7;

    public bool LiveReplay { get; init; } = true;

    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

public sealed class DemoFleet
{
    private static readonly string[] Lots = ["L23A", "L23B", "L24A"];
    private readonly ITimeSeriesSink _sink;
    private readonly DemoSource _source;
    private readonly DemoFleetOptions _options;
    private readonly Random _random;
    private readonly List<DemoCell> _cells = [];
    private readonly TimeSpan _cycleDuration;

    public DemoFleet(ITimeSeriesSink sink, DemoSource source, DemoFleetOptions? options = null)
    {
        _sink = sink;
        _source = source;
        _options = options ?? new DemoFleetOptions();
        if (_options.Cells < 1 || _options.Speed <= 0 || _options.HistoryCycles < 10 || _options.Tick <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Invalid demo options: Cells {_options.Cells} (≥ 1), Speed {_options.Speed} (> 0), HistoryCycles {_options.HistoryCycles} (≥ 10), Tick {_options.Tick} (> 0).", nameof(options));
        }

        _random = new Random(_options.Seed);
        _cycleDuration = TimeSpan.FromSeconds(source.Cycles.Average(c => c.Duration));
        var perLot = (int)Math.Ceiling(_options.Cells / (double)Lots.Length);
        for (var i = 0; i < _options.Cells; i++)
        {
            var lot = Math.Min(i / perLot, Lots.Length - 1);
            var id = $"{Lots[lot]}-{(i % perLot) + 1:00}";

            // One cell of the middle lot went offline two hours ago: the overview must show it.
            var live = _options.LiveReplay && !(lot == 1 && i % perLot == 0);
            _cells.Add(new DemoCell(source, id, Lots[lot], i, lot, new Random(_options.Seed + i), live));
        }
    }

    public IReadOnlyList<string> CellIds => [.. _cells.Select(c => c.Id)];

    public IReadOnlyList<string> Studies => DemoDem.StudyNames;

    /// <summary>Points written so far (history and live).</summary>
    public long PointsWritten { get; private set; }

    /// <summary>Raised after every live tick's write with the number of points (tests wait on it instead of sleeping).</summary>
    public event Action<int>? TickWritten;

    /// <summary>Writes the history, then replays live until cancelled (if LiveReplay).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await WriteHistoryAsync(cancellationToken).ConfigureAwait(false);
        if (_options.LiveReplay)
        {
            await ReplayAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task WriteHistoryAsync(CancellationToken cancellationToken)
    {
        var now = _options.TimeProvider.GetUtcNow();
        var nowNs = TimeUnits.ToNanoseconds(now);
        var cycleNs = (long)(_cycleDuration.TotalSeconds * TimeUnits.NanosecondsPerSecond);
        var batch = new PointBatch(1 << 16);
        DemoDem.Write(batch, nowNs - (3 * 86_400L * TimeUnits.NanosecondsPerSecond), _random);
        await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
        foreach (var cell in _cells)
        {
            var cycles = _options.HistoryCycles + (cell.Index * 7 % 23) - 11;
            var end = nowNs - (cell.Live ? 0 : 2 * 3600L * TimeUnits.NanosecondsPerSecond);
            var start = end - (cycles * cycleNs);
            cell.WriteInfo(batch, start, cell.Live ? "cycling" : "paused");
            for (var k = 1; k <= cycles; k++)
            {
                var source = _source.Cycles[(k - 1) % _source.Cycles.Count];
                var cycleEnd = start + (k * cycleNs);
                if (k > cycles - _options.HistoryTelemetryCycles)
                {
                    var cycleStart = cycleEnd - (long)(source.Duration * TimeUnits.NanosecondsPerSecond);
                    cell.WriteSamples(batch, source, 0, source.Samples.Length,
                        s => cycleStart + TimeUnits.FromSeconds(s.TestTime - source.Start));
                }

                cell.FinishCycle(batch, source, cycleEnd, _cycleDuration, forecast: k % 5 == 0 || k == cycles);
                if (batch.Count > 50_000)
                {
                    await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
                }
            }

            if (!cell.Live)
            {
                cell.WriteInfo(batch, end, "paused");
            }

            // Live cells start their replay at different points of the file so they do not move in step.
            cell.SourceCycle = cell.Index % _source.Cycles.Count;
            cell.CycleTime = _source.Cycles[cell.SourceCycle].Duration * (cell.Index * 0.37 % 1);
            cell.NextSample = FirstSampleAfter(_source.Cycles[cell.SourceCycle], cell.CycleTime);
        }

        await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Advances every live cell by Tick × Speed of file time per tick, stamping samples with wall-clock time.</summary>
    public async Task ReplayAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Tick, _options.TimeProvider);
        var batch = new PointBatch(4096);
        var last = _options.TimeProvider.GetUtcNow();
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = _options.TimeProvider.GetUtcNow();
            Advance(batch, last, now);
            last = now;
            var written = batch.Count;
            await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
            TickWritten?.Invoke(written);
        }
    }

    /// <summary>One replay step from wall time <paramref name="from"/> to <paramref name="to"/> (public for tests).</summary>
    public void Advance(PointBatch batch, DateTimeOffset from, DateTimeOffset to)
    {
        var fromNs = TimeUnits.ToNanoseconds(from);
        var span = (to - from).TotalSeconds * _options.Speed;
        foreach (var cell in _cells.Where(c => c.Live))
        {
            var remaining = span;
            var wallNs = fromNs;
            while (remaining > 0)
            {
                var source = _source.Cycles[cell.SourceCycle];
                var step = Math.Min(remaining, source.Duration - cell.CycleTime);
                var target = cell.CycleTime + step;
                var end = cell.NextSample;
                while (end < source.Samples.Length && source.Samples[end].TestTime - source.Start <= target)
                {
                    end++;
                }

                var startTime = cell.CycleTime;
                var startWall = wallNs;
                cell.WriteSamples(batch, source, cell.NextSample, end,
                    s => startWall + TimeUnits.FromSeconds((s.TestTime - source.Start - startTime) / _options.Speed));
                cell.NextSample = end;
                cell.CycleTime = target;
                wallNs += TimeUnits.FromSeconds(step / _options.Speed);
                remaining -= step;
                if (end >= source.Samples.Length)
                {
                    cell.FinishCycle(batch, source, wallNs, _cycleDuration, forecast: true);
                    cell.SourceCycle = (cell.SourceCycle + 1) % _source.Cycles.Count;
                    cell.CycleTime = 0;
                    cell.NextSample = 0;
                }
            }
        }
    }

    private async Task FlushAsync(PointBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        PointsWritten += batch.Count;
        batch.Clear();
    }

    private static int FirstSampleAfter(SourceCycle cycle, double time)
    {
        var i = 0;
        while (i < cycle.Samples.Length && cycle.Samples[i].TestTime - cycle.Start <= time)
        {
            i++;
        }

        return i;
    }
}
