// TwinService.QuerySeries answered from any time-series store: the Twin host (issue 8) delegates the
// RPC here. Scope (cell or lot), tags, range, interval or max_points, aggregation, envelope and lot
// aggregation map onto a SeriesQuery; every problem with a request is reported at once (INVALID_ARGUMENT).
using DigitalTwin.Contracts.Twin.V1;
using DigitalTwin.Rpc;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;
using Google.Protobuf.WellKnownTypes;
using Series = DigitalTwin.Contracts.Twin.V1.Series;

namespace DigitalTwin.TimeSeries.Rpc;

public sealed class TwinSeriesQuery(ITimeSeriesQuery store, TimeProvider? time = null)
{
    /// <summary>Points per series when the request leaves max_points at 0.</summary>
    public const int DefaultMaxPoints = 1000;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<QuerySeriesResponse> QueryAsync(QuerySeriesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (query, aggregation) = Translate(request);
        var result = await store.QueryAsync(query, cancellationToken).ConfigureAwait(false);

        // No interval asked and every series fits in max_points: answer with the raw points instead of buckets.
        if (request.Interval is null && !query.Combine && result.BucketNs > 0 &&
            result.Series.All(s => s.Fields.Values.All(c => c.Count is null || c.Count.Sum() <= query.MaxPoints)))
        {
            result = await store.QueryAsync(query with { Raw = true }, cancellationToken).ConfigureAwait(false);
        }

        var response = new QuerySeriesResponse();
        var measurement = Measurements.Find(query.Measurement);
        foreach (var frame in result.Series)
        {
            foreach (var name in query.Fields)
            {
                if (!frame.Fields.TryGetValue(name, out var column) || column.Text is not null)
                {
                    continue;
                }

                var series = new Series
                {
                    CellId = frame.Tags.GetValueOrDefault(Measurements.Tags.Cell.Name) ?? string.Empty,
                    LotId = frame.Tags.GetValueOrDefault(Measurements.Tags.Lot.Name) ?? string.Empty,
                    Measurement = query.Measurement,
                    Field = name,
                    Unit = ProtoUnit(measurement?.FindField(name)),
                    Interval = Duration.FromTimeSpan(TimeSpan.FromTicks(result.BucketNs / 100)),
                };
                foreach (var (key, value) in frame.Tags)
                {
                    series.Tags[key] = value;
                }

                var values = aggregation switch
                {
                    Aggregation.Min when column.Min is not null => column.Min,
                    Aggregation.Max when column.Max is not null => column.Max,
                    _ => column.Values,
                };
                for (var i = 0; i < frame.Times.Length; i++)
                {
                    if (double.IsNaN(values[i]))
                    {
                        continue;
                    }

                    series.TimeUnixNs.Add(frame.Times[i]);
                    series.Values.Add(values[i]);
                    if (column.Count is not null)
                    {
                        series.Counts.Add((uint)Math.Min(column.Count[i], uint.MaxValue));
                    }

                    if (request.IncludeEnvelope)
                    {
                        series.MinValues.Add(column.Min?[i] ?? values[i]);
                        series.MaxValues.Add(column.Max?[i] ?? values[i]);
                    }
                }

                if (series.Values.Count > 0)
                {
                    response.Series.Add(series);
                }
            }
        }

        return response;
    }

    /// <summary>The unit in the protos' notation (protos/README.md) for a catalog field.</summary>
    public static string ProtoUnit(FieldDefinition? field) => field switch
    {
        null => "see unit",
        { Unit: "°C" } => "degC",
        { Unit: "Ah" } => "A.h",
        { Unit: "Wh" } => "W.h",
        { Unit: "Ω" } => "Ohm",
        { Unit: "cycles" } => "index",
        { Unit: "varies" } => "see unit",
        { Unit: "1", Kind: FieldKind.Integer } f => f.Name.Contains("count", StringComparison.Ordinal) ? "count" : "index",
        { Unit: "1" } => "dimensionless",
        _ => field.Unit,
    };

