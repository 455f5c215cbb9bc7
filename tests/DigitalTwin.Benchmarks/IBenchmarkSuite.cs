// One benchmark suite per area (rpc, electrochem, dem, ...); Program discovers them all,
// so adding a suite never edits another area's file.
namespace DigitalTwin.Benchmarks;

public interface IBenchmarkSuite
{
    /// <summary>Short name used on the command line, e.g. "rpc".</summary>
    string Name { get; }

    /// <summary>One line saying what is measured and against which peer.</summary>
    string Description { get; }

    /// <summary>Runs the suite and prints its table; returns false if the suite could not run.</summary>
    Task<bool> RunAsync(BenchmarkContext context);
}

/// <summary>What a suite gets from the runner: where to write and how hard to try.</summary>
public sealed record BenchmarkContext(TextWriter Output, string ArtifactsDirectory, bool Quick, CancellationToken CancellationToken);
