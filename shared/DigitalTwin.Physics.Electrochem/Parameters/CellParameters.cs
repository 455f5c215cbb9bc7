// The parameters a solver needs, resolved from a ParameterSet and checked: every missing, out-of-range or
// unit-suspect value is reported at once (a radius of 5 "m" is almost certainly micrometres).
using DigitalTwin.Physics.Electrochem.Models;

namespace DigitalTwin.Physics.Electrochem.Parameters;

/// <summary>One particle class (a size class or a material of a blend) in an electrode.</summary>
public sealed class ParticleClass
{
    /// <summary>Name of the class within its electrode: the design's id, else its index (blends: "primary-0", ...).</summary>
    public string Id { get; init; } = "0";

    public required double Radius { get; init; }

    /// <summary>Active-material volume fraction of this class in the electrode [-].</summary>
    public required double VolumeFraction { get; init; }

    /// <summary>Reactive surface area per electrode volume [m-1].</summary>
    public required double SurfaceAreaPerVolume { get; init; }

    public required double MaxConcentration { get; init; }

    public required double InitialConcentration { get; init; }

    /// <summary>D_s(sto, T) [m2.s-1].</summary>
    public required ParameterFunction Diffusivity { get; init; }

    /// <summary>U(sto) [V].</summary>
    public required ParameterFunction Ocp { get; init; }

    /// <summary>j0 [A.m-2]: (c_e, c_s_surf, c_s_max, T) in the standard form, (sto, T) in the stoichiometry form.</summary>
    public required ParameterFunction ExchangeCurrent { get; init; }

    public required bool StoichiometryExchangeCurrent { get; init; }

    /// <summary>Particle boundary flux per unit interfacial current: a R / (3 eps_s), 1 for smooth spheres.</summary>
    public double FluxFactor => SurfaceAreaPerVolume * Radius / (3 * VolumeFraction);

    /// <summary>
    /// Omega 2 Omega E / (9 (1 - nu) R_gas) [K.m3.mol-1], so theta = this / T multiplies (c - c_0) in the
    /// stress-induced diffusivity; 0 when the option is off.
    /// </summary>
    public double StressCoefficient { get; init; }

    /// <summary>Reference concentration for free of deformation c_0 [mol.m-3].</summary>
    public double StressFreeConcentration { get; init; }

    /// <summary>Entropic change dU/dT(sto) [V.K-1]: U(sto, T) = U(sto) + (T - T_ref) dU/dT; null when the set gives none.</summary>
    public ParameterFunction? EntropicChange { get; init; }
}

/// <summary>
/// Lumped thermal model of the whole cell (PyBaMM "thermal": "lumped" with "cell geometry": "arbitrary"):
/// rho_c_eff dT/dt = Q/V_cell - h A_cool (T - T_amb)/V_cell.
/// </summary>
public sealed class LumpedThermalParameters
{
    /// <summary>Thickness-weighted volumetric heat capacity of collectors, electrodes and separator [J.K-1.m-3].</summary>
    public required double HeatCapacity { get; init; }

    /// <summary>Total heat transfer coefficient h [W.m-2.K-1].</summary>
    public required double HeatTransferCoefficient { get; init; }

    /// <summary>Cell cooling surface area [m2].</summary>
    public required double CoolingArea { get; init; }

    /// <summary>Cell volume [m3] (the heat is spread over it).</summary>
    public required double CellVolume { get; init; }

    /// <summary>Current-collector thicknesses [m] and conductivities [S.m-1] (Joule heat i^2 L / sigma).</summary>
    public required double NegativeCollectorThickness { get; init; }

    public required double NegativeCollectorConductivity { get; init; }

    public required double PositiveCollectorThickness { get; init; }

    public required double PositiveCollectorConductivity { get; init; }
}

public sealed class ElectrodeParameters
{
    public required string Name { get; init; }

    public required double Thickness { get; init; }

    public required double Porosity { get; init; }

    public required double BruggemanElectrolyte { get; init; }

    /// <summary>Effective solid conductivity sigma (1-eps)^b_s [S.m-1].</summary>
    public required double EffectiveConductivity { get; init; }

    public required double AnodicTransfer { get; init; }

    public required ParticleClass[] Classes { get; init; }

