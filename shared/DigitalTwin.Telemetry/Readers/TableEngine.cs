// The shared engine of every delimited-text format: find the header (a dialect decides), bind columns
// to normalized fields with their units, then stream rows as byte spans into the normalizer.
using DigitalTwin.Telemetry.Normalization;
using DigitalTwin.Telemetry.Parsing;

namespace DigitalTwin.Telemetry.Readers;

/// <summary>Where a column's value goes.</summary>
public enum Target : byte
{
    TestTime,
    WallClock,
    Cycle,
    Step,
    StepHint,
    Current,
    Voltage,
    Temperature,
    Q1,
    Q2,
    E1,
    E2,
    Frequency,
    ZReal,
    ZImag,
}

/// <summary>How a column's text is read.</summary>
public enum ValueKind : byte
{
    Number,
    Integer,

    /// <summary>"[N d ]h:mm:ss[.fff]" or seconds.</summary>
    Duration,
    DateTime,
    OleDate,
    MatlabDatenum,
    UnixSeconds,

    /// <summary>A word or letter looked up in the dialect's step-name map.</summary>
    Token,
}

public sealed record Binding(int Index, string Name, Target Target, ValueKind Kind, double Scale = 1, bool Required = false);

/// <summary>A step-name or state-letter vocabulary (Maccor "C"/"D"/"R", Neware "CC Chg", ...).</summary>
public sealed class TokenMap
{
    private readonly List<(byte[] Key, StepType Type, sbyte Direction)> _entries = [];

    public TokenMap Add(string key, StepType type, sbyte direction)
    {
        _entries.Add((System.Text.Encoding.UTF8.GetBytes(key.ToLowerInvariant()), type, direction));
        return this;
    }

    public bool TryLookup(ReadOnlySpan<byte> text, out StepType type, out sbyte direction)
    {
        text = FastNumber.Trim(text);
        Span<byte> lower = stackalloc byte[Math.Min(text.Length, 64)];
        var n = Math.Min(text.Length, 64);
        for (var i = 0; i < n; i++)
        {
            var b = text[i];
            lower[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }

        foreach (var (key, t, d) in _entries)
        {
            if (lower[..n].SequenceEqual(key))
            {
                type = t;
                direction = d;
                return true;
            }
        }

        type = StepType.Unknown;
        direction = 0;
        return false;
    }
}

/// <summary>How a table is laid out once its header is known.</summary>
public sealed class TableLayout
{
    public required RawSchema Schema { get; init; }

    public required IReadOnlyList<Binding> Bindings { get; init; }

    /// <summary>Decimal separator; 0 = decide from the first data row.</summary>
    public byte Decimal { get; set; } = (byte)'.';

    public DateOrder DateOrder { get; init; }

    public TokenMap? Tokens { get; init; }

    /// <summary>Date for time-only wall clocks (ticks at local midnight); 0 if none.</summary>
    public long BaseDateTicks { get; init; }

    /// <summary>Rows are impedance points (Frequency/ZReal/ZImag), not samples.</summary>
    public bool Impedance { get; init; }

    /// <summary>The file stores -Im(Z) (BioLogic); flip to the physical sign.</summary>
    public bool NegatedImaginary { get; init; }
}

/// <summary>One text format: how to find its header and bind its columns.</summary>
public abstract class TableDialect
{
    public abstract byte Delimiter { get; }

    /// <summary>True when <paramref name="line"/> (1-based <paramref name="number"/>) is the column header.</summary>
    public abstract bool IsHeader(string line, long number, IReadOnlyList<string> preamble);

    public abstract TableLayout Configure(string[] header, IReadOnlyList<string> preamble, ReadContext context, long headerLine);

    /// <summary>A line that ends the data and starts a new preamble (a concatenated run).</summary>
    public virtual bool IsSectionStart(ReadOnlySpan<byte> line) => false;

    /// <summary>The "header" line is already the first data row (header-less files).</summary>
    public virtual bool HeaderIsData => false;

    /// <summary>Lines to skip after the header (units rows, blank lines are skipped anyway).</summary>
    public virtual bool IsSkippable(ReadOnlySpan<byte> line) => false;

    /// <summary>
    /// True when every data row can be parsed on its own (no OnRow, section starts, skippable lines or time-only clocks):
    /// the rows are then parsed in chunks on worker threads and normalized in order.
    /// </summary>
    public virtual bool RowsAreIndependent => false;

