// Generic delimited text through a column-mapping file (JSON): which column is which quantity, in which unit.
// Built-in mappings (Battery Archive, BatteryData, BDF) are embedded and auto-detected by their header.
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using DigitalTwin.Telemetry.Normalization;
using DigitalTwin.Telemetry.Parsing;

namespace DigitalTwin.Telemetry.Readers;

/// <summary>The mapping file's shape (docs/ingest.md, "Column-mapping files").</summary>
public sealed record ColumnMapping
{
    public string Name { get; init; } = "mapped-csv";

    public string Description { get; init; } = "CSV read through a column-mapping file";

    /// <summary>Header names that must all be present for auto-detection.</summary>
    public string[] Detect { get; init; } = [];

    public string Delimiter { get; init; } = ",";

    public string Decimal { get; init; } = ".";

    /// <summary>1-based line of the column header (used when HeaderStartsWith is empty).</summary>
    public int HeaderLine { get; init; } = 1;

    /// <summary>The header is the first line starting with this text.</summary>
    public string? HeaderStartsWith { get; init; }

    /// <summary>"MDY", "DMY" or "YMD" for numeric dates.</summary>
    public string DateOrder { get; init; } = "MDY";

    /// <summary>"charge-positive" or "charge-negative".</summary>
    public string CurrentSign { get; init; } = "charge-positive";

    /// <summary>True when the clock column is UTC rather than local wall time.</summary>
    public bool ClockIsUtc { get; init; }

    public Dictionary<string, ColumnSpec> Columns { get; init; } = [];
}

public sealed record ColumnSpec
{
    public string Name { get; init; } = string.Empty;

    public string? Unit { get; init; }

    /// <summary>For wallClock: "datetime", "excel", "matlab" or "unix"; for testTime: "seconds" or "duration".</summary>
    public string? Format { get; init; }

    /// <summary>For stepType: "rest"/"charge"/"discharge" → the spellings used in the file.</summary>
    public Dictionary<string, string[]>? Values { get; init; }
}

