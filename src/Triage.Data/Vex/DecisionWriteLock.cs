using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Triage.Data.Vex;

/// <summary>
/// Writes of decisions and VEX imports are serialised, so "what is in force now" read inside the transaction stays true
/// until it commits: that is what makes the optimistic-concurrency check of <see cref="DecisionRequest.Seen"/> sound across
/// several web instances. SQLite: a serializable transaction is <c>BEGIN IMMEDIATE</c> (its single writer). PostgreSQL: a
/// transaction-scoped advisory lock, as imports take (ADR 002), with its own key so decisions and scan imports do not wait
/// for each other.
/// </summary>
internal static class DecisionWriteLock
{
    public static async Task<IDbContextTransaction> BeginAsync(TriageDbContext db, CancellationToken ct)
    {
        switch (db.Provider)
        {
            case DatabaseProvider.Sqlite:
                return await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, ct);
            case DatabaseProvider.PostgreSql:
                var tx = await db.Database.BeginTransactionAsync(ct);
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(7425002)", ct);
                return tx;
        }
        throw new InvalidOperationException($"Unknown provider {db.Provider}.");
    }
}