    /// <summary>Reactive area of all classes per electrode volume [m-1] (computed once: it is read every step).</summary>
    public double TotalSurfaceArea => _totalArea ??= Classes.Sum(c => c.SurfaceAreaPerVolume);

    private double? _totalArea;
}

public sealed class CellParameters
{
    public required string SetName { get; init; }

    /// <summary>Null for a Li-metal half cell.</summary>
    public required ElectrodeParameters? Negative { get; init; }

    public required ElectrodeParameters Positive { get; init; }

    public required double SeparatorThickness { get; init; }

    public required double SeparatorPorosity { get; init; }

    public required double SeparatorBruggeman { get; init; }

    public required double ElectrolyteInitialConcentration { get; init; }

    public required double TransferenceNumber { get; init; }

    /// <summary>D_e(c_e, T) [m2.s-1].</summary>
    public required ParameterFunction ElectrolyteDiffusivity { get; init; }

    /// <summary>kappa_e(c_e, T) [S.m-1].</summary>
    public required ParameterFunction ElectrolyteConductivity { get; init; }

    /// <summary>1 + dln f/dln c (c_e, T).</summary>
    public required ParameterFunction ThermodynamicFactor { get; init; }

    /// <summary>Ambient temperature [K]: the cell temperature of an isothermal model.</summary>
    public required double Temperature { get; init; }

    /// <summary>Temperature at t = 0 [K] (the lumped model's start; equal to <see cref="Temperature"/> when isothermal).</summary>
    public double InitialTemperature { get; init; }

    /// <summary>T_ref of the entropic OCP correction [K].</summary>
    public double ReferenceTemperature { get; init; } = 298.15;

    /// <summary>Lumped thermal parameters; null for an isothermal model.</summary>
    public LumpedThermalParameters? Thermal { get; init; }

    /// <summary>Electrode area times parallel pairs [m2]: cell current = current density x this.</summary>
    public required double Area { get; init; }

    public required double NominalCapacity { get; init; }

    public required double LowerVoltage { get; init; }

    public required double UpperVoltage { get; init; }

    /// <summary>Li-metal exchange-current density [A.m-2] (Butler-Volmer option) and constant overpotential [V].</summary>
    public double LithiumExchangeCurrent { get; init; }

    public double LithiumOverpotential { get; init; }

    public bool HalfCell => Negative is null;

    /// <summary>Name prefixes of the materials of a blended electrode (none for a single material).</summary>
    public static readonly IReadOnlyList<string> MaterialPrefixes = ["", "Primary: ", "Secondary: ", "Tertiary: "];

    private static readonly ParameterFunction Missing = ParameterFunction.Constant(double.NaN);

    /// <summary>Current of 1C [A].</summary>
    public double OneC => NominalCapacity;

