// Bad input to the DEM engine: every problem found, each naming the parameter or particle at fault.
namespace DigitalTwin.Physics.Dem;

public sealed class DemInputException : ArgumentException
{
    public DemInputException(IReadOnlyList<string> problems)
        : base("Invalid DEM input:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
    {
        Problems = problems;
    }

    /// <summary>Each problem on its own line, naming the offending parameter, particle or file line.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Throws with every collected problem, if there is any.</summary>
    public static void ThrowIfAny(List<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new DemInputException(problems);
        }
    }
}

/// <summary>A study stopped converging (kinetic energy not decaying, plates oscillating): reported, never returned as final.</summary>
public sealed class DemConvergenceException(string message) : Exception(message);
