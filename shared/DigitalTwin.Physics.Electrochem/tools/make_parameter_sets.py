#!/usr/bin/env python3
"""Writes ParameterSets/*.json from shared/data/reference/parameter_sets.json (PyBaMM @7c9f5bd8)
and the seed-002 paper; run once by hand when the reference changes (values are copied, never retyped)."""
import csv, json, math, os, sys

ref = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/reference"
out = os.path.join(os.path.dirname(__file__), "..", "ParameterSets")
src = json.load(open(os.path.join(ref, "parameter_sets.json")))
PYBAMM = "pybamm-team/PyBaMM @7c9f5bd8 packages/pybamm/src/pybamm/input/parameters/lithium_ion/{}.py, via shared/data/reference/parameter_sets.json"

REFS = {
    "Marquis2019": [
        {"key": "Marquis2019", "citation": "S. G. Marquis, V. Sulzer, R. Timms, C. P. Please, S. J. Chapman, An asymptotic derivation of a single particle model with electrolyte, J. Electrochem. Soc. 166 (2019) A3693", "doi": "10.1149/2.0341915jes", "used": "all values (PyBaMM set Marquis2019)"},
        {"key": "Doyle1996", "citation": "Dualfoil 1998 (M. Doyle, J. Newman) graphite MCMB2528 and LiCoO2 functions", "doi": "10.1149/1.1836921", "used": "OCPs, diffusivities, exchange-current densities"},
        {"key": "Capiglia1999", "citation": "C. Capiglia et al., J. Power Sources 81-82 (1999) 859", "doi": "10.1016/S0378-7753(99)00178-0", "used": "electrolyte diffusivity and conductivity"},
    ],
    "Chen2020": [
        {"key": "Chen2020", "citation": "C.-H. Chen, F. Brosa Planella, K. O'Regan, D. Gastol, W. D. Widanage, E. Kendrick, Development of experimental techniques for parameterization of multi-scale lithium-ion battery models, J. Electrochem. Soc. 167 (2020) 080534", "doi": "10.1149/1945-7111/ab9050", "used": "LG M50 cell, all electrode values"},
        {"key": "Nyman2008", "citation": "A. Nyman, M. Behm, G. Lindbergh, Electrochim. Acta 53 (2008) 6356", "doi": "10.1016/j.electacta.2008.04.023", "used": "electrolyte functions"},
    ],
    "Ai2020": [
        {"key": "Ai2020", "citation": "W. Ai, L. Kraft, J. Sturm, A. Jossen, B. Wu, Electrochemical thermal-mechanical modelling of stress inhomogeneity in lithium-ion pouch cells, J. Electrochem. Soc. 167 (2020) 013512", "doi": "10.1149/2.0122001JES", "used": "Enertech LCO/graphite pouch cell, all values; OCP tables"},
        {"key": "Rieger2016", "citation": "B. Rieger et al., J. Electrochem. Soc. 163 (2016) A1566", "doi": "10.1149/2.0441608jes", "used": "LiCoO2 OCP table"},
    ],
    "Ecker2015": [
        {"key": "Ecker2015", "citation": "M. Ecker et al., Parameterization of a physico-chemical model of a lithium-ion battery I and II, J. Electrochem. Soc. 162 (2015) A1836 and A1849", "doi": "10.1149/2.0551509jes", "used": "Kokam SLPB 75106100, all values"},
        {"key": "Richardson2020", "citation": "G. Richardson, I. Korotkin, R. Ranom, M. Castle, J. M. Foster, Generalised single particle models for high-rate operation of graded lithium-ion electrodes, Electrochim. Acta 339 (2020) 135862", "doi": "10.1016/j.electacta.2020.135862", "used": "PyBaMM's transcription of the Ecker set"},
    ],
}
CHEM = {"Marquis2019": "graphite | LiCoO2 (Kokam SLPB78205130H)", "Chen2020": "graphite-SiOx | NMC811 (LG M50)",
        "Ai2020": "graphite | LiCoO2 (Enertech pouch)", "Ecker2015": "graphite | NCO (Kokam SLPB 75106100)"}
FILES = {"Marquis2019": "Marquis2019_graphite-LiCoO2", "Chen2020": "Chen2020_graphite-NMC811",
         "Ai2020": "Ai2020_graphite-LiCoO2", "Ecker2015": "Ecker2015_graphite-NCO"}
MODEL_FUNCTIONS = ["Negative particle diffusivity [m2.s-1]", "Positive particle diffusivity [m2.s-1]",
                   "Negative electrode OCP [V]", "Positive electrode OCP [V]",
                   "Negative electrode exchange-current density [A.m-2]", "Positive electrode exchange-current density [A.m-2]",
                   "Negative electrode OCP entropic change [V.K-1]", "Positive electrode OCP entropic change [V.K-1]",
                   "Electrolyte diffusivity [m2.s-1]", "Electrolyte conductivity [S.m-1]", "Thermodynamic factor"]

def table(path):
    xs, ys = [], []
    for row in open(os.path.join(ref, path)):
        row = row.strip()
        if not row or row.startswith("#"):
            continue
        parts = [p.strip() for p in row.split(",")]
        try:
            x, y = float(parts[0]), float(parts[1])
        except ValueError:
            continue
        xs.append(x); ys.append(y)
    return xs, ys

