using Microsoft.EntityFrameworkCore;
using Triage.Data;
using Triage.Data.Import;

namespace Triage.Web.Infrastructure;

/// <summary>Database wiring for the web app: one connection string, a context factory (one context per operation in
/// Blazor Server), the importer, and migrations at start.</summary>
public static class DataServices
{
    /// <summary>TRIAGE_DB, then ConnectionStrings:Triage (root appsettings.json), then data/triage.db under the working directory.</summary>
    public static string ResolveConnectionString(IConfiguration configuration)
    {
        var env = Environment.GetEnvironmentVariable("TRIAGE_DB");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        var cs = configuration.GetConnectionString("Triage");
        return string.IsNullOrWhiteSpace(cs) ? TriageDatabase.DefaultConnectionString : cs;
    }

    public static WebApplicationBuilder AddTriageData(this WebApplicationBuilder builder)
    {
        var cs = ResolveConnectionString(builder.Configuration);
        builder.Services.AddSingleton(new TriageConnection(cs));
        builder.Services.AddSingleton<IDbContextFactory<TriageDbContext>>(new TriageDbContextFactory(cs));
        // Imports score their images in their own transaction while no decision exists (FindingRiskService from the runtime feature).
        builder.Services.AddSingleton(sp => new ReportImporter(cs, sp.GetRequiredService<Triage.Data.Runtime.FindingRiskService>()));
        return builder;
    }

    /// <summary>Creates or migrates the database before the app serves requests (several instances may start at once:
    /// EF takes a migration lock).</summary>
    public static async Task MigrateTriageDatabaseAsync(this WebApplication app)
    {
        var cs = app.Services.GetRequiredService<TriageConnection>().ConnectionString;
        await TriageDatabase.EnsureMigratedAsync(cs);
        app.Logger.LogInformation("Database ready ({Provider})", TriageDatabase.DetectProvider(cs));
    }
}

/// <summary>The connection string in use (never logged: it may hold a password).</summary>
public sealed record TriageConnection(string ConnectionString)
{
    public override string ToString() => $"TriageConnection({TriageDatabase.DetectProvider(ConnectionString)})";
}

/// <summary>Creates contexts of the configured provider; options are built once.</summary>
public sealed class TriageDbContextFactory : IDbContextFactory<TriageDbContext>
{
    private readonly Func<TriageDbContext> _create;

    public TriageDbContextFactory(string connectionString)
    {
        switch (TriageDatabase.DetectProvider(connectionString))
        {
            case DatabaseProvider.Sqlite:
                var so = TriageDatabase.SqliteOptions(connectionString);
                _create = () => new SqliteTriageDbContext(so);
                break;
            case DatabaseProvider.PostgreSql:
                var po = TriageDatabase.PostgresOptions(connectionString);
                _create = () => new PostgresTriageDbContext(po);
                break;
            default:
                throw new InvalidOperationException("unknown provider");
        }
    }

    public TriageDbContext CreateDbContext() => _create();
}
