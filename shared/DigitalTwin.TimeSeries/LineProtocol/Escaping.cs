// InfluxDB line-protocol escaping: measurement (comma, space), tag/field keys and tag values
// (comma, equals, space), string field values (double quote, backslash).
using System.Text;

namespace DigitalTwin.TimeSeries.LineProtocol;

public static class Escaping
{
    public static string EscapeMeasurement(string name) => Escape(name, ", ");

    public static string EscapeKey(string keyOrTagValue) => Escape(keyOrTagValue, ",= ");

    public static string EscapeStringValue(string value) => Escape(value, "\"\\");

    /// <summary>InfluxQL identifier quoting for queries: "name" with " and \ escaped.</summary>
    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>InfluxQL string literal: 'value' with ' and \ escaped.</summary>
    public static string QuoteLiteral(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string Escape(string text, string special)
    {
        if (text.AsSpan().IndexOfAny(special) < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (special.Contains(c, StringComparison.Ordinal))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