def convert(name):
    s = src[name]
    params = {}
    for k, v in s["scalars"].items():
        params[k] = v
    for k in MODEL_FUNCTIONS:
        if k not in s["functions"]:
            continue
        f = s["functions"][k]
        e = f["expr"]
        if "kappa_e(c_e,T)" in e:  # Ecker2015 writes D_e through the conductivity (Nernst-Einstein)
            kappa = s["functions"]["Electrolyte conductivity [S.m-1]"]["expr"]
            e = e.split("   [")[0].replace("kappa_e(c_e,T)", "(" + kappa + ")")
        if e.startswith("TABLE"):
            path = e.split()[1]
            xs, ys = table(path)
            params[k] = {"table": {"x": xs, "y": ys}, "interpolation": "cubic", "args": f["args"],
                         "source": f"parameter_data/{os.path.basename(path)} ({f['pybamm_function']})"}
        else:
            params[k] = {"expression": e, "args": f["args"], "source": f["pybamm_function"]}
    return {
        "name": name, "chemistry": CHEM[name], "cell": "full",
        "description": f"PyBaMM's {name} parameter set, values copied from the shared reference (SI units).",
        "source": PYBAMM.format(name), "references": REFS[name], "parameters": params,
    }

def write(fname, obj):
    with open(os.path.join(out, fname + ".json"), "w") as fh:
        json.dump(obj, fh, indent=1)
        fh.write("\n")

for n in FILES:
    write(FILES[n], convert(n))

write("Marquis2019Comsol_graphite-LiCoO2", {
    "name": "Marquis2019Comsol", "base": "Marquis2019", "chemistry": CHEM["Marquis2019"], "cell": "full",
    "description": "Marquis2019 with the overrides PyBaMM's COMSOL comparison uses (1 m2 planar cell, COMSOL conductivities).",
    "source": "shared/data/reference/README.md section 1 and parameter_sets.md section 0.1 (PyBaMM examples/scripts/compare_comsol)",
    "references": REFS["Marquis2019"],
    "parameters": {
        "Electrode width [m]": {"value": 1.0, "source": "parameter_sets.md 0.1: 1 m2 electrode"},
        "Electrode height [m]": {"value": 1.0, "source": "parameter_sets.md 0.1: 1 m2 electrode"},
        "Negative electrode conductivity [S.m-1]": {"value": 126.0, "source": "reference README 1: COMSOL sigma_n"},
        "Positive electrode conductivity [S.m-1]": {"value": 16.6, "source": "reference README 1: COMSOL sigma_p"},
        "Nominal cell capacity [A.h]": {"value": 24.0, "source": "parameter_sets.md 0.1: 24 A/m2 is 1C for this cell"},
        "Current function [A]": {"value": 24.0, "source": "parameter_sets.md 0.1: 24 x C-rate"},
    },
})

