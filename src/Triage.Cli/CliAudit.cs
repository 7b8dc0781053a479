using Triage.Core.Audit;
using Triage.Data.Audit;

namespace Triage.Cli;

/// <summary>Records what the command line changed in the audit log (as "cli:USER" from "local"). A failure to write it is
/// a warning on stderr; the action itself has already been committed.</summary>
internal static class CliAudit
{
    public static async Task RecordAsync(string connection, string action, string? targetType, string? target, string? details, bool succeeded = true)
    {
        try
        {
            await new AuditLog(connection).AppendAsync(AuditActor.Cli(), action, targetType, target, details, succeeded);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"warning: the audit log was not written: {e.Message}");
        }
    }
}
