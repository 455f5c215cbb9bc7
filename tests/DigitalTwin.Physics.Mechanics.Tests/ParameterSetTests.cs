// Embedded mechanics parameter sets load, carry references, and bad inputs are reported all at once.
using DigitalTwin.Physics.Mechanics.Elasticity;
using DigitalTwin.Physics.Mechanics.ParameterSets;

namespace DigitalTwin.Physics.Mechanics.Tests;

public sealed class ParameterSetTests
{
    [Fact]
    public void EveryEmbeddedSetLoadsWithReferences()
    {
        Assert.Contains("Ai2020", MechanicsParameterSet.Available);
        Assert.Contains("OKane2022", MechanicsParameterSet.Available);
        foreach (var name in MechanicsParameterSet.Available)
        {
            var set = MechanicsParameterSet.Load(name);
            Assert.NotEmpty(set.References);
            Assert.NotEmpty(set.Electrodes);
            foreach (var e in set.Electrodes)
            {
                var cls = set.CreateClass(e.Electrode);
                Assert.Equal(30, cls.Grid.Count);
            }
        }
    }

    [Fact]
    public void Ai2020ValuesMatchTheReferenceTable()
    {
        // parameter_sets.md §1: LCO E = 375 GPa, ν = 0.2, Ω = −7.28e-7; graphite volume change at sto = 1.
        var set = MechanicsParameterSet.Load("Ai2020");
        var p = set.Electrode("positive");
        Assert.Equal(3.75e11, p.YoungsModulus);
        Assert.Equal(0.2, p.PoissonsRatio);
        Assert.Equal(-7.28e-7 * 1000 / 3, p.Strain.Strain(1000), 1e-15);
        var n = set.Electrode("negative");
        var v = Assert.IsType<ChemicalStrain.VolumeChangeCurveStrain>(n.VolumeChangeStrain);
        // V(1) = sum of the PyBaMM polynomial's coefficients = 0.10895034 (parameter_sets.md §1).
        Assert.Equal(0.10895034, v.Volume(1), 1e-7);
        Assert.Throws<MechanicsInputException>(() => set.Electrode("separator"));
    }

    [Fact]
    public void NonPhysicalParametersAreAllNamedAtOnce()
    {
        const string json = """
        { "name": "Bad", "references": [ { "id": "x", "citation": "test", "doi": "", "used": "none" } ],
          "electrodes": [ { "electrode": "positive", "material": "x", "particleRadius_m": -1e-6,
            "maximumConcentration_mol_m3": 1000, "initialConcentration_mol_m3": 2000, "youngsModulus_Pa": -5,
            "poissonsRatio": 0.5, "diffusivity_m2_s": 1e-14, "partialMolarVolume_m3_mol": 1e-6,
            "referenceConcentration_mol_m3": 0 } ] }
        """;
        var ex = Assert.Throws<MechanicsInputException>(() => MechanicsParameterSet.Parse(json, "bad.json"));
        Assert.Equal("bad.json", ex.Context);
        Assert.Contains(ex.Problems, p => p.Contains("particleRadius_m"));
        Assert.Contains(ex.Problems, p => p.Contains("initialConcentration_mol_m3"));
        Assert.Contains(ex.Problems, p => p.Contains("Young's modulus"));
        Assert.Contains(ex.Problems, p => p.Contains("Poisson's ratio"));
        Assert.Equal(4, ex.Problems.Count);
        var elastic = Assert.Throws<MechanicsInputException>(() => IsotropicElasticity.Create(0, 0.6));
        Assert.Equal(2, elastic.Problems.Count);
    }
}
