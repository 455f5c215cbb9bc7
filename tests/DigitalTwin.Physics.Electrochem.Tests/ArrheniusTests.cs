// Arrhenius temperature dependence where a set gives it: the BPX activation energies of the About:Energy NMC pouch
// cell scale diffusivities, conductivity and exchange currents by exp(Ea/R (1/T_ref - 1/T)) (BPX standard, PyBaMM bpx.py).
using DigitalTwin.Physics.Electrochem.Parameters;
using DigitalTwin.Testing;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class ArrheniusTests
{
    [Theory]
    // Activation energies [J/mol] from nmc_pouch_cell_BPX.json (Parameterisation); T_ref = 298.15 K (Cell).
    [InlineData("Electrolyte diffusivity [m2.s-1]", 17100.0)]
    [InlineData("Electrolyte conductivity [S.m-1]", 17100.0)]
    [InlineData("Negative particle diffusivity [m2.s-1]", 30000.0)]
    [InlineData("Positive particle diffusivity [m2.s-1]", 15000.0)]
    [InlineData("Negative electrode exchange-current density [A.m-2]", 55000.0)]
    [InlineData("Positive electrode exchange-current density [A.m-2]", 35000.0)]
    public void BpxActivationEnergiesScaleTheirFunctions(string name, double activationEnergy)
    {
        var path = SharedData.DataFile("reference", "bpx", "about_energy", "NMC", "nmc_pouch_cell_BPX.json");
        var set = BpxImporter.Import(File.ReadAllText(path), "nmc_pouch_cell_BPX.json");
        var f = set.Find(name)!.Value;
        foreach (var t in new[] { 273.15, 318.15 })
        {
            var expected = Math.Exp(activationEnergy / Constants.R * (1 / 298.15 - 1 / t));
            // Arguments: (c_e, T) or (sto, T) or (c_e, c_s_surf, c_s_max, T); mid-range values, the ratio is exact.
            var ratio = f.Arguments.Count == 2
                ? f.Evaluate(f.Arguments[0] == "c_e" ? 1000 : 0.5, t) / f.Evaluate(f.Arguments[0] == "c_e" ? 1000 : 0.5, 298.15)
                : f.Evaluate(1000, 15000, 30000, t) / f.Evaluate(1000, 15000, 30000, 298.15);
            Assert.Equal(expected, ratio, 1e-12 * expected);
        }
    }
}
