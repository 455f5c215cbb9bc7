// A small, safe evaluator for the expression strings in parameter sets and BPX files
// (numbers, + - * / **, unary minus, parentheses, whitelisted functions, named variables and constants).
// It compiles to a delegate; nothing in the text can reach reflection, I/O or arbitrary code.
using System.Globalization;
using System.Linq.Expressions;

namespace DigitalTwin.Physics.Electrochem.Expressions;

/// <summary>An expression that could not be read; Position is the 0-based character index of the problem.</summary>
public sealed class ExpressionException(string message, string text, int position)
    : Exception($"{message} at character {position + 1} of \"{text}\"")
{
    public string Text { get; } = text;

    public int Position { get; } = position;
}

public static class ExpressionParser
{
    /// <summary>The functions an expression may call (BPX needs exp, tanh, cosh; the rest are common in fits).</summary>
    public static readonly IReadOnlyDictionary<string, Func<double, double>> Functions = new Dictionary<string, Func<double, double>>(StringComparer.Ordinal)
    {
        ["exp"] = Math.Exp,
        ["log"] = Math.Log,
        ["log10"] = Math.Log10,
        ["sqrt"] = Math.Sqrt,
        ["tanh"] = Math.Tanh,
        ["cosh"] = Math.Cosh,
        ["sinh"] = Math.Sinh,
        ["abs"] = Math.Abs,
        ["arcsinh"] = Math.Asinh,
        ["arctan"] = Math.Atan,
    };

