// Seed 002 half cell (NMC711 | Li, KazemGhamsari2025): discharge from x = 0.242 to 3.0 V at 1C..8C
// (issue 3 verification 7).
using DigitalTwin.Physics.Electrochem.Models;
using Xunit.Abstractions;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class HalfCellTests(ITestOutputHelper output)
{
    private static readonly double[] Rates = [1, 2, 4, 8];

    [Theory]
    [InlineData(ModelKind.Spme)]
    [InlineData(ModelKind.Dfn)]
    public void DeliveredCapacityFallsWithRate(ModelKind kind)
    {
        var capacities = Rates.Select(c => Reference.Run("KazemGhamsari2025", kind, $"Discharge at {c}C until 3.0 V").DischargeCapacity()).ToArray();
        output.WriteLine($"{kind}: capacity [A.h per m2] at {string.Join(", ", Rates.Select(r => $"{r}C"))}: {string.Join(", ", capacities.Select(q => q.ToString("F2")))}");
        // seed_002.md section 1: capacity retention falls with C-rate (1C to 8C). Strictly decreasing, and the 1C
        // capacity within 25 % of the nominal 40.8 A.h/m2 (the window x = 0.242..0.91 holds 42.1 A.h/m2 [derived]).
        for (var k = 0; k + 1 < capacities.Length; k++)
        {
            Assert.True(capacities[k + 1] < capacities[k], $"{Rates[k + 1]}C delivers {capacities[k + 1]:F2}, not less than {capacities[k]:F2} at {Rates[k]}C");
        }

        Assert.InRange(capacities[0], 0.75 * 40.8, 1.25 * 40.8);
    }

    [Fact]
    public void InitialParticleOverpotentialGrowsRoughlyLinearlyWithCurrent()
    {
        // The single-particle overpotential U(x0) - V after 1 s, from the SPM with the paper's constant Li-metal
        // treatment (placeholder 0 V, seed_002.md 2.8), so only the NMC711 particle's kinetics and surface depletion
        // remain. With i0(0.242) = 22.6 A/m2 (eq. 13) and j <= 4.5 A/m2 at 8C, j/2i0 <= 0.1 and asinh departs from its
        // tangent by < 0.2 %; the 1 s surface shift is linear in j. So a straight line must fit each rate within 2 %
        // of the 8C value with an intercept under 2 % of it. (The paper's coin cell, 53 + 97 C mV, adds contact and
        // cell resistances this homogenised particle does not have, so its numbers are not compared.)
        var eta = Rates.Select(c =>
        {
            var r = Reference.Run("KazemGhamsari2025", ModelKind.Spm, $"Discharge at {c}C for 1 s", new ModelOptions { LithiumMetalKinetics = "constant overpotential" });
            var ocp = Physics.Electrochem.Parameters.ParameterSets.Get("KazemGhamsari2025").Find("Positive electrode OCP [V]")!.Value.Evaluate(0.242);
            return ocp - r.Samples[^1].Voltage;
        }).ToArray();
        var n = Rates.Length;
        var mx = Rates.Average();
        var my = eta.Average();
        var slope = Rates.Zip(eta).Sum(p => (p.First - mx) * (p.Second - my)) / Rates.Sum(x => (x - mx) * (x - mx));
        var intercept = my - slope * mx;
        var worst = Rates.Select((x, k) => Math.Abs(intercept + slope * x - eta[k])).Max();
        output.WriteLine($"initial particle overpotential [mV] at {string.Join(", ", Rates.Select(r => $"{r}C"))}: {string.Join(", ", eta.Select(e => (e * 1e3).ToString("F3")))}; fit {intercept * 1e3:F3} + {slope * 1e3:F3} C mV, worst residual {worst * 1e3:F4} mV");
        Assert.All(eta, e => Assert.True(e > 0));
        Assert.True(worst <= 0.02 * eta[n - 1], $"residual {worst * 1e3:F3} mV");
        Assert.True(Math.Abs(intercept) <= 0.02 * eta[n - 1], $"intercept {intercept * 1e3:F3} mV");
    }

    [Fact]
    public void LithiumMetalOptionsBothRun()
    {
        foreach (var li in new[] { "Butler-Volmer", "constant overpotential" })
        {
            var r = Reference.Run("KazemGhamsari2025", ModelKind.Dfn, "Discharge at 2C until 3.0 V", new ModelOptions { LithiumMetalKinetics = li });
            Assert.True(r.DischargeCapacity() > 20, li);
        }
    }
}
