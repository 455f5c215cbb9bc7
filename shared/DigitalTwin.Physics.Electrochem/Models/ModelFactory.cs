// Builds a cell model from a parameter set and validated options: the one place where options pick implementations.
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Models;

public static class ModelFactory
{
    public static CellModel Create(ParameterSet set, ModelOptions options)
    {
        var problems = OptionTable.Validate(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid model options:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}");
        }

        var cell = CellParameters.From(set, options);
        return options.Model == ModelKind.Dfn ? new DfnModel(cell, options) : new SingleParticleModel(cell, options);
    }

    public static ModelKind ParseKind(string name) => name.Trim().ToLowerInvariant() switch
    {
        "spm" => ModelKind.Spm,
        "spme" => ModelKind.Spme,
        "dfn" or "p2d" => ModelKind.Dfn,
        _ => throw new ArgumentException($"Unknown model '{name}'. Accepted: spm, spme, dfn."),
    };
}