    /// <summary>Named constants every expression may use (CODATA 2018).</summary>
    public static readonly IReadOnlyDictionary<string, double> DefaultConstants = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["R"] = Constants.R,
        ["F"] = Constants.F,
        ["k_b"] = Constants.KB,
        ["q_e"] = Constants.Qe,
        ["pi"] = Math.PI,
    };

    /// <summary>
    /// Compiles <paramref name="text"/> into a function of up to four variables, in the order given by
    /// <paramref name="variables"/>. Unused trailing arguments are ignored.
    /// </summary>
    public static Func<double, double, double, double, double> Compile(
        string text, IReadOnlyList<string> variables, IReadOnlyDictionary<string, double>? constants = null)
    {
        if (variables.Count > 4)
        {
            throw new ArgumentException("At most four variables are supported.", nameof(variables));
        }

        var parameters = new[]
        {
            Expression.Parameter(typeof(double), "a0"), Expression.Parameter(typeof(double), "a1"),
            Expression.Parameter(typeof(double), "a2"), Expression.Parameter(typeof(double), "a3"),
        };
        var parser = new Parser(text, variables, parameters, constants ?? DefaultConstants);
        var body = parser.ParseAll();
        return Expression.Lambda<Func<double, double, double, double, double>>(body, parameters).Compile();
    }

    /// <summary>Checks the syntax and names of <paramref name="text"/> without compiling it.</summary>
    public static void Validate(string text, IReadOnlyList<string> variables, IReadOnlyDictionary<string, double>? constants = null)
    {
        var parameters = variables.Select(v => Expression.Parameter(typeof(double), v)).ToArray();
        _ = new Parser(text, variables, parameters, constants ?? DefaultConstants).ParseAll();
    }

    private sealed class Parser(string text, IReadOnlyList<string> variables, ParameterExpression[] parameters, IReadOnlyDictionary<string, double> constants)
    {
        private static readonly System.Reflection.MethodInfo PowMethod = typeof(Math).GetMethod(nameof(Math.Pow), [typeof(double), typeof(double)])!;
        private int _pos;

        public Expression ParseAll()
        {
            var e = ParseSum();
            SkipSpace();
            if (_pos < text.Length)
            {
                throw Error($"unexpected '{text[_pos]}'");
            }

            return e;
        }

        private ExpressionException Error(string message) => new(message, text, Math.Min(_pos, Math.Max(0, text.Length - 1)));

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private bool Accept(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, token, 0, token.Length) == 0)
            {
                _pos += token.Length;
                return true;
            }

            return false;
        }

        private Expression ParseSum()
        {
            var left = ParseProduct();
            while (true)
            {
                SkipSpace();
                if (Accept("+"))
                {
                    left = Expression.Add(left, ParseProduct());
                }
                else if (Accept("-"))
                {
                    left = Expression.Subtract(left, ParseProduct());
                }
                else
                {
                    return left;
                }
            }
        }

        private Expression ParseProduct()
        {
            var left = ParseUnary();
            while (true)
            {
                SkipSpace();
                if (_pos + 1 < text.Length && text[_pos] == '*' && text[_pos + 1] == '*')
                {
                    return left;
                }

                if (Accept("*"))
                {
                    left = Expression.Multiply(left, ParseUnary());
                }
                else if (Accept("/"))
                {
                    left = Expression.Divide(left, ParseUnary());
                }
                else
                {
                    return left;
                }
            }
        }

        // Python precedence: unary minus binds looser than **, so -x**2 = -(x**2).
        private Expression ParseUnary()
        {
            if (Accept("-"))
            {
                return Expression.Negate(ParseUnary());
            }

            if (Accept("+"))
            {
                return ParseUnary();
            }

            return ParsePower();
        }

        private Expression ParsePower()
        {
            var baseExpr = ParseAtom();
            if (Accept("**") || Accept("^"))
            {
                var exponent = ParseUnary(); // right-associative
                if (exponent is ConstantExpression { Value: double p })
                {
                    if (p == 2.0)
                    {
                        var tmp = Expression.Variable(typeof(double));
                        return Expression.Block([tmp], Expression.Assign(tmp, baseExpr), Expression.Multiply(tmp, tmp));
                    }

                    if (p == 0.5)
                    {
                        return Expression.Call(typeof(Math).GetMethod(nameof(Math.Sqrt))!, baseExpr);
                    }
                }

                return Expression.Call(PowMethod, baseExpr, exponent);
            }

            return baseExpr;
        }

        private Expression ParseAtom()
        {
            SkipSpace();
            if (_pos >= text.Length)
            {
                throw Error("expression ends too early");
            }

            var ch = text[_pos];
            if (ch == '(')
            {
                _pos++;
                var inner = ParseSum();
                if (!Accept(")"))
                {
                    throw Error("missing ')'");
                }

                return inner;
            }

            if (char.IsDigit(ch) || ch == '.')
            {
                return ParseNumber();
            }

            if (char.IsLetter(ch) || ch == '_')
            {
                var start = _pos;
                while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_'))
                {
                    _pos++;
                }

                var name = text[start.._pos];
                SkipSpace();
                if (_pos < text.Length && text[_pos] == '(')
                {
                    if (!Functions.TryGetValue(name, out var fn))
                    {
                        _pos = start;
                        throw Error($"unknown function '{name}' (allowed: {string.Join(", ", Functions.Keys)})");
                    }

                    _pos++;
                    var arg = ParseSum();
                    if (!Accept(")"))
                    {
                        throw Error($"missing ')' after the argument of {name}");
                    }

                    return fn.Target is null ? Expression.Call(fn.Method, arg) : Expression.Invoke(Expression.Constant(fn), arg);
                }

                for (var i = 0; i < variables.Count; i++)
                {
                    if (variables[i] == name)
                    {
                        return parameters[i];
                    }
                }

                if (constants.TryGetValue(name, out var value))
                {
                    return Expression.Constant(value);
                }

                _pos = start;
                throw Error($"unknown name '{name}' (variables: {string.Join(", ", variables)}; constants: {string.Join(", ", constants.Keys)})");
            }

            throw Error($"unexpected '{ch}'");
        }

        private ConstantExpression ParseNumber()
        {
            var start = _pos;
            while (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] == '.'))
            {
                _pos++;
            }

            if (_pos < text.Length && (text[_pos] == 'e' || text[_pos] == 'E'))
            {
                var save = _pos;
                _pos++;
                if (_pos < text.Length && (text[_pos] == '+' || text[_pos] == '-'))
                {
                    _pos++;
                }

                if (_pos < text.Length && char.IsDigit(text[_pos]))
                {
                    while (_pos < text.Length && char.IsDigit(text[_pos]))
                    {
                        _pos++;
                    }
                }
                else
                {
                    _pos = save;
                }
            }

            var token = text[start.._pos];
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                _pos = start;
                throw Error($"'{token}' is not a number");
            }

            return Expression.Constant(v);
        }
    }
}
