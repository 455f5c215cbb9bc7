// Collects every problem of one file under the configured policy: row problems become errors when the
// file is to be rejected, warnings otherwise; storage is capped, counting continues past the cap.
namespace DigitalTwin.Telemetry.Normalization;

internal sealed class ProblemLog(string file, BadRowPolicy policy, int cap)
{
    private readonly List<IngestProblem> _stored = [];
    private readonly Dictionary<string, long> _unstored = new(StringComparer.Ordinal);
    private readonly HashSet<string> _onceKeys = new(StringComparer.Ordinal);

    public string File { get; } = file;

    public BadRowPolicy Policy { get; } = policy;

    public int Errors { get; private set; }

    public long SkippedRows { get; private set; }

    public IReadOnlyList<IngestProblem> Stored => _stored;

    public IReadOnlyDictionary<string, long> Unstored => _unstored;

    /// <summary>A row that cannot be used: an error under RejectFile, a skipped-row warning otherwise.</summary>
    public void Row(long line, string? field, string code, string message)
    {
        if (Policy == BadRowPolicy.RejectFile)
        {
            Add(ProblemSeverity.Error, code, line, field, message);
        }
        else
        {
            SkippedRows++;
            Add(ProblemSeverity.Warning, code, line, field, message + " (row skipped)");
        }
    }

    public void Warn(long line, string? field, string code, string message) => Add(ProblemSeverity.Warning, code, line, field, message);

    /// <summary>A warning recorded only the first time its key is seen (e.g. "cycle index inferred").</summary>
    public void WarnOnce(string key, long line, string? field, string code, string message)
    {
        if (_onceKeys.Add(key))
        {
            Warn(line, field, code, message);
        }
    }

    public void Error(long line, string? field, string code, string message) => Add(ProblemSeverity.Error, code, line, field, message);

    public IngestException Fail(long line, string? field, string code, string message)
    {
        Error(line, field, code, message);
        return new IngestException([.. _stored]);
    }

    public void ThrowIfErrors()
    {
        if (Errors > 0)
        {
            var list = new List<IngestProblem>(_stored);
            foreach (var (code, count) in _unstored)
            {
                list.Add(new IngestProblem(ProblemSeverity.Error, ProblemCodes.TooManyProblems, File, 0, null, $"{count} more problems of kind {code} not listed"));
            }

            throw new IngestException(list);
        }
    }

    private void Add(ProblemSeverity severity, string code, long line, string? field, string message)
    {
        if (severity == ProblemSeverity.Error)
        {
            Errors++;
        }

        if (_stored.Count < cap)
        {
            _stored.Add(new IngestProblem(severity, code, File, line, field, message));
        }
        else
        {
            _unstored[code] = _unstored.GetValueOrDefault(code) + 1;
        }
    }
}