public sealed class MappedCsvReader : CyclerReader
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly Lazy<ColumnMapping[]> Builtins = new(LoadBuiltins);
    private readonly ColumnMapping? _explicit;

    public MappedCsvReader()
    {
    }

    public MappedCsvReader(string mappingFile)
    {
        _explicit = Load(mappingFile);
    }

    private MappedCsvReader(ColumnMapping mapping)
    {
        _explicit = mapping;
    }

    public override string Name => _explicit?.Name ?? "mapped-csv";

    public override string Description => _explicit?.Description ?? "generic CSV: Battery Archive, BatteryData, BDF built in; any other layout through --mapping FILE.json";

    public static IReadOnlyList<ColumnMapping> BuiltinMappings => Builtins.Value;

    public static MappedCsvReader? BuiltinMapping(string name)
    {
        var m = Builtins.Value.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
        return m is null ? null : new MappedCsvReader(m);
    }

    public static ColumnMapping Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ColumnMapping>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException("empty mapping");
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidDataException)
        {
            throw new IngestException(new IngestProblem(ProblemSeverity.Error, ProblemCodes.Unsupported, path, 0, "mapping", $"cannot read column-mapping file: {e.Message}"));
        }
    }

    public override int Probe(FileHead head)
    {
        if (_explicit is not null)
        {
            // An explicit mapping wins over content detection for any delimited text.
            return head.Lines.Length > 0 && !head.Bytes.AsSpan(0, Math.Min(512, head.Bytes.Length)).Contains((byte)0) ? 99 : 0;
        }

        return Match(head) is null ? 0 : 70;
    }

    public override void Read(ReadContext context)
    {
        var mapping = _explicit ?? Match(context.Head) ?? throw context.Fail(0, null, ProblemCodes.Unrecognized, "no column mapping matches this file's header");
        TableEngine.Run(context, new Dialect(mapping));
    }

    private static ColumnMapping? Match(FileHead head)
    {
        foreach (var m in Builtins.Value)
        {
            var line = HeaderOf(head, m);
            if (line is null)
            {
                continue;
            }

            var names = line.Split(m.Delimiter[0]).Select(n => n.Trim().Trim('"')).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (m.Detect.Length > 0 && m.Detect.All(names.Contains))
            {
                return m;
            }
        }

        return null;
    }

    private static string? HeaderOf(FileHead head, ColumnMapping m)
    {
        if (!string.IsNullOrEmpty(m.HeaderStartsWith))
        {
            return head.Lines.FirstOrDefault(l => l.StartsWith(m.HeaderStartsWith, StringComparison.Ordinal));
        }

        return head.Lines.Length >= m.HeaderLine ? head.Lines[m.HeaderLine - 1].TrimStart('\uFEFF') : null;
    }

    private static ColumnMapping[] LoadBuiltins()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("DigitalTwin.Telemetry.Mappings.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var s = assembly.GetManifestResourceStream(n)!;
                return JsonSerializer.Deserialize<ColumnMapping>(s, Json)!;
            })
            .ToArray();
    }

    private sealed class Dialect(ColumnMapping m) : TableDialect
    {
        public override byte Delimiter => (byte)(m.Delimiter == "\\t" ? '\t' : m.Delimiter[0]);

        public override bool IsHeader(string line, long number, IReadOnlyList<string> preamble) =>
            string.IsNullOrEmpty(m.HeaderStartsWith) ? number == m.HeaderLine : line.StartsWith(m.HeaderStartsWith, StringComparison.Ordinal);

        public override TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine)
        {
            var h = new HeaderIndex(header.Select(n => n.TrimStart('\uFEFF')).ToArray());
            var b = new BindingBuilder(h, context, headerLine);
            var order = m.DateOrder.ToUpperInvariant() == "DMY" ? DateOrder.DayMonthYear : DateOrder.MonthDayYear;

            bool Bind(string key, Target target, bool required, double defaultScale = 1)
            {
                if (!m.Columns.TryGetValue(key, out var spec))
                {
                    if (required)
                    {
                        b.Bind(target, ValueKind.Number, 1, true, $"(mapping has no '{key}' entry)");
                    }

                    return false;
                }

                var scale = spec.Unit is null ? defaultScale : Units.Scale(spec.Unit);
                if (double.IsNaN(scale))
                {
                    throw context.Fail(headerLine, spec.Name, ProblemCodes.Unsupported, $"mapping: unknown unit '{spec.Unit}' for {key}");
                }

                var kind = (key, spec.Format?.ToLowerInvariant()) switch
                {
                    ("wallClock", "excel") => ValueKind.OleDate,
                    ("wallClock", "matlab") => ValueKind.MatlabDatenum,
                    ("wallClock", "unix") => ValueKind.UnixSeconds,
                    ("wallClock", _) => ValueKind.DateTime,
                    (_, "duration") => ValueKind.Duration,
                    ("cycle" or "step", _) => ValueKind.Integer,
                    ("stepType", _) => ValueKind.Token,
                    _ => ValueKind.Number,
                };
                return b.Bind(target, kind, scale, required, spec.Name);
            }

            var time = Bind("testTime", Target.TestTime, false);
            var clock = Bind("wallClock", Target.WallClock, !time);
            Bind("current", Target.Current, true);
            Bind("voltage", Target.Voltage, true);
            var cycle = Bind("cycle", Target.Cycle, false);
            var step = Bind("step", Target.Step, false);
            var temperature = Bind("temperature", Target.Temperature, false);
            TokenMap? tokens = null;
            if (m.Columns.TryGetValue("stepType", out var typeSpec) && typeSpec.Values is not null)
            {
                tokens = new TokenMap();
                foreach (var (kind, spellings) in typeSpec.Values)
                {
                    var (t, d) = kind.ToLowerInvariant() switch
                    {
                        "charge" => (StepType.CcCharge, (sbyte)1),
                        "discharge" => (StepType.CcDischarge, (sbyte)-1),
                        "rest" => (StepType.Rest, (sbyte)0),
                        _ => (StepType.Other, (sbyte)0),
                    };
                    foreach (var s in spellings)
                    {
                        tokens.Add(s, t, d);
                    }
                }

                Bind("stepType", Target.StepHint, false);
            }

            var capacity = CounterKind.None;
            if (Bind("chargeCapacity", Target.Q1, false) & Bind("dischargeCapacity", Target.Q2, false))
            {
                capacity = CounterKind.SplitCumulative;
            }
            else if (Bind("capacity", Target.Q1, false))
            {
                capacity = CounterKind.SingleWithDirection;
            }
            else if (Bind("netCapacity", Target.Q1, false))
            {
                capacity = CounterKind.NetSigned;
            }

            var energy = Bind("chargeEnergy", Target.E1, false) & Bind("dischargeEnergy", Target.E2, false)
                ? CounterKind.SplitCumulative : CounterKind.None;
            b.ThrowIfMissing($"mapping '{m.Name}'");
            return new TableLayout
            {
                Schema = new RawSchema
                {
                    Dialect = $"{m.Description} (mapping '{m.Name}')",
                    HasTestTime = time,
                    HasWallClock = clock,
                    WallClockIsUtc = m.ClockIsUtc,
                    HasCycle = cycle,
                    HasStep = step,
                    HasStepHint = tokens is not null,
                    HasTemperature = temperature,
                    CurrentSign = m.CurrentSign == "charge-negative" ? CurrentSign.ChargeNegative : CurrentSign.ChargePositive,
                    Capacity = capacity,
                    Energy = energy,
                    Columns = b.Columns,
                },
                Bindings = b.Bindings,
                Tokens = tokens,
                Decimal = (byte)m.Decimal[0],
                DateOrder = order,
            };
        }
    }
}
