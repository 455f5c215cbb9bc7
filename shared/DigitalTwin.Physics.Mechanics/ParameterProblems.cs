// Collects every problem found while validating inputs, then fails once with the full list
// (DAMASK-style: the user fixes all bad values in one pass instead of one per run).
namespace DigitalTwin.Physics.Mechanics;

/// <summary>Thrown when parameters or inputs are invalid; <see cref="Problems"/> names each one.</summary>
public sealed class MechanicsInputException(string context, IReadOnlyList<string> problems)
    : ArgumentException($"{context}: {problems.Count} problem(s): {string.Join("; ", problems)}")
{
    public string Context { get; } = context;

    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Accumulates validation messages; <see cref="ThrowIfAny"/> raises them together.</summary>
public sealed class ParameterProblems(string context)
{
    private readonly List<string> _problems = [];

    public string Context { get; } = context;

    public bool Any => _problems.Count > 0;

    public IReadOnlyList<string> Items => _problems;

    public void Add(string problem) => _problems.Add(problem);

    public void Positive(string name, double value, string unit)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            _problems.Add($"{name} = {value} {unit} must be positive and finite");
        }
    }

    public void NonNegative(string name, double value, string unit)
    {
        if (!(value >= 0) || !double.IsFinite(value))
        {
            _problems.Add($"{name} = {value} {unit} must be non-negative and finite");
        }
    }

    public void Finite(string name, double value, string unit)
    {
        if (!double.IsFinite(value))
        {
            _problems.Add($"{name} = {value} {unit} must be finite");
        }
    }

    public void InRange(string name, double value, double min, double max, string unit, bool maxInclusive = true)
    {
        var ok = value >= min && (maxInclusive ? value <= max : value < max);
        if (!ok || !double.IsFinite(value))
        {
            _problems.Add($"{name} = {value} {unit} must lie in [{min}, {max}{(maxInclusive ? "]" : ")")}");
        }
    }

    public void ThrowIfAny()
    {
        if (_problems.Count > 0)
        {
            throw new MechanicsInputException(Context, _problems.ToArray());
        }
    }
}
