// Experiments written the way battery engineers write them ("Discharge at 1C until 3.0 V", "Rest for 30 minutes",
// "Hold at 4.2 V until C/50", "2 x (Charge at C/3 until 4.2 V; Discharge at 1C until 3 V)", "Run US06.csv").
// Parsing reports the word it could not read and what is accepted there.
using System.Globalization;
using System.Text.RegularExpressions;

namespace DigitalTwin.Physics.Electrochem.Experiments;

public enum StepKind
{
    Discharge,
    Charge,
    Hold,
    Rest,
    Drive,
}

public enum Quantity
{
    CRate,
    Amps,
    Watts,
    Volts,
}

/// <summary>A magnitude with its unit as written (C-rates are turned into amps with the cell's capacity).</summary>
public readonly record struct Amount(double Value, Quantity Unit)
{
    public override string ToString() => Unit switch
    {
        Quantity.CRate => $"{Value.ToString("G4", CultureInfo.InvariantCulture)}C",
        Quantity.Amps => $"{Value.ToString("G4", CultureInfo.InvariantCulture)} A",
        Quantity.Watts => $"{Value.ToString("G4", CultureInfo.InvariantCulture)} W",
        _ => $"{Value.ToString("G4", CultureInfo.InvariantCulture)} V",
    };
}

/// <summary>A drive cycle: time [s] and current [A] (discharge &gt; 0) or power [W] (discharge &gt; 0).</summary>
public sealed record DriveCycle(string Name, double[] Time, double[] Value, bool IsPower)
{
    /// <summary>Piecewise-linear value at time t after the start of the cycle (held at the ends).</summary>
    public double At(double t)
    {
        var times = Time;
        if (t <= times[0])
        {
            return Value[0];
        }

        if (t >= times[^1])
        {
            return Value[^1];
        }

        var i = Array.BinarySearch(times, t);
        if (i >= 0)
        {
            return Value[i];
        }

        i = ~i;
        var f = (t - times[i - 1]) / (times[i] - times[i - 1]);
        return Value[i - 1] + f * (Value[i] - Value[i - 1]);
    }

    public double Duration => Time[^1] - Time[0];
}

public sealed record ExperimentStep(string Text, StepKind Kind, Amount? Setpoint, double? Duration, Amount? UntilVoltage, Amount? UntilCurrent, DriveCycle? Cycle);

public sealed class ExperimentParseException(string message, string text, int position, IReadOnlyList<string> accepted)
    : Exception(message)
{
    public string Text { get; } = text;

    public int Position { get; } = position;

    public IReadOnlyList<string> Accepted { get; } = accepted;
}

public sealed class Experiment
{
    public static readonly IReadOnlyList<string> Forms =
    [
        "Discharge at <1C | C/3 | 2 A | 500 mA | 5 W> [for <30 minutes>] [until <3.0 V>]",
        "Charge at <C/3 | 2 A | 5 W> [for <1 hour>] [until <4.2 V>]",
        "Hold at <4.2 V> [for <2 hours>] [until <C/50 | 50 mA>]",
        "Rest for <30 minutes | 1 hour | 600 s>",
        "Run <file.csv> (a drive cycle of time [s], current [A] or power [kW]; discharge > 0 as PyBaMM's files)",
        "N x (<step>; <step>; ...)   or   (<step>; ...) x N   to repeat a cycle",
    ];

    private static readonly string[] Verbs = ["Discharge", "Charge", "Hold", "Rest", "Run"];

    public Experiment(IReadOnlyList<ExperimentStep> steps) => Steps = steps;

    public IReadOnlyList<ExperimentStep> Steps { get; }

    /// <summary>
    /// Parses one or more lines; each may hold several steps separated by ';' and repeat groups "N x (...)".
    /// resolveCycle turns a drive-cycle name into data (the library itself reads no files).
    /// </summary>
    public static Experiment Parse(IEnumerable<string> lines, Func<string, DriveCycle>? resolveCycle = null)
    {
        var steps = new List<ExperimentStep>();
        foreach (var line in lines)
        {
            foreach (var text in Expand(line))
            {
                steps.Add(ParseStep(text, resolveCycle));
            }
        }

        if (steps.Count == 0)
        {
            throw new ExperimentParseException("The experiment has no steps.", "", 0, Forms);
        }

        return new Experiment(steps);
    }

    public static Experiment Parse(string text, Func<string, DriveCycle>? resolveCycle = null) => Parse([text], resolveCycle);