    public static CellParameters From(ParameterSet set, ModelOptions options)
    {
        var p = new List<string>();
        var r = new Reader(set, p);
        var halfCell = ResolveHalfCell(set, options, p);
        var lumped = OptionTable.Is(options.Thermal, "lumped");
        var temperature = double.IsNaN(options.Temperature) ? r.Scalar("Ambient temperature [K]", 200, 400, "K", fallback: 298.15) : options.Temperature;
        var sepThickness = r.Scalar("Separator thickness [m]", 1e-7, 1e-2, "m");
        var ce0 = r.Scalar("Initial concentration in electrolyte [mol.m-3]", 1, 1e4, "mol.m-3");
        var negative = halfCell ? null : ReadElectrode(r, "Negative", options.NegativeSizeClasses, options.NegativeSizes, options, p);
        var positive = ReadElectrode(r, "Positive", options.PositiveSizeClasses, options.PositiveSizes, options, p);
        var area = r.Scalar("Electrode height [m]", 1e-4, 100, "m") * r.Scalar("Electrode width [m]", 1e-4, 100, "m")
            * r.Scalar("Number of electrodes connected in parallel to make a cell", 1, 1e4, "", fallback: 1);
        var cell = new CellParameters
        {
            SetName = set.Name,
            Negative = negative,
            Positive = positive!,
            SeparatorThickness = sepThickness,
            SeparatorPorosity = r.Scalar("Separator porosity", 1e-3, 1, ""),
            SeparatorBruggeman = r.Scalar("Separator Bruggeman coefficient (electrolyte)", 0, 10, ""),
            ElectrolyteInitialConcentration = ce0,
            TransferenceNumber = r.Scalar("Cation transference number", 0, 1, ""),
            ElectrolyteDiffusivity = r.Function("Electrolyte diffusivity [m2.s-1]", ["c_e", "T"], ce0, temperature, 1e-14, 1e-4, "m2.s-1") ?? Missing,
            ElectrolyteConductivity = r.Function("Electrolyte conductivity [S.m-1]", ["c_e", "T"], ce0, temperature, 1e-4, 100, "S.m-1") ?? Missing,
            ThermodynamicFactor = set.Contains("Thermodynamic factor")
                ? r.Function("Thermodynamic factor", ["c_e", "T"], ce0, temperature, 0.01, 100, "") ?? Missing
                : ParameterFunction.Constant(1.0, ["c_e", "T"]),
            Temperature = temperature,
            InitialTemperature = lumped && double.IsNaN(options.Temperature)
                ? r.Scalar("Initial temperature [K]", 200, 400, "K", fallback: temperature) : temperature,
            ReferenceTemperature = r.Scalar("Reference temperature [K]", 200, 400, "K", fallback: 298.15),
            Thermal = lumped ? ReadThermal(r, halfCell) : null,
            Area = area,
            NominalCapacity = r.Scalar("Nominal cell capacity [A.h]", 1e-9, 1e6, "A.h"),
            LowerVoltage = r.Scalar("Lower voltage cut-off [V]", -1, 6, "V"),
            UpperVoltage = r.Scalar("Upper voltage cut-off [V]", -1, 6, "V"),
            LithiumExchangeCurrent = halfCell && OptionTable.Is(options.LithiumMetalKinetics, "Butler-Volmer")
                ? r.Scalar("Exchange-current density for lithium metal electrode [A.m-2]", 1e-6, 1e6, "A.m-2") : 0,
            LithiumOverpotential = halfCell && OptionTable.Is(options.LithiumMetalKinetics, "constant overpotential")
                ? r.Scalar("Lithium counter electrode overpotential [V]", 0, 1, "V") : 0,
        };
        if (p.Count == 0 && cell.LowerVoltage >= cell.UpperVoltage)
        {
            p.Add($"lower voltage cut-off {cell.LowerVoltage} V is not below the upper {cell.UpperVoltage} V");
        }

        if (p.Count > 0)
        {
            throw new ParameterSetException(set.Name, p);
        }

        return cell;
    }

    private static bool ResolveHalfCell(ParameterSet set, ModelOptions options, List<string> problems)
    {
        if (OptionTable.Is(options.CounterElectrode, "auto"))
        {
            return set.HalfCell;
        }

        var half = OptionTable.Is(options.CounterElectrode, "lithium metal");
        if (!half && set.HalfCell)
        {
            problems.Add($"option counter electrode 'porous' needs a negative electrode, but set {set.Name} is a half cell");
        }

        return half;
    }