    private (SeriesQuery Query, Aggregation Aggregation) Translate(QuerySeriesRequest request)
    {
        var problems = new List<string>();
        var tags = new Dictionary<string, string>(request.Tags, StringComparer.Ordinal);
        switch (request.ScopeCase)
        {
            case QuerySeriesRequest.ScopeOneofCase.CellId when request.CellId.Length > 0:
                tags[Measurements.Tags.Cell.Name] = request.CellId;
                break;
            case QuerySeriesRequest.ScopeOneofCase.LotId when request.LotId.Length > 0:
                tags[Measurements.Tags.Lot.Name] = request.LotId;
                break;
            default:
                problems.Add("scope: give cell_id or lot_id");
                break;
        }

        var measurement = Measurements.Find(request.Measurement);
        if (measurement is null)
        {
            problems.Add($"measurement '{request.Measurement}' is not in the schema ({string.Join(", ", Measurements.All.Select(m => m.Name))})");
        }

        var fields = request.Fields.Count > 0
            ? request.Fields.ToList()
            : measurement?.Fields.Where(f => f.IsNumeric).Select(f => f.Name).ToList() ?? [];
        if (measurement is not null)
        {
            problems.AddRange(fields.Where(f => measurement.FindField(f) is null).Select(f => $"field '{f}' is not in measurement '{measurement.Name}'"));
            problems.AddRange(tags.Keys.Where(t => !measurement.HasTag(t)).Select(t => $"tag '{t}' is not a tag of measurement '{measurement.Name}'"));
        }

        var now = _time.GetUtcNow();
        var from = request.Range?.Start is { } start ? TimeUnits.ToNanoseconds(start.ToDateTimeOffset()) : 0;
        var to = request.Range?.End is { } end ? TimeUnits.ToNanoseconds(end.ToDateTimeOffset()) : TimeUnits.ToNanoseconds(now);
        if (to <= from)
        {
            problems.Add("range: end must be after start");
        }

        var maxPoints = request.MaxPoints == 0 ? DefaultMaxPoints : (int)Math.Min(request.MaxPoints, 100_000);
        if (request.Interval is { } interval)
        {
            var width = interval.ToTimeSpan();
            if (width < TimeSpan.FromSeconds(1))
            {
                problems.Add($"interval {width.TotalSeconds} s: buckets are at least 1 s (leave it unset for raw points)");
            }
            else if (to > from)
            {
                // The bucket plan rounds the width up to the next nice width (Downsampling).
                maxPoints = (int)Math.Clamp((to - from) / (width.Ticks * 100), 1, 100_000);
            }
        }

        if (request.Aggregation is Aggregation.First or Aggregation.Last)
        {
            problems.Add($"aggregation {request.Aggregation}: the stores keep mean, min and max per bucket; use MEAN, MIN or MAX (or raw points)");
        }

        var combine = request.LotAggregation is LotAggregation.Mean or LotAggregation.Min or LotAggregation.Max;
        if (request.LotAggregation == LotAggregation.Median)
        {
            problems.Add("lot_aggregation MEDIAN: the stores combine cells by mean, min or max");
        }

        if (combine && request.ScopeCase != QuerySeriesRequest.ScopeOneofCase.LotId)
        {
            problems.Add("lot_aggregation applies to a lot_id scope");
        }

        if (problems.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "QuerySeries: " + string.Join("; ", problems) + "."));
        }

        var aggregation = request.LotAggregation switch
        {
            LotAggregation.Min => Aggregation.Min,
            LotAggregation.Max => Aggregation.Max,
            _ => request.Aggregation,
        };
        return (new SeriesQuery
        {
            Measurement = measurement!.Name,
            Fields = fields,
            Tags = tags,
            FromNs = from,
            ToNs = to,
            MaxPoints = maxPoints,
            Combine = combine,
        }, aggregation);
    }
}
