// Parameter sets as data: every function against values recorded by an independent evaluator, the sanity numbers of
// the shared reference, placeholders marked, and bad sets rejected with every problem listed.
using System.Text.Json;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class ParameterSetTests
{
    public static TheoryData<string> SetNames => new(ParameterSets.Names);

    [Fact]
    public void AllIssueSetsAreBuiltIn()
    {
        foreach (var name in new[] { "Marquis2019", "Marquis2019Comsol", "Chen2020", "Ai2020", "Ecker2015", "KazemGhamsari2025" })
        {
            Assert.True(ParameterSets.Exists(name), name);
        }
    }

    [Theory]
    [MemberData(nameof(SetNames))]
    public void FunctionsMatchRecordedValues(string name)
    {
        // Data/parameter_function_values.json: Python's eval of the same expression strings at fixed points
        // (tools/ script in the test folder history); tolerance 1e-10 relative (double rounding only).
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "parameter_function_values.json")));
        var set = ParameterSets.Get(name);
        foreach (var row in doc.RootElement.GetProperty(set.Name).EnumerateArray())
        {
            var f = set.Find(row.GetProperty("name").GetString()!)!.Value;
            var at = row.GetProperty("at").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            var expected = row.GetProperty("value").GetDouble();
            var actual = f.Evaluate(at[0], at.Length > 1 ? at[1] : 0, at.Length > 2 ? at[2] : 0, at.Length > 3 ? at[3] : 0);
            Assert.True(Math.Abs(actual - expected) <= 1e-10 * Math.Abs(expected) + 1e-300, $"{name} {row.GetProperty("name")}: {actual} vs {expected}");
        }
    }

    [Theory]
    // parameter_sets.md section 0.2 ("sanity numbers"): OCV at the initial stoichiometries and 1C current density.
    // Tolerances: 1e-4 V (table printed to 4 decimals) and 1e-3 A/m2.
    [InlineData("Marquis2019", 3.8518, 24.000)]
    [InlineData("Chen2020", 4.1809, 48.685)]
    [InlineData("Ai2020", 4.1841, 27.976)]
    [InlineData("Ecker2015", 4.1531, 18.200)]
    public void SanityNumbersOfTheReference(string name, double ocv, double oneCDensity)
    {
        var model = ModelFactory.Create(ParameterSets.Get(name), ModelOptions.For(ModelKind.Spm));
        Assert.Equal(ocv, model.OpenCircuitVoltage(), 4);
        Assert.Equal(oneCDensity, model.Cell.OneC / model.Cell.Area, 3);
    }

    [Fact]
    public void SeedTwoSetMarksItsPlaceholders()
    {
        var set = ParameterSets.Get("KazemGhamsari2025");
        Assert.True(set.HalfCell);
        // seed_002.md 2.7 and 2.12: OCP, electrolyte functions and particle radius are not in the paper.
        foreach (var name in new[] { "Positive electrode OCP [V]", "Electrolyte conductivity [S.m-1]", "Electrolyte diffusivity [m2.s-1]", "Positive particle radius [m]" })
        {
            Assert.True(set.Find(name)!.Placeholder, name);
        }

        // seed_002.md eq. 13 and its derived table: i0(0.242) = 22.6 A/m2, i0(0.91) = 0.26 A/m2 (0.05 A/m2 rounding).
        var i0 = set.Find("Positive electrode exchange-current density [A.m-2]")!.Value;
        Assert.Equal(22.6, i0.Evaluate(0.242, 303.15), 1);
        Assert.Equal(0.26, i0.Evaluate(0.91, 303.15), 1);
        // eq. 3 derived values: D_s(0.8) = 1.1e-14, D_s(0.91) = 3.7e-15 m2/s (two significant figures).
        var ds = set.Find("Positive particle diffusivity [m2.s-1]")!.Value;
        Assert.Equal(1.1, ds.Evaluate(0.8, 303.15) * 1e14, 1);
        Assert.Equal(3.7, ds.Evaluate(0.91, 303.15) * 1e15, 1);
    }

    [Fact]
    public void EverySetHasSourcesAndReferences()
    {
        foreach (var name in ParameterSets.Names)
        {
            var set = ParameterSets.Get(name);
            Assert.NotEmpty(set.References);
            Assert.False(string.IsNullOrWhiteSpace(set.Source));
        }
    }

    [Fact]
    public void BadSetListsEveryProblemAtOnce()
    {
        var bad = ParameterSets.Get("Marquis2019").With("broken", new Dictionary<string, object>
        {
            ["Negative particle radius [m]"] = 10.0, // micrometres written as metres
            ["Positive electrode porosity"] = 1.7,
            ["Maximum concentration in positive electrode [mol.m-3]"] = 51.2, // mol/L written as mol/m3
            ["Separator porosity"] = -0.1,
        });
        var ex = Assert.Throws<ParameterSetException>(() => CellParameters.From(bad, new ModelOptions()));
        Assert.Contains(ex.Problems, p => p.Contains("Negative particle radius") && p.Contains("micrometres"));
        Assert.Contains(ex.Problems, p => p.Contains("Positive electrode porosity"));
        Assert.Contains(ex.Problems, p => p.Contains("Maximum concentration in positive electrode") && p.Contains("mol/L"));
        Assert.Contains(ex.Problems, p => p.Contains("Separator porosity"));
    }

    [Fact]
    public void MissingParametersAreNamed()
    {
        var json = """{"name": "tiny", "parameters": {"Negative electrode thickness [m]": 1e-4}}""";
        var set = ParameterSet.FromJson(json, "tiny.json");
        var ex = Assert.Throws<ParameterSetException>(() => CellParameters.From(set, new ModelOptions()));
        Assert.Contains(ex.Problems, p => p == "missing 'Separator thickness [m]'");
        Assert.Contains(ex.Problems, p => p == "missing 'Positive electrode OCP [V]'");
        Assert.True(ex.Problems.Count > 10);
    }

    [Fact]
    public void BrokenJsonAndExpressionsAreReportedWithTheirNames()
    {
        var ex = Assert.Throws<ParameterSetException>(() => ParameterSet.FromJson(
            """{"name": "x", "parameters": {"A": {"expression": "sto +* 2", "args": ["sto"]}, "B": "text", "C": {"table": {"x": [0], "y": [1, 2]}}}}""", "x.json"));
        Assert.Equal(3, ex.Problems.Count);
        Assert.Contains(ex.Problems, p => p.StartsWith("\"A\"", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("\"B\"", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("\"C\"", StringComparison.Ordinal));
    }

    [Fact]
    public void OptionsAreValidatedAgainstTheTable()
    {
        var problems = OptionTable.Validate(new ModelOptions { Model = ModelKind.Spm, Electrolyte = "Full", Kinetics = "Tafel", PointsParticle = 1 });
        Assert.Contains(problems, p => p.Contains("'kinetics' = 'Tafel'") && p.Contains("'symmetric Butler-Volmer'"));
        Assert.Contains(problems, p => p.Contains("does not fit model Spm"));
        Assert.Contains(problems, p => p.Contains("mesh"));
        var ex = Assert.Throws<ParameterSetException>(() => CellParameters.From(ParameterSets.Get("Marquis2019"), new ModelOptions { ExchangeCurrent = "stoichiometry" }));
        Assert.Contains(ex.Problems, p => p.Contains("exchange current = 'stoichiometry'"));
    }
}
