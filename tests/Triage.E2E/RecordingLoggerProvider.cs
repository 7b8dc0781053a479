using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Triage.E2E;

/// <summary>Keeps the app's last warnings and errors in memory so a browser test that times out can say what the server
/// saw (an exception in the Blazor circuit leaves the page silently waiting).</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private const int Keep = 50;
    private readonly ConcurrentQueue<string> _entries = new();

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    /// <summary>The recorded entries, oldest first.</summary>
    public IReadOnlyList<string> Entries => [.. _entries];

    /// <summary>The entries recorded since <paramref name="mark"/> (a count taken earlier with <see cref="Mark"/>), as one text block.</summary>
    public string Since(long mark) => string.Join("\n", _entries.Skip((int)Math.Max(0, mark - _dropped)));

    /// <summary>A position to quote from later.</summary>
    public long Mark => _dropped + _entries.Count;

    private long _dropped;

    private void Add(string entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > Keep && _entries.TryDequeue(out _)) Interlocked.Increment(ref _dropped);
    }

    public void Dispose() { }

    private sealed class Recorder(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var text = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}";
            if (exception is not null) text += "\n  " + exception.ToString().Replace("\n", "\n  ");
            owner.Add(text.Length > 4000 ? text[..4000] + "…" : text);
        }
    }
}
