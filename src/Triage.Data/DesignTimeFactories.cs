using Microsoft.EntityFrameworkCore.Design;

namespace Triage.Data;

// `dotnet ef migrations add X --context SqliteTriageDbContext -o Migrations/Sqlite` (and the PostgreSQL twin) use
// these; no server is needed to add a migration.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTriageDbContext>
{
    public SqliteTriageDbContext CreateDbContext(string[] args) => new(TriageDatabase.SqliteOptions("Data Source=design.db"));
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTriageDbContext>
{
    public PostgresTriageDbContext CreateDbContext(string[] args) =>
        new(TriageDatabase.PostgresOptions("Host=localhost;Database=triage_design;Username=triage"));
}
