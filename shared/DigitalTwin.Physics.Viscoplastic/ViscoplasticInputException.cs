// Validation for the viscoplastic library: every problem is collected, then reported once (DAMASK-style).
namespace DigitalTwin.Physics.Viscoplastic;

/// <summary>Thrown for invalid parameters or inputs; <see cref="Problems"/> names each one.</summary>
public sealed class ViscoplasticInputException(string context, IReadOnlyList<string> problems)
    : ArgumentException($"{context}: {problems.Count} problem(s): {string.Join("; ", problems)}")
{
    public string Context { get; } = context;

    public IReadOnlyList<string> Problems { get; } = problems;
}

internal sealed class Problems(string context)
{
    private readonly List<string> _items = [];

    public bool Any => _items.Count > 0;

    public void Add(string problem) => _items.Add(problem);

    public void Positive(string name, double value, string unit)
    {
        if (!(value > 0) || double.IsNaN(value))
        {
            _items.Add($"{name} = {value} {unit} must be positive");
        }
    }

    public void ThrowIfAny()
    {
        if (_items.Count > 0)
        {
            throw new ViscoplasticInputException(context, _items.ToArray());
        }
    }
}
