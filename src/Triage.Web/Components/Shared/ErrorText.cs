using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Ingest;

namespace Triage.Web.Components.Shared;

/// <summary>What a person reads when something fails: a sentence, never a stack trace (the exception is logged).</summary>
public static class ErrorText
{
    public static string Describe(Exception e) => e switch
    {
        ReportFormatException r => r.Describe(),
        UnauthorizedAccessException => "you are not allowed to do that.",
        ArgumentException a => a.Message,
        DbUpdateConcurrencyException => "someone else changed this at the same time; reload and try again.",
        _ when Infrastructure.Operations.StorageFaults.Classify(e) is not Infrastructure.Operations.StorageFault.None and var fault =>
            Infrastructure.Operations.StorageFaults.Describe(fault) + ".",
        DbUpdateException or DbException => "the database could not complete the request; try again in a moment.",
        OperationCanceledException or TimeoutException => "the operation took too long or was cancelled.",
        _ => "an unexpected error occurred (it has been logged).",
    };
}
