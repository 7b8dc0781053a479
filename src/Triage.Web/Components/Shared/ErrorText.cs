using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Ingest;
using Triage.Core.Vex;
using Triage.Data.Vex;

namespace Triage.Web.Components.Shared;

/// <summary>What a person reads when something fails: a sentence, never a stack trace (the exception is logged).</summary>
public static class ErrorText
{
    public static string Describe(Exception e) => e switch
    {
        ReportFormatException r => r.Describe(),
        DecisionConflictException c => $"not recorded: someone decided meanwhile. In force now: {Conflict(c)} It is shown; decide again if you still disagree.",
        UnauthorizedAccessException => "you are not allowed to do that.",
        ArgumentException a => a.Message,
        DbUpdateConcurrencyException => "someone else changed this at the same time; reload and try again.",
        _ when Infrastructure.Operations.StorageFaults.Classify(e) is not Infrastructure.Operations.StorageFault.None and var fault =>
            Infrastructure.Operations.StorageFaults.Describe(fault) + ".",
        DbUpdateException or DbException => "the database could not complete the request; try again in a moment.",
        OperationCanceledException or TimeoutException => "the operation took too long or was cancelled.",
        _ => "an unexpected error occurred (it has been logged).",
    };

    /// <summary>The decision that won a concurrent decide, as a sentence ("affected by Tom at 2026-11-30 11:13 UTC (repository …).").</summary>
    public static string Conflict(DecisionConflictException e) => e.Conflicts[0].Current is { } other
        ? $"{other.Status.ToWire()} by {other.Author} at {other.Timestamp.UtcDateTime:yyyy-MM-dd HH:mm} UTC ({other.ScopeText})."
        : "no decision (the one you saw was withdrawn).";
}
