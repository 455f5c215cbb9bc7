// Parsing of the REST query parameters shared by the endpoints: time ("now-15m", ISO 8601, epoch
// ms), tag filters (cell, lot, tag.<name>), field lists. Every problem is reported, all at once.
using System.Globalization;
using System.Text.RegularExpressions;
using DigitalTwin.TimeSeries.Points;

namespace DigitalTwin.Services.Dashboard.Api;

internal sealed partial class QueryParameters(IQueryCollection query, DateTimeOffset now)
{
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;

    public string? Text(string name) => query.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString() : null;

    public string Required(string name)
    {
        var value = Text(name);
        if (value is null)
        {
            _problems.Add($"'{name}' is required");
        }

        return value ?? string.Empty;
    }

    public IReadOnlyList<string> List(string name) =>
        Text(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    public int Integer(string name, int fallback, int min, int max)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            _problems.Add($"'{name}' = '{text}' must be an integer in {min}..{max}");
            return fallback;
        }

        return value;
    }

    public bool Flag(string name) => Text(name) is "1" or "true" or "yes";

    /// <summary>Tag filters: cell=, lot= and tag.&lt;name&gt;=.</summary>
    public Dictionary<string, string> Tags()
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in query)
        {
            if (key is "cell" or "lot" or "study" or "stage" or "electrode" or "method")
            {
                tags[key] = value.ToString();
            }
            else if (key.StartsWith("tag.", StringComparison.Ordinal) && key.Length > 4)
            {
                tags[key[4..]] = value.ToString();
            }
        }

        return tags;
    }

    /// <summary>A time: "now", "now-15m", "-15m" or "now+1d" (s, m, h, d, w), ISO 8601, or epoch milliseconds.</summary>
    public DateTimeOffset Time(string name, DateTimeOffset fallback)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        if (text == "now")
        {
            return now;
        }

        var relative = RelativeTime().Match(text);
        if (relative.Success)
        {
            var sign = relative.Groups[1].Value == "+" ? 1 : -1;
            var amount = double.Parse(relative.Groups[2].Value, CultureInfo.InvariantCulture);
            var unit = relative.Groups[3].Value switch
            {
                "s" => TimeSpan.FromSeconds(1),
                "m" => TimeSpan.FromMinutes(1),
                "h" => TimeSpan.FromHours(1),
                "d" => TimeSpan.FromDays(1),
                _ => TimeSpan.FromDays(7),
            };
            return now + (unit * amount * sign);
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        _problems.Add($"'{name}' = '{text}' is not a time (now, now-15m, -2h, now+1d, ISO 8601 or epoch milliseconds)");
        return fallback;
    }

    public static long Nanoseconds(DateTimeOffset time) => TimeUnits.ToNanoseconds(time);

    [GeneratedRegex(@"^(?:now)?([+-])(\d+(?:\.\d+)?)([smhdw])$")]
    private static partial Regex RelativeTime();
}
