// Bad input is refused with the reason and the offending particle or parameter, all problems at once.
using DigitalTwin.Physics.Dem.Contact;
using DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Physics.Dem.Tests;

public class BadInputTests
{
    private static readonly DemBox Box = new([0, 0, 0], [1e-4, 1e-4, 1e-4], [false, false, false]);

    private static ParticleInput Two(double x1, double r = 2e-6) => new()
    {
        X = [2e-5, x1], Y = [5e-5, 5e-5], Z = [5e-5, 5e-5], Radius = [r, r], Density = [4750, 4750], Type = [0, 0], Id = [7, 8],
    };

    [Fact]
    public void TimeStepAboveTheRayleighLimitIsRefusedNamingTheParticle()
    {
        var e = Assert.Throws<DemInputException>(() =>
            new DemSystem(TestSystems.OneMaterial(), Box, Two(4e-5), [], new DemSettings { TimeStep = 2e-9, Skin = 1e-7, Threads = 1 }));
        Assert.Contains(e.Problems, p => p.Contains("Rayleigh time") && p.Contains("particle 7"));
    }

    [Fact]
    public void OverlappingAndOutOfBoxParticlesAreRefusedTogether()
    {
        var p = Two(2.1e-5);
        var e = Assert.Throws<DemInputException>(() =>
            new DemSystem(TestSystems.OneMaterial(), Box, p, [], new DemSettings { TimeStep = 1e-11, Skin = 1e-7, Threads = 1 }));
        Assert.Contains(e.Problems, q => q.Contains("particles 7 and 8 overlap"));
        var outside = Two(2e-4);
        var e2 = Assert.Throws<DemInputException>(() =>
            new DemSystem(TestSystems.OneMaterial(), Box, outside, [], new DemSettings { TimeStep = 1e-11, Skin = 1e-7, Threads = 1 }));
        Assert.Contains(e2.Problems, q => q.Contains("particle 8") && q.Contains("outside the box"));
    }

    [Fact]
    public void UnknownContactLawNamesTheKnownOnes()
    {
        var e = Assert.Throws<DemInputException>(() => new DemSystem(TestSystems.OneMaterial(), Box, Two(4e-5), [],
            new DemSettings { TimeStep = 1e-11, Skin = 1e-7, Threads = 1, Contact = new ContactModelOptions { Cohesion = "jkr", Rolling = "epsd" } }));
        Assert.Contains(e.Problems, q => q.Contains("contact.Cohesion = 'jkr'") && q.Contains("sjkr"));
        Assert.Contains(e.Problems, q => q.Contains("contact.Rolling = 'epsd'") && q.Contains("cdt"));
    }

    [Fact]
    public void MaterialValuesOutOfRangeAreAllReported()
    {
        var e = Assert.Throws<DemInputException>(() => new MaterialTable(
            [new DemMaterial("AM", -1, 0.6)], (_, _) => new DemPairProperties(1.5, -0.1)));
        Assert.Contains(e.Problems, q => q.Contains("YoungsModulus"));
        Assert.Contains(e.Problems, q => q.Contains("PoissonRatio"));
        Assert.Contains(e.Problems, q => q.Contains("Restitution"));
        Assert.Contains(e.Problems, q => q.Contains("Friction"));
    }

    [Fact]
    public void CsvErrorsNameLineAndField()
    {
        const string csv = "id,type,diameter_m,density_kgm3,x_m,y_m,z_m\n1,1,3e-6,4750,1e-5,1e-5,1e-5\n2,1,abc,4750,1e-5,1e-5,1e-5\n3,0,3e-6,4750,1e-5,1e-5,1e-5\n";
        var e = Assert.Throws<DemInputException>(() => PackingCsv.Parse(new StringReader(csv), "bad.csv"));
        Assert.Contains(e.Problems, q => q == "bad.csv:3: field 'diameter_m' is not a number");
        Assert.Contains(e.Problems, q => q.StartsWith("bad.csv:4: field 'type'", StringComparison.Ordinal));
    }
}
