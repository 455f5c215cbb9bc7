// The safe expression evaluator: Python precedence, whitelisted names, errors with positions.
using DigitalTwin.Physics.Electrochem.Expressions;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class ExpressionParserTests
{
    [Theory]
    // Expected values: Python 3 evaluates the same strings to these numbers (operator precedence reference).
    [InlineData("-2**2", -4.0)]
    [InlineData("2**3**2", 512.0)]
    [InlineData("(1 + 2) * 3 - 4 / 2", 7.0)]
    [InlineData("1e-3 * 2E+2", 0.2)]
    [InlineData("-x + 3", 1.0)]
    [InlineData("x ** 0.5 * x ** 2", 5.656854249492381)]
    public void MatchesPythonArithmetic(string text, double expected)
    {
        var f = ExpressionParser.Compile(text, ["x"]);
        Assert.Equal(expected, f(2, 0, 0, 0), 12); // exact to 1e-12: same IEEE operations
    }

    [Fact]
    public void EvaluatesBpxStyleOcp()
    {
        // Chen2020 NMC OCP at sto = 0.27: 4.2730 V (parameter_sets.md section 0.2, U_p(0)); tolerance 1e-4 V (table rounding).
        var f = ExpressionParser.Compile("-0.8090*x + 4.4875 - 0.0428*tanh(18.5138*(x - 0.5542)) - 17.7326*tanh(15.7890*(x - 0.3117)) + 17.5842*tanh(15.9308*(x - 0.3120))", ["x"]);
        Assert.Equal(4.2730, f(0.27, 0, 0, 0), 4);
    }

    [Theory]
    [InlineData("exp(x) + os.system(1)", "unknown name 'os'")]
    [InlineData("import(x)", "unknown function 'import'")]
    [InlineData("2 * (x + 1", "missing ')'")]
    [InlineData("x + ", "expression ends too early")]
    [InlineData("x $ 2", "unexpected '$'")]
    public void RejectsUnsafeOrBrokenText(string text, string message)
    {
        var ex = Assert.Throws<ExpressionException>(() => ExpressionParser.Compile(text, ["x"]));
        Assert.Contains(message, ex.Message);
        Assert.InRange(ex.Position, 0, text.Length);
    }
}