    /// <summary>Last look at a parsed row; return false to drop it silently (it is not data, e.g. a summary row).</summary>
    public virtual bool OnRow(ref RawRow row, ReadOnlySpan<byte> line, ReadOnlySpan<Range> fields, ReadContext context) => true;

    /// <summary>Header fields, trimmed and unquoted.</summary>
    public virtual string[] SplitHeader(string line) =>
        line.Split((char)Delimiter).Select(f => f.Trim().Trim('"').Trim()).ToArray();

    /// <summary>Called when the file ends (e.g. to fail when no header was found).</summary>
    public virtual void OnEnd(ReadContext context, bool headerFound, long dataRows)
    {
        if (!headerFound)
        {
            throw context.Fail(0, null, ProblemCodes.NoData, "no column header found");
        }

        if (dataRows == 0)
        {
            context.Warn(0, null, ProblemCodes.NoData, "the file holds a header but no data rows");
        }
    }
}

public static class TableEngine
{
    private const int ProgressEvery = 1 << 16;

    public static void Run(ReadContext context, TableDialect dialect)
    {
        using var reader = new ByteLineReader(context.Stream);
        var preamble = new List<string>();
        TableLayout? layout = null;
        var headerFound = false;
        long dataRows = 0;
        var fieldCapacity = 0;
        Range[] ranges = [];
        var wall = new WallState();

        while (reader.TryReadLine(out var line))
        {
            var number = reader.LineNumber;
            if (layout is null)
            {
                var text = TextCodec.Decode(line);
                if (dialect.IsHeader(text, number, preamble))
                {
                    var header = dialect.SplitHeader(text);
                    layout = dialect.Configure(header, preamble, context, number);
                    context.SetSchema(layout.Schema);
                    headerFound = true;
                    fieldCapacity = Math.Max(header.Length, layout.Bindings.Count == 0 ? 1 : layout.Bindings.Max(b => b.Index) + 1) + 1;
                    ranges = new Range[fieldCapacity];
                    wall = new WallState { BaseDate = layout.BaseDateTicks };
                    if (dialect.RowsAreIndependent && context.Options.ParseThreads > 1 && !dialect.HeaderIsData && layout.BaseDateTicks == 0 && !layout.Impedance)
                    {
                        dataRows = RunChunked(reader, context, dialect, layout, fieldCapacity);
                        break;
                    }

                    if (!dialect.HeaderIsData)
                    {
                        continue;
                    }
                }
                else
                {
                    preamble.Add(text);
                    continue;
                }
            }

            if (IsBlank(line) || dialect.IsSkippable(line))
            {
                continue;
            }

            if (dialect.IsSectionStart(line))
            {
                layout = null;
                preamble.Clear();
                preamble.Add(TextCodec.Decode(line));
                context.NewRun(number, "a new run starts here (concatenated export): test time continues from the previous run");
                continue;
            }

            if (layout.Decimal == 0)
            {
                layout.Decimal = GuessDecimal(line, dialect.Delimiter);
            }

            var count = FieldSplitter.Split(line, dialect.Delimiter, ranges);
            var row = RawRow.Create(number);
            if (ParseRow(line, ranges.AsSpan(0, count), layout, context, ref row, ref wall, reader.LastLineUnterminated)
                && dialect.OnRow(ref row, line, ranges.AsSpan(0, count), context))
            {
                if (layout.Impedance)
                {
                    EmitImpedance(ref row, layout, context);
                }
                else
                {
                    context.Emit(ref row);
                }

                dataRows++;
            }

            if ((number & (ProgressEvery - 1)) == 0)
            {
                context.Progress(reader.BytesConsumed);
            }
        }

        context.Progress(context.Head.Length);
        dialect.OnEnd(context, headerFound, dataRows);
    }