    private static ElectrodeParameters? ReadElectrode(Reader r, string side, int classes, IReadOnlyList<SizeClass>? sizes, ModelOptions options, List<string> problems)
    {
        var lower = side.ToLowerInvariant();
        var thickness = r.Scalar($"{side} electrode thickness [m]", 1e-7, 1e-2, "m");
        var porosity = r.Scalar($"{side} electrode porosity", 1e-3, 1, "");
        var blend = r.Set.Contains($"Primary: {side} electrode OCP [V]");
        var epsS = blend ? double.NaN : r.Scalar($"{side} electrode active material volume fraction", 1e-3, 1, "");
        var radius = blend ? double.NaN : r.Scalar($"{side} particle radius [m]", 1e-9, 1e-3, "m");
        var cmax = blend ? double.NaN : r.Scalar($"Maximum concentration in {lower} electrode [mol.m-3]", 100, 1e6, "mol.m-3");
        var c0 = blend ? double.NaN : r.Scalar($"Initial concentration in {lower} electrode [mol.m-3]", 0, 1e6, "mol.m-3");
        var sigma = r.Scalar($"{side} electrode conductivity [S.m-1]", 1e-6, 1e8, "S.m-1");
        var bs = r.Scalar($"{side} electrode Bruggeman coefficient (electrode)", 0, 10, "", fallback: 0);
        var be = r.Scalar($"{side} electrode Bruggeman coefficient (electrolyte)", 0, 10, "");
        var alpha = r.Scalar($"{side} electrode charge transfer coefficient", 0.01, 0.99, "", fallback: 0.5);
        if (!blend && porosity + epsS > 1.0 + 1e-9)
        {
            problems.Add($"{side} electrode: porosity {porosity} + active material fraction {epsS} exceed 1");
        }

        // A blend (BPX "Particle" map) is written "Primary: ...", "Secondary: ..." as PyBaMM does; else one material.
        var prefixes = MaterialPrefixes.Where(m => m.Length > 0 && r.Set.Contains($"{m}{side} electrode OCP [V]")).ToList();
        if (prefixes.Count == 0)
        {
            prefixes.Add("");
        }
        else if (sizes is not null)
        {
            problems.Add($"{side} electrode: explicit size classes need a single-material electrode, but the set blends {prefixes.Count} materials");
        }

        var result = new List<ParticleClass>();
        foreach (var m in prefixes)
        {
            var mRadius = m.Length == 0 ? radius : r.Scalar($"{m}{side} particle radius [m]", 1e-9, 1e-3, "m");
            var mCmax = m.Length == 0 ? cmax : r.Scalar($"{m}Maximum concentration in {lower} electrode [mol.m-3]", 100, 1e6, "mol.m-3");
            var mC0 = m.Length == 0 ? c0 : r.Scalar($"{m}Initial concentration in {lower} electrode [mol.m-3]", 0, 1e6, "mol.m-3");
            var mEps = m.Length == 0 ? epsS : r.Scalar($"{m}{side} electrode active material volume fraction", 1e-4, 1, "");
            var sto0 = mCmax > 0 ? mC0 / mCmax : 0.5;
            if (!(sto0 is > 0 and < 1) && mCmax > 0 && mC0 > 0)
            {
                problems.Add($"'{m}Initial concentration in {lower} electrode [mol.m-3]' = {mC0} is outside (0, c_max = {mCmax})");
            }

            var ocp = r.Function($"{m}{side} electrode OCP [V]", ["sto"], sto0, 0, -0.5, 6, "V");
            var diffusivity = r.Function($"{m}{side} particle diffusivity [m2.s-1]", ["sto", "T"], sto0, 298.15, 1e-22, 1e-8, "m2.s-1");
            var j0Name = $"{m}{side} electrode exchange-current density [A.m-2]";
            var j0Entry = r.Set.Find(j0Name);
            var stoichiometryForm = j0Entry is not null && (j0Entry.Value.Arguments.Count == 0 || j0Entry.Value.Arguments[0] == "sto");
            if (OptionTable.Is(options.ExchangeCurrent, "standard") && stoichiometryForm)
            {
                problems.Add($"'{j0Name}' is a function of stoichiometry only, but option exchange current = 'standard' needs (c_e, c_s_surf, c_s_max, T)");
            }

            if (OptionTable.Is(options.ExchangeCurrent, "stoichiometry") && !stoichiometryForm)
            {
                problems.Add($"'{j0Name}' takes (c_e, c_s_surf, c_s_max, T), but option exchange current = 'stoichiometry' needs (sto, T)");
            }

            var j0 = stoichiometryForm
                ? r.Function(j0Name, ["sto", "T"], sto0, 298.15, 1e-12, 1e6, "A.m-2")
                : r.Function(j0Name, ["c_e", "c_s_surf", "c_s_max", "T"], 1000, 0.5 * mCmax, 1e-12, 1e6, "A.m-2", mCmax);
            var areaGiven = r.Set.Find($"{m}{side} electrode surface area to volume ratio [m-1]");
            if (ocp is null || diffusivity is null || j0 is null || double.IsNaN(mRadius) || double.IsNaN(mEps))
            {
                continue;
            }

            var entropic = r.Set.Contains($"{m}{side} electrode OCP entropic change [V.K-1]")
                ? r.Function($"{m}{side} electrode OCP entropic change [V.K-1]", ["sto"], sto0, 0, -0.1, 0.1, "V.K-1") : null;
            double stressCoefficient = 0, stressFree = 0;
            if (OptionTable.Is(options.StressInducedDiffusion, "true"))
            {
                // Ai et al. 2020 eq. 12: theta = Omega/(R T) 2 Omega E / (9 (1 - nu)); kept without the 1/T here.
                var omega = r.Scalar($"{m}{side} electrode partial molar volume [m3.mol-1]", -1e-3, 1e-3, "m3.mol-1");
                var young = r.Scalar($"{m}{side} electrode Young's modulus [Pa]", 1e6, 1e13, "Pa");
                var poisson = r.Scalar($"{m}{side} electrode Poisson's ratio", -0.99, 0.499, "");
                stressFree = r.Scalar($"{m}{side} electrode reference concentration for free of deformation [mol.m-3]", 0, 1e6, "mol.m-3", fallback: 0);
                stressCoefficient = omega * 2 * omega * young / (9 * (1 - poisson) * Constants.R);
            }

            var (radii, fractions) = sizes is not null
                ? (sizes.Select(c => c.Radius).ToArray(), sizes.Select(c => c.VolumeShare).ToArray())
                : SizeClasses(mRadius, classes, options.SizeSpread);
            var aScale = areaGiven is not null ? areaGiven.Value.Evaluate(0) / (3 * mEps / mRadius) : 1.0;
            for (var k = 0; k < radii.Length; k++)
            {
                var eps = mEps * fractions[k];
                result.Add(new ParticleClass
                {
                    Radius = radii[k],
                    VolumeFraction = eps,
                    SurfaceAreaPerVolume = aScale * 3 * eps / radii[k],
                    MaxConcentration = mCmax,
                    InitialConcentration = mC0,
                    Diffusivity = diffusivity,
                    Ocp = ocp,
                    ExchangeCurrent = j0,
                    StoichiometryExchangeCurrent = stoichiometryForm,
                    StressCoefficient = stressCoefficient,
                    StressFreeConcentration = stressFree,
                    EntropicChange = entropic,
                    Id = sizes is not null ? sizes[k].Id : (radii.Length == 1 && m.Length == 0 ? "0" : $"{m.TrimEnd(':', ' ').ToLowerInvariant()}{(m.Length > 0 ? "-" : "")}{k}"),
                });
            }
        }

        if (result.Count == 0)
        {
            return null;
        }

        return new ElectrodeParameters
        {
            Name = side,
            Thickness = thickness,
            Porosity = porosity,
            BruggemanElectrolyte = be,
            EffectiveConductivity = sigma * Math.Pow(1 - porosity, bs),
            AnodicTransfer = alpha,
            Classes = [.. result],
        };
    }

