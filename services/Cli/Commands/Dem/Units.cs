// Quantities typed the way engineers write them: "375MPa", "1 atm", "0.5um", "5e6" (SI when no unit).
using System.Globalization;

namespace DigitalTwin.Cli.Commands.Dem;

internal static class Units
{
    private static readonly (string Suffix, double Factor)[] Pressure =
        [("gpa", 1e9), ("mpa", 1e6), ("kpa", 1e3), ("pa", 1), ("atm", 101325), ("bar", 1e5)];

    private static readonly (string Suffix, double Factor)[] Length =
        [("nm", 1e-9), ("um", 1e-6), ("µm", 1e-6), ("mm", 1e-3), ("m", 1)];

    public static double ParsePressure(string text, string option) => Parse(text, option, Pressure, "Pa");

    public static double ParseLength(string text, string option) => Parse(text, option, Length, "m");

    private static double Parse(string text, string option, (string Suffix, double Factor)[] units, string si)
    {
        var t = text.Trim().ToLowerInvariant().Replace(" ", string.Empty, StringComparison.Ordinal);
        foreach (var (suffix, factor) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal) &&
                double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                return v * factor;
            }
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain)
            ? plain
            : throw new FormatException($"{option} = '{text}': not a quantity (use e.g. 375MPa, 1atm, 0.5um; plain numbers are {si})");
    }
}