    /// <summary>
    /// The rest of the file in chunks of lines: this thread reads and copies lines and normalizes parsed chunks in
    /// order; up to <see cref="ChunksInFlight"/> chunks are parsed meanwhile on pool threads. Row problems are kept
    /// per line and replayed in line order, so the log and the samples are exactly those of the one-thread path.
    /// </summary>
    private static long RunChunked(ByteLineReader reader, ReadContext context, TableDialect dialect, TableLayout layout, int fieldCapacity)
    {
        var pending = new Queue<(Chunk Chunk, Task Parse)>();
        var spare = new Stack<Chunk>();
        long dataRows = 0;
        var chunk = new Chunk(fieldCapacity);
        var decimalKnown = layout.Decimal != 0;
        while (true)
        {
            var more = reader.TryReadLine(out var line);
            if (more && !IsBlank(line))
            {
                if (!decimalKnown)
                {
                    layout.Decimal = GuessDecimal(line, dialect.Delimiter);
                    decimalKnown = true;
                }

                chunk.Add(line, reader.LineNumber, reader.LastLineUnterminated);
                if ((reader.LineNumber & (ProgressEvery - 1)) == 0)
                {
                    context.Progress(reader.BytesConsumed);
                }
            }

            if ((!more && chunk.Count > 0) || chunk.Count == Chunk.Lines || chunk.Bytes >= Chunk.MaxBytes)
            {
                var full = chunk;
                var delimiter = dialect.Delimiter;
                pending.Enqueue((full, Task.Run(() => full.Parse(layout, delimiter))));
                chunk = spare.Count > 0 ? spare.Pop() : new Chunk(fieldCapacity);
            }

            while (pending.Count > 0 && (pending.Count > Math.Min(ChunksInFlight, context.Options.ParseThreads) || !more))
            {
                var (done, parse) = pending.Dequeue();
                parse.GetAwaiter().GetResult();
                dataRows += done.Emit(context);
                done.Clear();
                spare.Push(done);
            }

            if (!more)
            {
                return dataRows;
            }
        }
    }

    private const int ChunksInFlight = 3;

    /// <summary>A run of lines copied out of the read buffer, then parsed into raw rows (or the problem of each line).</summary>
    private sealed class Chunk(int fieldCapacity) : IRowProblemSink
    {
        public const int Lines = 4096;
        public const int MaxBytes = 4 << 20;

        private readonly int[] _start = new int[Lines + 1];
        private readonly long[] _number = new long[Lines];
        private readonly bool[] _unterminated = new bool[Lines];
        private readonly RawRow[] _rows = new RawRow[Lines];
        private readonly bool[] _ok = new bool[Lines];
        private readonly (string? Field, string Code, string Message)?[] _problem = new (string?, string, string)?[Lines];
        private readonly Range[] _ranges = new Range[fieldCapacity];
        private byte[] _bytes = new byte[1 << 20];
        private int _current;

        public int Count { get; private set; }

        public int Bytes => _start[Count];

        public void Add(ReadOnlySpan<byte> line, long number, bool unterminated)
        {
            var at = _start[Count];
            if (at + line.Length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, at + line.Length));
            }

            line.CopyTo(_bytes.AsSpan(at));
            _number[Count] = number;
            _unterminated[Count] = unterminated;
            _start[++Count] = at + line.Length;
        }

        public void Parse(TableLayout layout, byte delimiter)
        {
            var wall = default(WallState);
            for (var k = 0; k < Count; k++)
            {
                _current = k;
                _problem[k] = null;
                var line = _bytes.AsSpan(_start[k], _start[k + 1] - _start[k]);
                var count = FieldSplitter.Split(line, delimiter, _ranges);
                _rows[k] = RawRow.Create(_number[k]);
                _ok[k] = ParseRow(line, _ranges.AsSpan(0, count), layout, this, ref _rows[k], ref wall, _unterminated[k]);
            }
        }

        /// <summary>Replays problems and hands the rows to the normalizer, in line order; returns the rows emitted.</summary>
        public long Emit(ReadContext context)
        {
            long emitted = 0;
            for (var k = 0; k < Count; k++)
            {
                if (_problem[k] is { } p)
                {
                    context.RowProblem(_number[k], p.Field, p.Code, p.Message);
                }

                if (_ok[k])
                {
                    context.Emit(ref _rows[k]);
                    emitted++;
                }
            }

            return emitted;
        }

        public void Clear() => Count = 0;