    // rho c_p over collectors, electrodes and separator, thickness-weighted (PyBaMM thermal_parameters.rho_c_p_eff).
    private static LumpedThermalParameters ReadThermal(Reader r, bool halfCell)
    {
        double heat = 0, length = 0;
        void Layer(string name, string thickness)
        {
            var l = r.Scalar(thickness, 0, 1e-2, "m");
            heat += l * r.Scalar($"{name} density [kg.m-3]", 1, 1e5, "kg.m-3") * r.Scalar($"{name} specific heat capacity [J.kg-1.K-1]", 1, 1e5, "J.kg-1.K-1");
            length += l;
        }

        Layer("Negative current collector", "Negative current collector thickness [m]");
        if (!halfCell)
        {
            Layer("Negative electrode", "Negative electrode thickness [m]");
        }

        Layer("Separator", "Separator thickness [m]");
        Layer("Positive electrode", "Positive electrode thickness [m]");
        Layer("Positive current collector", "Positive current collector thickness [m]");
        return new LumpedThermalParameters
        {
            HeatCapacity = length > 0 ? heat / length : double.NaN,
            HeatTransferCoefficient = r.Scalar("Total heat transfer coefficient [W.m-2.K-1]", 0, 1e6, "W.m-2.K-1"),
            CoolingArea = r.Scalar("Cell cooling surface area [m2]", 1e-8, 1e3, "m2"),
            CellVolume = r.Scalar("Cell volume [m3]", 1e-12, 1e3, "m3"),
            NegativeCollectorThickness = r.Scalar("Negative current collector thickness [m]", 0, 1e-2, "m"),
            NegativeCollectorConductivity = r.Scalar("Negative current collector conductivity [S.m-1]", 1, 1e9, "S.m-1"),
            PositiveCollectorThickness = r.Scalar("Positive current collector thickness [m]", 0, 1e-2, "m"),
            PositiveCollectorConductivity = r.Scalar("Positive current collector conductivity [S.m-1]", 1, 1e9, "S.m-1"),
        };
    }

