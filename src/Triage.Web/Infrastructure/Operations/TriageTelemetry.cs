using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Triage.Web.Infrastructure.Operations;

/// <summary>
/// The app's own traces and metrics ("Triage" activity source and meter), exported with ASP.NET Core's, HttpClient's and
/// Npgsql's when <c>Triage:Telemetry:OtlpEndpoint</c> is set (docs/operations.md). Without an exporter they cost next to nothing.
/// </summary>
public sealed class TriageTelemetry
{
    public const string Name = "Triage";
    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _imports;
    private readonly Histogram<double> _importSeconds;
    private readonly Counter<long> _takeovers;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _purged;
    private long _queued;
    private long _running;

    public TriageTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _imports = meter.CreateCounter<long>("triage.imports", "{import}", "Imports finished, by outcome (imported, duplicate, refused, failed)");
        _importSeconds = meter.CreateHistogram<double>("triage.import.duration", "s", "Time from claim to result of one import job");
        _takeovers = meter.CreateCounter<long>("triage.queue.claims", "{job}", "Jobs this instance claimed from the queue (enqueued elsewhere, or left by an instance that stopped)");
        _retries = meter.CreateCounter<long>("triage.db.transient_retries", "{retry}", "Database operations retried after a transient failure");
        _purged = meter.CreateCounter<long>("triage.retention.purged", "{row}", "Raw reports emptied and finished jobs deleted by retention");
        meter.CreateObservableGauge("triage.queue.depth", () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref _queued), new KeyValuePair<string, object?>("state", "queued")),
            new Measurement<long>(Interlocked.Read(ref _running), new KeyValuePair<string, object?>("state", "running")),
        }, "{job}", "Import jobs waiting and running, across all instances (as last seen by this one)");
    }

    public void ImportFinished(string outcome, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _imports.Add(1, tag);
        _importSeconds.Record(duration.TotalSeconds, tag);
    }

    public void Claimed() => _takeovers.Add(1);
    public void Retried() => _retries.Add(1);
    public void Purged(string what, long count) { if (count > 0) _purged.Add(count, new KeyValuePair<string, object?>("what", what)); }

    public void QueueDepth(int queued, int running)
    {
        Interlocked.Exchange(ref _queued, queued);
        Interlocked.Exchange(ref _running, running);
    }
}
