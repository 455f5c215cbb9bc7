// The catalog of extra output variables a run can record beside time, current, voltage and stoichiometries
// (STYLE §6: every name with its unit), and a recorder that reads them from a model after each output row.
namespace DigitalTwin.Physics.Electrochem.Models;

/// <summary>One catalog entry; <paramref name="Needs"/> names what the model must be ("DFN", "full cell") or is null.</summary>
public sealed record OutputVariable(string Name, string DisplayName, string Unit, string Description, string? Needs);

public static class OutputVariables
{
    public static readonly IReadOnlyList<OutputVariable> All =
    [
        new("cell_temperature", "Cell temperature [K]", "K", "volume-averaged cell temperature (the ambient temperature of an isothermal model)", null),
        new("open_circuit_voltage", "Open-circuit voltage [V]", "V", "U_p - U_n at the electrode-averaged stoichiometries and the cell temperature", null),
        new("discharge_capacity", "Discharge capacity [A.h]", "A.h", "charge delivered since the start of the run, positive when discharging (PyBaMM's Discharge capacity)", null),
        new("total_heating", "Total heating [W]", "W", "heat generated in the cell: Ohmic, reaction (irreversible and reversible) and current collectors", "DFN"),
        new("negative_particle_surface_concentration", "Negative particle surface concentration [mol.m-3]", "mol.m-3",
            "particle surface concentration, volume-averaged over the negative electrode (stoichiometry times the first class's c_max)", "full cell"),
        new("positive_particle_surface_concentration", "Positive particle surface concentration [mol.m-3]", "mol.m-3",
            "particle surface concentration, volume-averaged over the positive electrode (stoichiometry times the first class's c_max)", null),
    ];

    public static OutputVariable? Find(string name) => All.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.Ordinal));
}

/// <summary>Reads the chosen variables from one model; create it before the run (discharge capacity integrates from there).</summary>
public sealed class OutputRecorder
{
    private readonly CellModel _model;
    private double _capacity;
    private double _lastTime = double.NaN;
    private double _lastCurrent;

    private OutputRecorder(CellModel model, IReadOnlyList<OutputVariable> variables)
    {
        _model = model;
        Variables = variables;
    }

    public IReadOnlyList<OutputVariable> Variables { get; }

    /// <summary>The recorder for these names, or an ArgumentException listing every unknown or unsupported name with its position.</summary>
    public static OutputRecorder Create(IReadOnlyList<string> names, CellModel model)
    {
        var problems = new List<string>();
        var variables = new List<OutputVariable>();
        for (var i = 0; i < names.Count; i++)
        {
            var v = OutputVariables.Find(names[i]);
            if (v is null)
            {
                problems.Add($"[{i}] '{names[i]}' is not an output variable; known: {string.Join(", ", OutputVariables.All.Select(x => x.Name))}");
                continue;
            }

            if ((v.Needs == "DFN" && model is not DfnModel) || (v.Needs == "full cell" && model.Cell.HalfCell))
            {
                problems.Add($"[{i}] '{v.Name}' needs a {v.Needs}, but this run is {(model.Cell.HalfCell ? "a half cell" : "a full cell")} with model {model.Kind}");
                continue;
            }

            variables.Add(v);
        }

        return problems.Count > 0
            ? throw new ArgumentException(string.Join("; ", problems))
            : new OutputRecorder(model, variables);
    }

    /// <summary>Writes one value per variable for the model's accepted state.</summary>
    public void Record(Span<double> values)
    {
        var m = _model;
        if (!double.IsNaN(_lastTime))
        {
            _capacity += 0.5 * (m.Current + _lastCurrent) * (m.Time - _lastTime) / 3600;
        }

        _lastTime = m.Time;
        _lastCurrent = m.Current;
        for (var i = 0; i < Variables.Count; i++)
        {
            values[i] = Variables[i].Name switch
            {
                "cell_temperature" => m.CellTemperature,
                "open_circuit_voltage" => m.OpenCircuitVoltage(),
                "discharge_capacity" => _capacity,
                "total_heating" => ((DfnModel)m).Heat.Total * m.Cell.Area,
                "negative_particle_surface_concentration" => m.Stoichiometry(positive: false).Surface * m.Cell.Negative!.Classes[0].MaxConcentration,
                _ => m.Stoichiometry(positive: true).Surface * m.Cell.Positive.Classes[0].MaxConcentration,
            };
        }
    }
}
