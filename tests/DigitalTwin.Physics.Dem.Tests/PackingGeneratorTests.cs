// The generator follows the peer deck's gen_packing.py: counts from the loading and mass ratio
// (init_N5k.meta: N_AM = 3820, N_SE = 1466 at L = 150 um), stratified diameters, no overlaps, phi0 = 0.40.
using DigitalTwin.Physics.Dem.Studies;
using DigitalTwin.Testing;

namespace DigitalTwin.Physics.Dem.Tests;

public class PackingGeneratorTests
{
    [Fact]
    public void CountsMatchTheDeckAndThePackingIsLooseAndValid()
    {
        var meta = File.ReadAllLines(SharedData.BenchFile("liggghts", "init_N5k.meta"))
            .Select(l => l.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
        var g = PackingGenerator.Generate(CompositeParameters.Default, 5286, 1);
        Assert.Equal(int.Parse(meta["N_AM"]), g.AmCount);
        Assert.Equal(int.Parse(meta["N_SE"]), g.SeCount);
        Assert.Equal(150e-6, g.FootprintM, 12);
        var vs = g.Packing.Radius.Sum(r => 4.0 / 3.0 * Math.PI * r * r * r);
        // exact by construction: H0 = V_solid / (L^2 phi0)
        Assert.Equal(0.40, vs / (g.FootprintM * g.FootprintM * g.HeightM), 12);
        Assert.Equal(double.Parse(meta["V_solid_m3"], System.Globalization.CultureInfo.InvariantCulture), vs, 1e-20);
        var box = new DemBox([0, 0, 0], [g.FootprintM, g.FootprintM, g.HeightM], [true, true, false]);
        using var s = new DemSystem(CompositeParameters.Default.CreateMaterials(), box, CompactionStudy.ToInput(g.Packing), [],
            new DemSettings { TimeStep = 2e-10, Skin = 0.5e-6, Threads = 1, InitialOverlapTolerance = 0 });
        Assert.Equal(5286, s.ParticleCount);
    }

    [Fact]
    public void SameSeedSamePackingOtherSeedOtherPacking()
    {
        var a = PackingGenerator.Generate(CompositeParameters.Default, 300, 42);
        var b = PackingGenerator.Generate(CompositeParameters.Default, 300, 42);
        var c = PackingGenerator.Generate(CompositeParameters.Default, 300, 43);
        Assert.Equal(a.Packing.X, b.Packing.X);
        Assert.NotEqual(a.Packing.X, c.Packing.X);
    }
}