    /// <summary>Equal-volume log-normal classes: radius of class k at the (k+1/2)/N quantile of ln R ~ N(ln Rm, s^2).</summary>
    public static (double[] Radii, double[] Fractions) SizeClasses(double meanRadius, int n, double spread)
    {
        var radii = new double[n];
        var fractions = new double[n];
        for (var k = 0; k < n; k++)
        {
            var z = n == 1 ? 0 : InverseNormal((k + 0.5) / n);
            radii[k] = meanRadius * Math.Exp(spread * z);
            fractions[k] = 1.0 / n;
        }

        return (radii, fractions);
    }

    // Acklam's rational approximation of the standard normal quantile (|error| < 1.2e-9).
    private static double InverseNormal(double p)
    {
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        if (p < 0.02425)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        if (p > 1 - 0.02425)
        {
            return -InverseNormal(1 - p);
        }

        var s = p - 0.5;
        var t = s * s;
        return (((((a[0] * t + a[1]) * t + a[2]) * t + a[3]) * t + a[4]) * t + a[5]) * s / (((((b[0] * t + b[1]) * t + b[2]) * t + b[3]) * t + b[4]) * t + 1);
    }

    private sealed class Reader(ParameterSet set, List<string> problems)
    {
        public ParameterSet Set => set;

        public double Scalar(string name, double min, double max, string unit, double? fallback = null)
        {
            var e = set.Find(name);
            if (e is null)
            {
                if (fallback is { } f)
                {
                    return f;
                }

                problems.Add($"missing '{name}'");
                return double.NaN;
            }

            if (!e.IsScalar)
            {
                problems.Add($"'{name}' must be a number, found a function ({e.Value.Text})");
                return double.NaN;
            }

            var v = e.Value.Evaluate(0);
            CheckRange(name, v, min, max, unit);
            return v;
        }

        public ParameterFunction? Function(string name, string[] args, double x0, double x1, double min, double max, string unit, double x2 = 0)
        {
            var e = set.Find(name);
            if (e is null)
            {
                problems.Add($"missing '{name}'");
                return null;
            }

            var fn = e.Value;
            if (fn.Kind != ParameterFunctionKind.Constant && fn.Arguments.Count > 0 && !fn.Arguments.SequenceEqual(args)
                && !(args[0] == "sto" && fn.Arguments[0] == "sto"))
            {
                problems.Add($"'{name}' takes ({string.Join(", ", fn.Arguments)}) but the model calls it with ({string.Join(", ", args)})");
                return null;
            }

            var t = args.Length >= 2 && args[^1] == "T" ? 298.15 : x1;
            var v = args.Length == 4 ? fn.Evaluate(x0, x1, x2, t) : fn.Evaluate(x0, t);
            CheckRange(name, v, min, max, unit, $" at ({string.Join(", ", args)}) = ({x0:G4}{(args.Length > 1 ? $", {(args.Length == 4 ? x1 : t):G4}" : "")}{(args.Length == 4 ? $", {x2:G4}, {t:G4}" : "")})");
            return fn.WithArguments(args);
        }

        private void CheckRange(string name, double v, double min, double max, string unit, string where = "")
        {
            if (double.IsNaN(v) || double.IsInfinity(v))
            {
                problems.Add($"'{name}' is not a finite number{where}");
                return;
            }

            if (v < min || v > max)
            {
                var hint = "";
                if (unit == "m" && v > max && v * 1e-6 >= min && v * 1e-6 <= max)
                {
                    hint = " (looks like micrometres; the unit is m)";
                }
                else if (unit == "m2.s-1" && v > max && v * 1e-4 <= max)
                {
                    hint = " (looks like cm2/s; the unit is m2/s)";
                }
                else if (unit == "mol.m-3" && v < min && v * 1000 >= min)
                {
                    hint = " (looks like mol/L; the unit is mol/m3)";
                }

                problems.Add($"'{name}' = {v:G6}{where} is outside [{min:G3}, {max:G3}] {unit}{hint}");
            }
        }
    }
}