    // Expands "N x (a; b)" and "(a; b) x N" and splits on ';' / newlines.
    private static IEnumerable<string> Expand(string line)
    {
        var s = line.Trim();
        var pre = Regex.Match(s, @"^(\d+)\s*[xX×]\s*\((.*)\)$", RegexOptions.Singleline);
        var post = Regex.Match(s, @"^\((.*)\)\s*[xX×]\s*(\d+)$", RegexOptions.Singleline);
        if (pre.Success || post.Success)
        {
            var count = int.Parse(pre.Success ? pre.Groups[1].Value : post.Groups[2].Value, CultureInfo.InvariantCulture);
            var body = pre.Success ? pre.Groups[2].Value : post.Groups[1].Value;
            if (count is < 1 or > 100000)
            {
                throw new ExperimentParseException($"Repeat count {count} must be between 1 and 100000.", s, 0, Forms);
            }

            var inner = SplitTop(body).SelectMany(Expand).ToList();
            for (var k = 0; k < count; k++)
            {
                foreach (var step in inner)
                {
                    yield return step;
                }
            }

            yield break;
        }

        var parts = SplitTop(s).ToList();
        if (parts.Count > 1)
        {
            foreach (var part in parts.SelectMany(Expand))
            {
                yield return part;
            }

            yield break;
        }

        if (s.Length > 0)
        {
            yield return s;
        }
    }