chen_nmc = src["Chen2020"]["functions"]["Positive electrode OCP [V]"]["expr"]
nyman = src["Chen2020"]["functions"]
seed = "A. Kazem Ghamsari, H. Xu, Y. M. Lee, J. Zhu, Energy Environ. Sci. 18 (2025) 3129 (shared/research/seed_002.md)"
eps_am, pore, cbm, cbm_e = 0.68355, 0.23583, 0.08062, 0.16
a_react = 1529744.0
write("KazemGhamsari2025_NMC711-Li", {
    "name": "KazemGhamsari2025", "chemistry": "NMC711 | Li metal (coin half cell)", "cell": "half",
    "description": "NMC711 composite cathode against Li metal, homogenised for a P2D/SPMe from the microstructure-resolved paper. "
                   "The paper gives D_s(x) and i0(x); its OCP, electrolyte functions, particle radius, separator porosity and Li-metal overpotential are not in the text and are placeholders here.",
    "source": seed,
    "references": [
        {"key": "KazemGhamsari2025", "citation": seed, "doi": "10.1039/d4ee04856c", "used": "geometry, fractions, c_max, D_s(x) eq. 3, i0(x) eq. 13, reactive area, T, cut-offs"},
        {"key": "Chen2020", "citation": REFS["Chen2020"][0]["citation"], "doi": REFS["Chen2020"][0]["doi"], "used": "PLACEHOLDER NMC811 OCP fit (seed_002.md 2.7 fallback; not NMC711)"},
        {"key": "Nyman2008", "citation": REFS["Chen2020"][1]["citation"], "doi": REFS["Chen2020"][1]["doi"], "used": "PLACEHOLDER electrolyte functions (seed_002.md 2.12 item 1 fallback)"},
    ],
    "parameters": {
        "Positive electrode thickness [m]": {"value": 70e-6, "source": "seed_002.md 3.1 (70 um calendered)"},
        "Separator thickness [m]": {"value": 20e-6, "source": "seed_002.md 3.1 (20 um Tonen)"},
        "Electrode height [m]": {"value": 1.0, "source": "per unit area: the paper reports areal quantities", "placeholder": True},
        "Electrode width [m]": {"value": 1.0, "source": "per unit area: the paper reports areal quantities", "placeholder": True},
        "Number of electrodes connected in parallel to make a cell": 1.0,
        "Nominal cell capacity [A.h]": {"value": 40.8, "source": "seed_002.md 3.1 [derived]: 4.08 mAh cm-2, 1C = 40.8 A m-2"},
        "Current function [A]": {"value": 40.8, "source": "1C"},
        "Lower voltage cut-off [V]": {"value": 3.0, "source": "seed_002.md 3.1"},
        "Upper voltage cut-off [V]": {"value": 4.3, "source": "seed_002.md 3.1"},
        "Reference temperature [K]": {"value": 303.15, "source": "seed_002.md 3.1"},
        "Ambient temperature [K]": {"value": 303.15, "source": "seed_002.md 3.1"},
        "Initial temperature [K]": {"value": 303.15, "source": "seed_002.md 3.1"},
        "Positive electrode conductivity [S.m-1]": {"value": 375.0 * cbm ** 1.5, "source": "seed_002.md 3.4: CBM 375 S/m with Bruggeman 1.5 on the CBM fraction 0.0806 [derived]", "placeholder": True},
        "Positive electrode Bruggeman coefficient (electrode)": 0.0,
        "Maximum concentration in positive electrode [mol.m-3]": {"value": 49122.0, "source": "seed_002.md 3.3"},
        "Positive electrode porosity": {"value": pore + cbm_e * cbm, "source": "seed_002.md 3.2: pores 0.23583 plus 16% electrolyte in the CBM fraction 0.08062 [derived]"},
        "Positive electrode active material volume fraction": {"value": eps_am, "source": "seed_002.md 3.2 Table 1"},
        "Positive particle radius [m]": {"value": 3.0 / 2476784.0, "source": "[derived] equivalent sphere 3/a for the single-particle specific surface 2,476,784 m2/m3 (seed_002.md 3.2); secondary size distribution not given", "placeholder": True},
        "Positive electrode surface area to volume ratio [m-1]": {"value": eps_am * a_react, "source": "seed_002.md 3.2: reactive area 1,529,744 m2 per m3 AM (realistic wetting) x AM fraction [derived]"},
        "Positive electrode Bruggeman coefficient (electrolyte)": {"value": 1.5, "source": "seed_002.md 2.4 (Bruggeman 1.5 in the CBM)"},
        "Positive electrode charge transfer coefficient": {"value": 0.5, "source": "seed_002.md eq. 12"},
        "Initial concentration in positive electrode [mol.m-3]": {"value": 0.242 * 49122.0, "source": "seed_002.md 2.11: discharge starts at x = 0.242"},
        "Positive particle diffusivity [m2.s-1]": {"expression": "3e-14*exp(-6*(sto - 0.1)**5)", "args": ["sto", "T"], "source": "seed_002.md eq. 3 (text value 3e-14 m2/s; Table 2 says 10x less, see 2.12 item 2)"},
        "Positive electrode exchange-current density [A.m-2]": {"expression": "26*exp(-7*(sto - 0.1)**2)", "args": ["sto", "T"], "source": "seed_002.md eq. 13 (no c_e, no temperature dependence)"},
        "Positive electrode OCP [V]": {"expression": chen_nmc, "args": ["sto"], "placeholder": True, "source": "PLACEHOLDER: Chen2020 NMC811 fit, not NMC711 (seed_002.md 2.7)"},
        "Separator porosity": {"value": 0.4, "placeholder": True, "source": "PLACEHOLDER: Tonen separator porosity not stated"},
        "Separator Bruggeman coefficient (electrolyte)": {"value": 1.5, "placeholder": True, "source": "PLACEHOLDER"},
        "Initial concentration in electrolyte [mol.m-3]": {"value": 1000.0, "source": "seed_002.md 2.11"},
        "Cation transference number": {"value": 0.2594, "placeholder": True, "source": "PLACEHOLDER Nyman2008 (seed_002.md 2.12 item 1)"},
        "Thermodynamic factor": {"value": 1.0, "placeholder": True, "source": "PLACEHOLDER (seed_002.md 2.12 item 1)"},
        "Electrolyte diffusivity [m2.s-1]": {"expression": nyman["Electrolyte diffusivity [m2.s-1]"]["expr"], "args": ["c_e", "T"], "placeholder": True, "source": "PLACEHOLDER Nyman2008"},
        "Electrolyte conductivity [S.m-1]": {"expression": nyman["Electrolyte conductivity [S.m-1]"]["expr"], "args": ["c_e", "T"], "placeholder": True, "source": "PLACEHOLDER Nyman2008"},
        "Lithium counter electrode overpotential [V]": {"value": 0.0, "placeholder": True, "source": "PLACEHOLDER: measured in a three-electrode cell (Fig. S2), value not in the text"},
        "Exchange-current density for lithium metal electrode [A.m-2]": {"value": 10.0, "placeholder": True, "source": "PLACEHOLDER: used only with the Butler-Volmer Li-metal option"},
    },
})
print("written to", os.path.abspath(out))
