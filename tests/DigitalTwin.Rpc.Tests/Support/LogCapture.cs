// Captures every log line of a test host so tests can assert that hostile input was logged and that
// nothing unexpected was logged as an error.
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Rpc.Tests.Support;

public sealed record LogEntry(LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception);

public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Lines at Warning or above from the RPC server whose text contains all the given fragments.</summary>
    public IReadOnlyList<LogEntry> Warnings(params string[] fragments) =>
        _entries.Where(e => e.Level >= LogLevel.Warning && e.Category.StartsWith("DigitalTwin.Rpc", StringComparison.Ordinal)
            && fragments.All(f => e.Message.Contains(f, StringComparison.Ordinal))).ToArray();

    /// <summary>Error lines, except those containing one of the expected fragments.</summary>
    public IReadOnlyList<LogEntry> UnexpectedErrors(params string[] expected) =>
        _entries.Where(e => e.Level >= LogLevel.Error && !expected.Any(x => e.Message.Contains(x, StringComparison.Ordinal)
            || (e.Exception?.Message.Contains(x, StringComparison.Ordinal) ?? false))).ToArray();

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new LogEntry(logLevel, category, eventId, formatter(state, exception), exception));
    }
}
