// Problems found while reading a file (errors and warnings), each naming file, line and field,
// and the exception that carries all of them at once when a file is rejected.
using System.Text;

namespace DigitalTwin.Telemetry;

public enum ProblemSeverity : byte
{
    Warning = 0,
    Error = 1,
}

/// <summary>Stable machine-readable problem kinds; messages say the details.</summary>
public static class ProblemCodes
{
    public const string Unrecognized = "unrecognized-format";
    public const string Unsupported = "unsupported-format";
    public const string Empty = "empty-file";
    public const string NotFound = "file-not-found";
    public const string NoData = "no-data-rows";
    public const string MissingColumn = "missing-column";
    public const string BadNumber = "bad-number";
    public const string NotFinite = "not-finite";
    public const string BadTime = "bad-time";
    public const string TimeBackwards = "time-backwards";
    public const string TimeRepeats = "time-repeats";
    public const string Duplicate = "duplicate-row";
    public const string ShortRow = "short-row";
    public const string Truncated = "truncated";
    public const string UnitGuess = "unit-guess";
    public const string Encoding = "encoding";
    public const string TimeZone = "time-zone";
    public const string CycleGap = "cycle-gap";
    public const string Inferred = "inferred";
    public const string Corrupt = "corrupt-binary";
    public const string NewRun = "new-run";
    public const string TooManyProblems = "too-many-problems";
}

/// <summary>One problem: where (file, line or record, field) and what.</summary>
public sealed record IngestProblem(
    ProblemSeverity Severity,
    string Code,
    string File,
    long Line,
    string? Field,
    string Message)
{
    public override string ToString()
    {
        var where = new StringBuilder(File);
        if (Line > 0)
        {
            where.Append(':').Append(Line);
        }

        if (!string.IsNullOrEmpty(Field))
        {
            where.Append(" [").Append(Field).Append(']');
        }

        return $"{where}: {(Severity == ProblemSeverity.Error ? "error" : "warning")} {Code}: {Message}";
    }
}

/// <summary>Thrown when a file is rejected; carries every problem found (up to the configured cap).</summary>
public sealed class IngestException : Exception
{
    public IngestException(IReadOnlyList<IngestProblem> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    public IngestException(IngestProblem problem)
        : this([problem])
    {
    }

    public IReadOnlyList<IngestProblem> Problems { get; }

    /// <summary>The code of the first error (what made the file fail).</summary>
    public string Code => Problems.FirstOrDefault(p => p.Severity == ProblemSeverity.Error)?.Code ?? Problems[0].Code;

    private static string Describe(IReadOnlyList<IngestProblem> problems)
    {
        var errors = problems.Where(p => p.Severity == ProblemSeverity.Error).ToList();
        var text = new StringBuilder();
        text.Append(errors.Count == 1 ? "file rejected: " : $"file rejected with {errors.Count} errors: ");
        text.Append(string.Join(Environment.NewLine, errors.Take(50)));
        if (errors.Count > 50)
        {
            text.Append(Environment.NewLine).Append($"... and {errors.Count - 50} more");
        }

        return text.ToString();
    }
}