        public void RowProblem(long line, string? field, string code, string message) => _problem[_current] = (field, code, message);
    }

    /// <summary>Values of the impedance targets travel in the raw row's spare slots.</summary>
    private static void EmitImpedance(ref RawRow row, TableLayout layout, ReadContext context)
    {
        var p = new ImpedancePoint
        {
            TimestampMicros = Sample.NoTimestamp,
            TestTime = row.TestTime,
            Cycle = row.Cycle == int.MinValue ? 0 : row.Cycle,
            Frequency = row.Q1,
            ZReal = row.Q2,
            ZImag = layout.NegatedImaginary ? -row.E1 : row.E1,
            Voltage = row.Voltage,
            Current = row.Current,
            SourceRow = row.Line,
        };
        context.EmitImpedance(ref p);
    }

    private static bool ParseRow(ReadOnlySpan<byte> line, ReadOnlySpan<Range> fields, TableLayout layout, IRowProblemSink context, ref RawRow row, ref WallState wall, bool lastLine)
    {
        foreach (var b in layout.Bindings)
        {
            if (b.Index >= fields.Length)
            {
                // A short row is fine when it only lacks optional columns, unless the file ends inside it.
                if (!b.Required && !lastLine)
                {
                    continue;
                }

                var code = lastLine ? ProblemCodes.Truncated : ProblemCodes.ShortRow;
                var why = lastLine ? "the file ends in the middle of this row (truncated)" : $"row has {fields.Length} fields, column '{b.Name}' is field {b.Index + 1}";
                context.RowProblem(row.Line, b.Name, code, why);
                return false;
            }

            var text = line[fields[b.Index]];
            if (!ParseValue(text, b, layout, ref row, ref wall))
            {
                var trimmed = FastNumber.Trim(text);
                if (trimmed.IsEmpty && !b.Required)
                {
                    continue;
                }

                var shown = TextCodec.Decode(trimmed.Length > 40 ? trimmed[..40] : trimmed);
                var code = lastLine && b.Index >= fields.Length - 1 ? ProblemCodes.Truncated : ProblemCodes.BadNumber;
                var why = trimmed.IsEmpty ? "value is empty" : $"'{shown}' is not a valid {KindName(b.Kind)}";
                if (code == ProblemCodes.Truncated)
                {
                    why += " (the file ends in the middle of this row: truncated)";
                }

                context.RowProblem(row.Line, b.Name, code, why);
                return false;
            }
        }

        return true;
    }

    private static string KindName(ValueKind kind) => kind switch
    {
        ValueKind.Number or ValueKind.OleDate or ValueKind.MatlabDatenum or ValueKind.UnixSeconds => "number",
        ValueKind.Integer => "integer",
        ValueKind.Duration => "duration",
        ValueKind.DateTime => "date/time",
        _ => "step name",
    };

    private struct WallState
    {
        public long BaseDate;
        public long LastTimeOfDay;
        public long DayOffset;
    }

    private static bool ParseValue(ReadOnlySpan<byte> text, Binding b, TableLayout layout, ref RawRow row, ref WallState wall)
    {
        double value;
        switch (b.Kind)
        {
            case ValueKind.Number:
                if (!FastNumber.TryParseDouble(text, layout.Decimal, out value))
                {
                    return false;
                }

                value *= b.Scale;
                break;
            case ValueKind.Integer:
                if (!FastNumber.TryParseInt(text, layout.Decimal, out var integer))
                {
                    return false;
                }

                value = integer;
                break;
            case ValueKind.Duration:
                if (!Durations.TryParseSeconds(text, out value))
                {
                    if (layout.Decimal != (byte)'.' && FastNumber.TryParseDouble(text, layout.Decimal, out value))
                    {
                        value *= b.Scale;
                        break;
                    }

                    return false;
                }

                if (FastNumber.Trim(text).IndexOf((byte)':') < 0)
                {
                    value *= b.Scale;
                }

                break;
            case ValueKind.DateTime:
                if (!WallClock.TryParse(text, layout.DateOrder, out var ticks, out _, out var timeOnly))
                {
                    return false;
                }

                if (timeOnly)
                {
                    if (wall.BaseDate == 0)
                    {
                        return false;
                    }

                    if (ticks < wall.LastTimeOfDay - (12 * TimeSpan.TicksPerHour))
                    {
                        wall.DayOffset += TimeSpan.TicksPerDay;
                    }

                    wall.LastTimeOfDay = ticks;
                    ticks += wall.BaseDate + wall.DayOffset;
                }

                row.WallTicks = ticks;
                return true;
            case ValueKind.OleDate:
                if (!FastNumber.TryParseDouble(text, layout.Decimal, out value))
                {
                    return false;
                }

                row.WallTicks = WallClock.FromOleDate(value);
                return true;
            case ValueKind.MatlabDatenum:
                if (!FastNumber.TryParseDouble(text, layout.Decimal, out value))
                {
                    return false;
                }

                row.WallTicks = WallClock.FromMatlabDatenum(value);
                return true;
            case ValueKind.UnixSeconds:
                if (!FastNumber.TryParseDouble(text, layout.Decimal, out value) || !double.IsFinite(value))
                {
                    return false;
                }

                row.WallTicks = DateTime.UnixEpoch.Ticks + (long)Math.Round(value * TimeSpan.TicksPerSecond);
                return true;
            default:
                if (layout.Tokens is null || !layout.Tokens.TryLookup(text, out var type, out var direction))
                {
                    // An unknown state or code: the current tells what the cell is doing.
                    row.StepHint = StepType.Unknown;
                    return !FastNumber.Trim(text).IsEmpty || !b.Required;
                }

                row.StepHint = type;
                row.Direction = direction;
                return true;
        }

        switch (b.Target)
        {
            case Target.TestTime:
                row.TestTime = value;
                break;
            case Target.Cycle:
                row.Cycle = (int)value;
                break;
            case Target.Step:
                row.Step = (int)value;
                break;
            case Target.Current:
                row.Current = value;
                break;
            case Target.Voltage:
                row.Voltage = value;
                break;
            case Target.Temperature:
                row.Temperature = value;
                break;
            case Target.Q1:
            case Target.Frequency:
                row.Q1 = value;
                break;
            case Target.Q2:
            case Target.ZReal:
                row.Q2 = value;
                break;
            case Target.E1:
            case Target.ZImag:
                row.E1 = value;
                break;
            case Target.E2:
                row.E2 = value;
                break;
            default:
                break;
        }

        return true;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r')
            {
                return false;
            }
        }

        return true;
    }

    private static byte GuessDecimal(ReadOnlySpan<byte> line, byte delimiter)
    {
        if (delimiter == (byte)',')
        {
            return (byte)'.';
        }

        var commas = line.Count((byte)',');
        var dots = line.Count((byte)'.');
        return commas > 0 && commas > dots ? (byte)',' : (byte)'.';
    }
}

