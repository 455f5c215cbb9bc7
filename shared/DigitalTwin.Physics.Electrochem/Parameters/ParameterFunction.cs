// One parameter that may be a constant, an expression of named variables, or a table of x (first variable).
// Models call Evaluate with the arguments in the declared order; nothing allocates per call.
using DigitalTwin.Physics.Electrochem.Expressions;
using DigitalTwin.Physics.Electrochem.Numerics;

namespace DigitalTwin.Physics.Electrochem.Parameters;

public enum ParameterFunctionKind
{
    Constant,
    Expression,
    Table,
}

public sealed class ParameterFunction
{
    private readonly Func<double, double, double, double, double>? _compiled;
    private readonly double _constant;
    private readonly Interpolant? _table;
    private readonly Func<double, double, double, double, double>? _composed;

    private ParameterFunction(ParameterFunctionKind kind, IReadOnlyList<string> args, string text, double constant,
        Func<double, double, double, double, double>? compiled, Interpolant? table,
        Func<double, double, double, double, double>? composed = null)
    {
        Kind = kind;
        Arguments = args;
        Text = text;
        _constant = constant;
        _compiled = compiled;
        _table = table;
        _composed = composed;
    }

    public ParameterFunctionKind Kind { get; }

    /// <summary>Variable names in call order, e.g. ["sto", "T"] or ["c_e", "c_s_surf", "c_s_max", "T"].</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The expression text, "table" or the constant, for provenance and error messages.</summary>
    public string Text { get; }

    public Interpolant? Table => _table;

    public static ParameterFunction Constant(double value, IReadOnlyList<string>? args = null) =>
        new(ParameterFunctionKind.Constant, args ?? [], value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), value, null, null);

    public static ParameterFunction FromExpression(string text, IReadOnlyList<string> args, IReadOnlyDictionary<string, double>? constants = null) =>
        new(ParameterFunctionKind.Expression, args, text, 0, ExpressionParser.Compile(text, args, constants), null);

    public static ParameterFunction FromTable(Interpolant table, IReadOnlyList<string> args) =>
        new(ParameterFunctionKind.Table, args, "table", 0, null, table);

    /// <summary>A function built in code from other functions (BPX kinetics, Arrhenius factors).</summary>
    public static ParameterFunction FromDelegate(string description, IReadOnlyList<string> args, Func<double, double, double, double, double> f) =>
        new(ParameterFunctionKind.Expression, args, description, 0, null, null, f);

    public double Evaluate(double a0, double a1 = 0, double a2 = 0, double a3 = 0) => Kind switch
    {
        ParameterFunctionKind.Constant => _constant,
        ParameterFunctionKind.Table => _table!.Evaluate(a0),
        _ => _compiled is not null ? _compiled(a0, a1, a2, a3) : _composed!(a0, a1, a2, a3),
    };

    /// <summary>
    /// For error messages after a failure (allocates): the call with its named arguments, e.g.
    /// "1e-13 * (1 - 0.1 * log(0.8 - sto))" at (sto = 0.80000117, T = 298.15).
    /// </summary>
    public string DescribeCall(double a0, double a1 = 0, double a2 = 0, double a3 = 0)
    {
        ReadOnlySpan<double> values = [a0, a1, a2, a3];
        var parts = new List<string>();
        for (var i = 0; i < Math.Min(Arguments.Count, values.Length); i++)
        {
            parts.Add($"{Arguments[i]} = {values[i].ToString("G8", System.Globalization.CultureInfo.InvariantCulture)}");
        }

        return $"\"{Text}\" at ({string.Join(", ", parts)})";
    }

    /// <summary>Same function, arguments renamed (e.g. BPX "x" to "sto").</summary>
    public ParameterFunction WithArguments(IReadOnlyList<string> args) =>
        new(Kind, args, Text, _constant, _compiled, _table, _composed);

    public override string ToString() => Text;
}
