// The unit notation of protos/README.md: the first [...] group of a numeric field's comment names its unit.
using System.Text.RegularExpressions;

namespace DigitalTwin.Contracts.Tests;

internal static partial class UnitNotation
{
    /// <summary>Words that stand for a unit where no physical unit applies; "see unit" defers to the message's `unit` field.</summary>
    public static readonly IReadOnlySet<string> Keywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "dimensionless", "count", "index", "sequence", "bytes", "id", "version", SeeUnit,
    };

    /// <summary>Unit symbols: SI base and derived units, plus h, degC and ns where the domain reports them.</summary>
    public static readonly IReadOnlySet<string> Symbols = new HashSet<string>(StringComparer.Ordinal)
    {
        "m", "s", "kg", "mol", "A", "V", "W", "J", "N", "Pa", "K", "C", "Hz", "Ohm", "S", "F", "h", "degC", "rad", "ns",
    };

    public const string SeeUnit = "see unit";

    /// <summary>The text of the first square-bracket group in a comment, or null when there is none.</summary>
    public static string? FirstBracketGroup(string? comment)
    {
        if (comment is null)
        {
            return null;
        }

        var match = BracketGroup().Match(comment);
        return match.Success ? match.Groups[1].Value.Trim() : null;
    }

    /// <summary>True for a keyword or a product of symbols with optional integer exponents, e.g. "mol.m-3".</summary>
    public static bool IsValid(string unit)
    {
        if (Keywords.Contains(unit))
        {
            return true;
        }

        foreach (var factor in unit.Split('.'))
        {
            var match = Factor().Match(factor);
            if (!match.Success || !Symbols.Contains(match.Groups["symbol"].Value))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"\[([^\[\]]*)\]")]
    private static partial Regex BracketGroup();

    [GeneratedRegex(@"^(?<symbol>[A-Za-z]+)(?<exponent>-?[1-9][0-9]*)?$")]
    private static partial Regex Factor();
}
