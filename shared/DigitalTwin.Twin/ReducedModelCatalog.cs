// Reduced single-particle models for the SOC filter, derived from published parameter sets (values and sources below).
using DigitalTwin.Estimation.Filtering;

namespace DigitalTwin.Twin;

/// <summary>
/// Parameter sets the SOC filter knows. A cell on another set gets its SOC from the Electrochem service's model
/// instead (no filter). Capacities are replaced by the cell's present capacity (nominal × SOH).
/// </summary>
public static class ReducedModelCatalog
{
    /// <summary>
    /// LG M50 (Chen et al., J. Electrochem. Soc. 167 (2020) 080534; PyBaMM Chen2020, shared/data/reference/parameter_sets.md):
    /// OCP fits graphite_LGM50_ocp_Chen2020 and nmc_LGM50_ocp_Chen2020; stoichiometry window Table VII;
    /// τ = R²/D with R+ = 5.22 µm, D+ = 4e-15 m²/s, R− = 5.86 µm, D− = 3.3e-14 m²/s. Exchange currents I0 = i0·a·L·A at
    /// c_e = 1000 mol/m³ and half-full particles: i0 = k·√(c_e·c_s·(c_max − c_s)) with k+ = 3.42e-6, k− = 6.48e-7,
    /// c_max+ = 63104, c_max− = 33133 mol/m³; a = 3ε_s/R with ε_s+ = 0.665, ε_s− = 0.75; L+ = 75.6 µm, L− = 85.2 µm;
    /// A = 0.1027 m².
    /// </summary>
    public static ReducedSpmParameters Chen2020(double capacityAh)
    {
        static double ExchangeCurrent(double k, double cMax, double epsilon, double radius, double thickness) =>
            k * Math.Sqrt(1000 * (cMax / 2) * (cMax / 2)) * (3 * epsilon / radius) * thickness * 0.1027;

        return new ReducedSpmParameters(
            PositiveOcp: y => (-0.8090 * y) + 4.4875 - (0.0428 * Math.Tanh(18.5138 * (y - 0.5542))) - (17.7326 * Math.Tanh(15.7890 * (y - 0.3117))) + (17.5842 * Math.Tanh(15.9308 * (y - 0.3120))),
            NegativeOcp: x => (1.9793 * Math.Exp(-39.3631 * x)) + 0.2482 - (0.0909 * Math.Tanh(29.8538 * (x - 0.1234))) - (0.04478 * Math.Tanh(14.9159 * (x - 0.2769))) - (0.0205 * Math.Tanh(30.4444 * (x - 0.6103))),
            PositiveStoichiometryAt0: 0.9084,
            PositiveStoichiometryAt100: 0.2661,
            NegativeStoichiometryAt0: 0.0279,
            NegativeStoichiometryAt100: 0.9014,
            CapacityAh: capacityAh,
            PositiveDiffusionTime: 5.22e-6 * 5.22e-6 / 4e-15,
            NegativeDiffusionTime: 5.86e-6 * 5.86e-6 / 3.3e-14,
            PositiveExchangeCurrent: ExchangeCurrent(3.42e-6, 63104, 0.665, 5.22e-6, 75.6e-6),
            NegativeExchangeCurrent: ExchangeCurrent(6.48e-7, 33133, 0.75, 5.86e-6, 85.2e-6));
    }

    /// <summary>The reduced model of a catalog set, or null when the filter does not know it.</summary>
    public static ReducedSpmParameters? TryGet(string parameterSet, double capacityAh) =>
        parameterSet switch
        {
            "Chen2020" or "OKane2022" => Chen2020(capacityAh),
            _ => null,
        };
}
