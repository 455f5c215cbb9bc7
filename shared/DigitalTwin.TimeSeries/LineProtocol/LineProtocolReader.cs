// Parses InfluxDB line protocol into a point batch, reporting every bad line with its number
// (the /write endpoints of the dashboard accept what the InfluxDB sink and other clients send).
using System.Globalization;
using System.Text;
using DigitalTwin.TimeSeries.Points;

namespace DigitalTwin.TimeSeries.LineProtocol;

public sealed record LineProtocolError(int Line, string Message)
{
    public override string ToString() => $"line {Line}: {Message}";
}

public sealed class LineProtocolReader
{
    private readonly Dictionary<string, SeriesKey> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _tags = [];
    private readonly List<FieldValue> _fields = [];

    /// <summary>Multiplier from the request's precision to nanoseconds ("ns", "u"/"us", "ms", "s", "m", "h").</summary>
    public static long PrecisionMultiplier(string? precision) => precision switch
    {
        null or "" or "n" or "ns" => 1,
        "u" or "us" or "µ" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60L * 1_000_000_000,
        "h" => 3600L * 1_000_000_000,
        _ => throw new ArgumentException($"Unknown precision '{precision}': use ns, u, ms, s, m or h.", nameof(precision)),
    };

    /// <summary>Parses all lines into <paramref name="into"/>; bad lines are skipped and reported.</summary>
    public int Parse(ReadOnlySpan<byte> body, PointBatch into, long precisionMultiplier, long defaultTimestampNs,
        List<LineProtocolError> errors)
    {
        var lineNumber = 0;
        var added = 0;
        while (!body.IsEmpty)
        {
            lineNumber++;
            var end = body.IndexOf((byte)'\n');
            var line = end < 0 ? body : body[..end];
            body = end < 0 ? default : body[(end + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            var trimmed = line.TrimStart(" \t"u8);
            if (trimmed.IsEmpty || trimmed[0] == (byte)'#')
            {
                continue;
            }

            var error = ParseLine(Encoding.UTF8.GetString(trimmed), into, precisionMultiplier, defaultTimestampNs);
            if (error is null)
            {
                added++;
            }
            else
            {
                errors.Add(new LineProtocolError(lineNumber, error));
            }
        }

        return added;
    }

    private string? ParseLine(string line, PointBatch into, long multiplier, long defaultTimestamp)
    {
        var keyEnd = ScanUnescaped(line, 0, ' ', quoted: false);
        if (keyEnd < 0)
        {
            return "no fields (expected 'measurement[,tag=value...] field=value[,...] [timestamp]')";
        }

        var keyText = line[..keyEnd];
        if (!_series.TryGetValue(keyText, out var series))
        {
            var parsed = ParseSeriesKey(keyText, out var problem);
            if (parsed is null)
            {
                return problem;
            }

            series = parsed;
            _series[keyText] = series;
        }

        var fieldsStart = keyEnd + 1;
        var fieldsEnd = ScanUnescaped(line, fieldsStart, ' ', quoted: true);
        var fieldsText = fieldsEnd < 0 ? line.AsSpan(fieldsStart) : line.AsSpan(fieldsStart, fieldsEnd - fieldsStart);
        var fieldError = ParseFields(fieldsText.ToString());
        if (fieldError is not null)
        {
            return fieldError;
        }

        var timestamp = defaultTimestamp;
        if (fieldsEnd >= 0)
        {
            var stamp = line.AsSpan(fieldsEnd + 1).Trim();
            if (!stamp.IsEmpty)
            {
                if (!long.TryParse(stamp, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var raw))
                {
                    return $"timestamp '{stamp.ToString()}' is not an integer";
                }

                if (raw > long.MaxValue / multiplier || raw < long.MinValue / multiplier)
                {
                    return $"timestamp '{stamp.ToString()}' is out of range";
                }

                timestamp = raw * multiplier;
            }
        }

        var point = into.Add(series, timestamp);
        foreach (var field in _fields)
        {
            switch (field.Kind)
            {
                case Schema.FieldKind.Float:
                    point.Float(field.Name, field.Float);
                    break;
                case Schema.FieldKind.Integer:
                    point.Integer(field.Name, field.Integer);
                    break;
                case Schema.FieldKind.Boolean:
                    point.Boolean(field.Name, field.Boolean);
                    break;
                default:
                    point.String(field.Name, field.Text!);
                    break;
            }
        }

        return null;
    }

    private SeriesKey? ParseSeriesKey(string text, out string problem)
    {
        problem = string.Empty;
        var measurementEnd = ScanUnescaped(text, 0, ',', quoted: false);
        var measurement = Unescape(measurementEnd < 0 ? text : text[..measurementEnd]);
        if (measurement.Length == 0)
        {
            problem = "missing measurement name";
            return null;
        }

        _tags.Clear();
        var position = measurementEnd;
        while (position >= 0)
        {
            var start = position + 1;
            var next = ScanUnescaped(text, start, ',', quoted: false);
            var pair = next < 0 ? text[start..] : text[start..next];
            var equals = ScanUnescaped(pair, 0, '=', quoted: false);
            if (equals <= 0 || equals == pair.Length - 1)
            {
                problem = $"tag '{pair}' is not key=value";
                return null;
            }

            _tags.Add(new(Intern(Unescape(pair[..equals])), Unescape(pair[(equals + 1)..])));
            position = next;
        }

        try
        {
            return SeriesKey.Create(measurement, _tags);
        }
        catch (ArgumentException ex)
        {
            problem = ex.Message;
            return null;
        }
    }

    private string? ParseFields(string text)
    {
        _fields.Clear();
        if (text.Length == 0)
        {
            return "no fields";
        }

        var position = 0;
        while (position < text.Length)
        {
            var equals = ScanUnescaped(text, position, '=', quoted: false);
            if (equals <= position)
            {
                return $"field '{text[position..]}' is not key=value";
            }

            var name = Intern(Unescape(text[position..equals]));
            var valueStart = equals + 1;
            int valueEnd;
            if (valueStart < text.Length && text[valueStart] == '"')
            {
                var close = ClosingQuote(text, valueStart + 1);
                if (close < 0)
                {
                    return $"field '{name}': string value has no closing quote";
                }

                _fields.Add(FieldValue.FromString(name, UnescapeString(text[(valueStart + 1)..close])));
                valueEnd = close + 1;
                if (valueEnd < text.Length && text[valueEnd] != ',')
                {
                    return $"field '{name}': unexpected text after the string value";
                }
            }
            else
            {
                valueEnd = text.IndexOf(',', valueStart);
                if (valueEnd < 0)
                {
                    valueEnd = text.Length;
                }

                var error = ParseScalar(name, text.AsSpan(valueStart, valueEnd - valueStart));
                if (error is not null)
                {
                    return error;
                }
            }

            for (var k = 0; k < _fields.Count - 1; k++)
            {
                if (_fields[k].Name == name)
                {
                    return $"field '{name}' appears twice";
                }
            }

            position = valueEnd + 1;
        }

        return null;
    }

    private string? ParseScalar(string name, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return $"field '{name}' has no value";
        }

        var last = value[^1];
        if (last is 'i' or 'u')
        {
            if (!long.TryParse(value[..^1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return $"field '{name}': '{value.ToString()}' is not a 64-bit integer";
            }

            _fields.Add(FieldValue.FromInteger(name, integer));
            return null;
        }

        switch (value)
        {
            case "t" or "T" or "true" or "True" or "TRUE":
                _fields.Add(FieldValue.FromBoolean(name, true));
                return null;
            case "f" or "F" or "false" or "False" or "FALSE":
                _fields.Add(FieldValue.FromBoolean(name, false));
                return null;
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            return $"field '{name}': '{value.ToString()}' is not a number, integer (…i), boolean or \"string\"";
        }

        _fields.Add(FieldValue.FromFloat(name, number));
        return null;
    }

    private string Intern(string name)
    {
        if (_names.TryGetValue(name, out var interned))
        {
            return interned;
        }

        _names[name] = name;
        return name;
    }

    /// <summary>Index of the first unescaped <paramref name="target"/> at or after start, skipping quoted strings if asked.</summary>
    private static int ScanUnescaped(string text, int start, char target, bool quoted)
    {
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                i++;
                continue;
            }

            if (quoted && c == '"')
            {
                inString = !inString;
                continue;
            }

            if (!inString && c == target)
            {
                return i;
            }
        }

        return -1;
    }

    private static int ClosingQuote(string text, int start)
    {
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i;
            }
        }

        return -1;
    }

    private static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is ',' or '=' or ' ')
            {
                i++;
            }

            builder.Append(text[i]);
        }

        return builder.ToString();
    }

    private static string UnescapeString(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
            {
                i++;
            }

            builder.Append(text[i]);
        }

        return builder.ToString();
    }
}