/// <summary>Column lookup by header name, with several spellings per quantity.</summary>
public sealed class HeaderIndex
{
    private readonly string[] _header;

    public HeaderIndex(string[] header)
    {
        _header = header;
    }

    public IReadOnlyList<string> Names => _header;

    /// <summary>Index of the first column whose name equals one of the spellings (case-insensitive); -1 if none.</summary>
    public int Find(params string[] names)
    {
        foreach (var n in names)
        {
            for (var i = 0; i < _header.Length; i++)
            {
                if (string.Equals(_header[i], n, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    /// <summary>Index of the first column whose name starts with the prefix; -1 if none.</summary>
    public int FindPrefix(string prefix)
    {
        for (var i = 0; i < _header.Length; i++)
        {
            if (_header[i].StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>Builds bindings and the list of columns used, failing with every missing required column at once.</summary>
public sealed class BindingBuilder(HeaderIndex header, ReadContext context, long headerLine)
{
    private readonly List<Binding> _bindings = [];
    private readonly List<string> _missing = [];

    public List<Binding> Bindings => _bindings;

    public bool Has(Target target) => _bindings.Any(b => b.Target == target);

    /// <summary>Binds the first present spelling; records a missing required column.</summary>
    public bool Bind(Target target, ValueKind kind, double scale, bool required, params string[] names)
    {
        var i = header.Find(names);
        if (i < 0)
        {
            if (required)
            {
                _missing.Add($"{target} (one of: {string.Join(", ", names.Select(n => $"'{n}'"))})");
            }

            return false;
        }

        _bindings.Add(new Binding(i, header.Names[i], target, kind, scale, required));
        return true;
    }

    public void Add(int index, Target target, ValueKind kind, double scale = 1, bool required = false)
    {
        _bindings.Add(new Binding(index, index < header.Names.Count ? header.Names[index] : $"column {index + 1}", target, kind, scale, required));
    }

    public IReadOnlyList<string> Columns => _bindings.Select(b => b.Name).ToList();

    /// <summary>Throws (file-level) when a required column is missing, listing all of them and what the header has.</summary>
    public void ThrowIfMissing(string format)
    {
        if (_missing.Count > 0)
        {
            throw context.Fail(headerLine, string.Join("; ", _missing), ProblemCodes.MissingColumn,
                $"{format}: required column(s) missing: {string.Join("; ", _missing)}. The header has: {string.Join(", ", header.Names.Where(n => n.Length > 0).Take(40))}");
        }
    }
}
