// Collects log entries so functional tests can fail on unexpected warnings and errors (STYLE §11).
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Grains.Testing;

/// <summary>One recorded log entry.</summary>
public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception);

/// <summary>A logger factory that records every entry at or above <see cref="LogLevel.Information"/>.</summary>
public sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    /// <summary>Entries at warning level or above.</summary>
    public IReadOnlyList<LogEntry> Problems => [.. _entries.Where(e => e.Level >= LogLevel.Warning)];

    /// <summary>Throws listing every warning or error that was logged.</summary>
    public void AssertNoProblems()
    {
        var problems = Problems;
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Unexpected log entries:{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(p => $"  {p.Level} {p.Category}: {p.Message} {p.Exception?.Message}"))}");
        }
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _entries);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The recording logger factory has no providers.");

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception));
            }
        }
    }
}
