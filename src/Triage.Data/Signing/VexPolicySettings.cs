using Microsoft.EntityFrameworkCore;
using Triage.Data.Vex;

namespace Triage.Data.Signing;

/// <summary>
/// Whether imported VEX must be signed to apply (configuration <c>Triage:Vex:RequireSignatures</c>). Stored in the database
/// because the materialised effective decisions depend on it: the web app writes its configured value at start, the CLI
/// reads what is stored, and a change recomputes every effective decision.
/// </summary>
public static class VexPolicySettings
{
    public const string RequireSignaturesKey = "vex.require_signatures";

    public static async Task<bool> RequireSignaturesAsync(TriageDbContext db, CancellationToken ct = default) =>
        await db.AppSettings.AsNoTracking().Where(s => s.Key == RequireSignaturesKey).Select(s => s.Value).FirstOrDefaultAsync(ct) == "true";

    /// <summary>Stores the setting; when it changed, every effective decision is resolved again. Returns whether it changed.</summary>
    public static async Task<bool> SetRequireSignaturesAsync(string connectionString, bool value, TimeProvider? time = null, CancellationToken ct = default)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        await using var tx = await DecisionWriteLock.BeginAsync(db, ct);
        var row = await db.AppSettings.FirstOrDefaultAsync(s => s.Key == RequireSignaturesKey, ct);
        var text = value ? "true" : "false";
        if (row?.Value == text || (row is null && !value)) return false;
        if (row is null) db.AppSettings.Add(row = new AppSetting { Key = RequireSignaturesKey, Value = text });
        row.Value = text;
        row.UpdatedAt = now.UtcDateTime;
        await db.SaveChangesAsync(ct);
        await EffectiveDecisions.RecomputeAllAsync(db, now, ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
