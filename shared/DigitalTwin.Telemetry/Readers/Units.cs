// Unit strings found in column headers ("Current (mA)", "I/mA", "Cap. [Ah]") to SI scale factors.
namespace DigitalTwin.Telemetry.Readers;

public static class Units
{
    /// <summary>Scale to SI (A, V, Ah, Wh, s, °C) for a unit spelling; NaN when unknown.</summary>
    public static double Scale(string unit)
    {
        var u = unit.Trim().Trim('(', ')', '[', ']').Replace("·", ".").Replace(" ", string.Empty);
        return u.ToLowerInvariant() switch
        {
            "a" or "v" or "ah" or "a.h" or "wh" or "w.h" or "s" or "sec" or "c" or "°c" or "degc" or "ohm" or "hz" or "w" => 1,
            "ma" or "mv" or "mah" or "ma.h" or "mwh" or "mw.h" or "mw" or "ms" => 1e-3,
            "µa" or "ua" or "µv" or "uv" or "µah" or "uah" or "µa.h" or "ua.h" => 1e-6,
            "na" => 1e-9,
            "ka" or "kv" or "kwh" => 1e3,
            "min" => 60,
            "h" or "hr" or "hours" => 3600,
            _ => double.NaN,
        };
    }

    /// <summary>Splits "Name (unit)", "Name [unit]" or "name/unit" into its parts; unit is empty when absent.</summary>
    public static (string Name, string Unit) Split(string header)
    {
        var h = header.Trim();
        var open = h.LastIndexOfAny(['(', '[']);
        if (open > 0 && (h.EndsWith(')') || h.EndsWith(']')))
        {
            return (h[..open].Trim(), h[(open + 1)..^1].Trim());
        }

        var slash = h.IndexOf('/');
        if (slash > 0)
        {
            return (h[..slash].Trim(), h[(slash + 1)..].Trim());
        }

        return (h, string.Empty);
    }
}