    private static IEnumerable<string> SplitTop(string s)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
            else if ((c == ';' || c == '\n' || c == ',') && depth == 0)
            {
                var part = s[start..i].Trim();
                if (part.Length > 0)
                {
                    yield return part;
                }

                start = i + 1;
            }
        }

        var last = s[start..].Trim();
        if (last.Length > 0)
        {
            yield return last;
        }
    }

    private static ExperimentStep ParseStep(string text, Func<string, DriveCycle>? resolveCycle)
    {
        var tokens = Tokenize(text);
        var t = new Cursor(text, tokens);
        var verb = t.Word(Verbs);
        switch (verb.ToLowerInvariant())
        {
            case "rest":
                t.Expect("for");
                var d = t.Duration();
                t.End();
                return new ExperimentStep(text, StepKind.Rest, null, d, null, null, null);
            case "run":
                var name = t.Rest();
                if (name.Length == 0)
                {
                    throw t.Error("a drive-cycle file name", ["<file.csv>"]);
                }

                if (resolveCycle is null)
                {
                    throw new ExperimentParseException($"Step \"{text}\": drive cycles need a file resolver here.", text, 0, Forms);
                }

                return new ExperimentStep(text, StepKind.Drive, null, null, null, null, resolveCycle(name));
            case "hold":
                {
                    t.Expect("at");
                    var v = t.Amount([Quantity.Volts]);
                    double? duration = null;
                    Amount? until = null;
                    while (!t.AtEnd)
                    {
                        var w = t.Word(["for", "until", "or"]);
                        if (w.Equals("or", StringComparison.OrdinalIgnoreCase))
                        {
                            continue;
                        }

                        if (w.Equals("for", StringComparison.OrdinalIgnoreCase))
                        {
                            duration = t.Duration();
                        }
                        else
                        {
                            until = t.Amount([Quantity.CRate, Quantity.Amps]);
                        }
                    }

                    if (duration is null && until is null)
                    {
                        throw new ExperimentParseException($"Step \"{text}\": a hold needs 'for <duration>' or 'until <current>'.", text, text.Length, Forms);
                    }

                    return new ExperimentStep(text, StepKind.Hold, v, duration, null, until, null);
                }

            default:
                {
                    var kind = verb.Equals("charge", StringComparison.OrdinalIgnoreCase) ? StepKind.Charge : StepKind.Discharge;
                    t.Expect("at");
                    var a = t.Amount([Quantity.CRate, Quantity.Amps, Quantity.Watts]);
                    double? duration = null;
                    Amount? until = null;
                    while (!t.AtEnd)
                    {
                        var w = t.Word(["for", "until", "or"]);
                        if (w.Equals("or", StringComparison.OrdinalIgnoreCase))
                        {
                            continue;
                        }

                        if (w.Equals("for", StringComparison.OrdinalIgnoreCase))
                        {
                            duration = t.Duration();
                        }
                        else
                        {
                            until = t.Amount([Quantity.Volts]);
                        }
                    }

                    return new ExperimentStep(text, kind, a, duration, until, null, null);
                }
        }
    }

    private static List<(string Word, int Pos)> Tokenize(string text)
    {
        var list = new List<(string, int)>();
        foreach (Match m in Regex.Matches(text, @"C/\d+(\.\d+)?|\d+(\.\d+)?([eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_./\-]*|\S"))
        {
            list.Add((m.Value, m.Index));
        }

        return list;
    }

    private sealed class Cursor(string text, List<(string Word, int Pos)> tokens)
    {
        private int _i;

        public bool AtEnd => _i >= tokens.Count;

        public ExperimentParseException Error(string expected, IReadOnlyList<string> accepted)
        {
            var (word, pos) = _i < tokens.Count ? tokens[_i] : ("end of step", text.Length);
            var caret = new string(' ', pos) + "^";
            return new ExperimentParseException(
                $"Could not read \"{word}\" in step \"{text}\" (character {pos + 1}): expected {expected}.{Environment.NewLine}  {text}{Environment.NewLine}  {caret}{Environment.NewLine}Accepted here: {string.Join(" | ", accepted)}{Environment.NewLine}Accepted steps:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", Forms)}",
                text, pos, accepted);
        }

        public string Word(IReadOnlyList<string> accepted)
        {
            if (!AtEnd)
            {
                var w = tokens[_i].Word;
                var match = accepted.FirstOrDefault(a => a.Equals(w, StringComparison.OrdinalIgnoreCase));
                if (match is not null)
                {
                    _i++;
                    return match;
                }
            }

            throw Error($"one of {string.Join(", ", accepted.Select(a => $"'{a}'"))}", accepted);
        }

        public void Expect(string word) => Word([word]);

        public void End()
        {
            if (!AtEnd)
            {
                throw Error("the end of the step", ["nothing more"]);
            }
        }

        public string Rest()
        {
            if (AtEnd)
            {
                return "";
            }

            var start = tokens[_i].Pos;
            _i = tokens.Count;
            return text[start..].Trim();
        }

        private double Number(IReadOnlyList<string> accepted)
        {
            if (!AtEnd && double.TryParse(tokens[_i].Word, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                _i++;
                return v;
            }

            throw Error("a number", accepted);
        }

        public double Duration()
        {
            string[] accepted = ["<n> s", "<n> seconds", "<n> minutes", "<n> min", "<n> hours", "<n> h"];
            var n = Number(accepted);
            var unit = Word(["seconds", "second", "s", "minutes", "minute", "min", "mins", "hours", "hour", "h", "hrs"]).ToLowerInvariant();
            var seconds = unit switch
            {
                "minutes" or "minute" or "min" or "mins" => n * 60,
                "hours" or "hour" or "h" or "hrs" => n * 3600,
                _ => n,
            };
            if (!(seconds > 0))
            {
                throw new ExperimentParseException($"Step \"{text}\": the duration must be positive.", text, 0, accepted);
            }

            return seconds;
        }

        public Amount Amount(IReadOnlyList<Quantity> allowed)
        {
            var accepted = allowed.Select(q => q switch
            {
                Quantity.CRate => "<n>C | C/<n>",
                Quantity.Amps => "<n> A | <n> mA",
                Quantity.Watts => "<n> W | <n> mW | <n> kW",
                _ => "<n> V | <n> mV",
            }).ToArray();
            if (!AtEnd && tokens[_i].Word.StartsWith("C/", StringComparison.OrdinalIgnoreCase) && allowed.Contains(Quantity.CRate))
            {
                var div = double.Parse(tokens[_i].Word[2..], CultureInfo.InvariantCulture);
                _i++;
                return new Amount(1 / div, Quantity.CRate);
            }

            var start = _i;
            var n = Number(accepted);
            if (AtEnd)
            {
                throw Error("a unit", accepted);
            }

            var u = tokens[_i].Word;
            (double Scale, Quantity Q)? unit = u switch
            {
                "C" or "c" => (1, Quantity.CRate),
                "A" => (1, Quantity.Amps),
                "mA" => (1e-3, Quantity.Amps),
                "W" => (1, Quantity.Watts),
                "mW" => (1e-3, Quantity.Watts),
                "kW" => (1e3, Quantity.Watts),
                "V" => (1, Quantity.Volts),
                "mV" => (1e-3, Quantity.Volts),
                _ => null,
            };
            if (unit is null || !allowed.Contains(unit.Value.Q))
            {
                throw Error($"a unit ({string.Join(" | ", accepted)})", accepted);
            }

            _i++;
            if (!(n >= 0))
            {
                _i = start;
                throw Error("a non-negative number", accepted);
            }

            return new Amount(n * unit.Value.Scale, unit.Value.Q);
        }
    }
}
