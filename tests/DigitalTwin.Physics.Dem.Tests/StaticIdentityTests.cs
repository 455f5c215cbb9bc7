// At rest under wall pressure P the volume-weighted mean particle stress equals P / phi
// (seed 004 §2.6: sum_i V_i sigma_i = V_box sigma_macro), with the Love-Weber stress including wall contacts.
using DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Physics.Dem.Tests;

public class StaticIdentityTests
{
    [Fact]
    public void MeanParticleStressEqualsPressureOverSolidFractionAtRest()
    {
        const double pressure = 50e6;
        var g = PackingGenerator.Generate(CompositeParameters.Default, 400, 11);
        var o = new CompactionOptions { UniaxialPressurePa = pressure, Release = false, IsostaticPressuresPa = [], Threads = 2, Chunk = 2500, MaxChunksU = 120 };
        var result = CompactionStudy.Run(g.Packing, g.FootprintM, g.HeightM, o);
        var u = Assert.Single(result.Stages);
        Assert.True(u.Converged, u.Diagnosis);
        var r = u.Report;
        var meanZz = r.AllMeanStressPa[2];
        var pTop = r.WallPressurePa["top"];
        Assert.True(Math.Abs(pTop / pressure - 1) < 0.005, $"plate pressure {pTop}");
        // <sigma_zz>_V = P / phi within 2 % (the tolerance)
        Assert.True(Math.Abs(meanZz * r.SolidFraction / pTop - 1) < 0.02, $"<sigma_zz> {meanZz:G5} Pa vs P/phi {pTop / r.SolidFraction:G5} Pa");
        Assert.True(Math.Abs(r.IdentityRatio - 1) < 0.02, $"identity ratio {r.IdentityRatio}");
        // the pair split misses the plate contacts and falls short (results.md: ratio 0.92 at N = 5286)
        var splitZz = r.Types.Sum(t => t.MeanStressSplitPa[2] * t.VolumeM3) / r.Types.Sum(t => t.VolumeM3);
        Assert.True(splitZz < meanZz, "split stress should miss the plate contacts");
    }
}
