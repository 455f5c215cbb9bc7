// The bonded secondary-particle crush study (seed 000 §2.2 geometry, parallel bonds instead of SJKR): the embedded
// bond strength gives the pristine strength of seed 000 (one full-size aggregate against its recorded value), small aggregates
// over three seeds lose strength after swelling cycles in liquid and in solid electrolyte: broken bonds never re-form.
using DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Physics.Dem.Tests;

public class CrushBondTests
{
    // small aggregates for speed: 2.5 um instead of 4 um secondary radius (~50 grains instead of ~290)
    private static readonly CrushParameters Small = CrushParameters.Default with { SecondaryRadius = 2.5e-6 };

    [Fact]
    public void EmbeddedBondStrengthGivesThePristineStrengthOfSeed000()
    {
        // one full-size aggregate (seed 1); the 12-seed calibration is the `make bench` suite dem-crush. Two tolerances
        // (STYLE §10): against the recorded calibration run (Crush2026_NMC_secondary.json, docs/dem.md: seed 1 gives
        // 328.5 MPa at sigma_c = 2.705 GPa; deterministic, 0.5 %), and against seed 000 §1's pristine ~220 MPa within
        // two standard deviations of one aggregate (sd over seeds 1-12 = 86.6 MPa: +-173 MPa)
        var r = CrushStudy.Run(new CrushOptions { Seed = 1, Threads = 2 });
        var detail = $"seed 1: {r.StrengthPa / 1e6:F1} MPa with sigma_c = {r.BondTensileStrengthPa / 1e6:F0} MPa";
        Assert.Equal(2.705e9, r.BondTensileStrengthPa, 1e-6 * 2.705e9);
        Assert.True(Math.Abs(r.StrengthPa / 328.5e6 - 1) < 0.005, detail);
        Assert.True(Math.Abs(r.StrengthPa - 220e6) < 2 * 86.6e6, detail);
        Assert.True(r.Fractured && r.BondsFormed > 2 * r.Grains, $"{r.BondsFormed} bonds on {r.Grains} grains");
    }

    [Theory]
    [InlineData(CrushEnvironment.Liquid)]
    [InlineData(CrushEnvironment.Solid)]
    public void StrengthFallsAfterSwellingCyclesAndBrokenBondsStayBroken(CrushEnvironment environment)
    {
        // seed 000 §1 and §6 item 2: after the first cycle the strength falls (experiment 220 -> ~100 MPa in liquid,
        // ~102 MPa in solid; their DEM 220 -> 120 liquid). Here: the mean over seeds 1-3 after two cycles must be at
        // least 5 % below the pristine mean (the direction; at sigma_c = 2.705 GPa the small aggregates in liquid measured
        // 140.2 +- 37.8 -> 130.2 +- 21.2 MPa, -7 %: stronger bonds break less under the swelling mismatch)
        var series = CrushSeries.Run(new CrushOptions { Environment = environment, Threads = 1, Parameters = Small }, [0, 1, 2], seeds: 3);
        var pristine = series.Points[0];
        var cycled = series.Points[2];
        Assert.True(cycled.StrengthPa < 0.95 * pristine.StrengthPa,
            $"{environment}: pristine {pristine.StrengthPa / 1e6:F1} +- {pristine.SdPa / 1e6:F1} MPa, after 2 cycles {cycled.StrengthPa / 1e6:F1} +- {cycled.SdPa / 1e6:F1} MPa");
        // irreversibility: per seed, the intact bonds never increase from one cycle count to the next
        for (var k = 0; k < series.Seeds.Length; k++)
        {
            // runs are seed-major: counts 0, 1, 2 of seed k
            var intact = series.Runs.Skip(3 * k).Take(3).Select(r => r.BondsFormed - r.BrokenBonds).ToArray();
            Assert.True(intact[0] >= intact[1] && intact[1] >= intact[2], $"seed {series.Seeds[k]}: intact bonds {string.Join(" -> ", intact)}");
        }

        Assert.True(series.Points[1].IntactBondFraction < 1, "the first cycle breaks bonds");
    }
}
