using Microsoft.Extensions.Configuration;
using Triage.Data;

namespace Triage.Cli;

/// <summary>The configuration the CLI reads: the root appsettings.json (copied beside the binary) and TRIAGE_* /
/// Triage__* environment variables; the same file the web app reads.</summary>
internal static class CliSettings
{
    private static IConfiguration? _configuration;

    public static IConfiguration Configuration => _configuration ??= new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
        .AddEnvironmentVariables()
        .Build();

    /// <summary>--db, then TRIAGE_DB, then ConnectionStrings:Triage in appsettings.json, then data/triage.db.</summary>
    public static string ConnectionString(string? explicitDb)
    {
        if (!string.IsNullOrWhiteSpace(explicitDb)) return explicitDb;
        var env = Environment.GetEnvironmentVariable("TRIAGE_DB");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        var fromFile = Configuration.GetConnectionString("Triage");
        return string.IsNullOrWhiteSpace(fromFile) ? TriageDatabase.DefaultConnectionString : fromFile;
    }

    public static long MaxReportBytes =>
        Configuration.GetValue<long?>("Triage:Import:MaxReportBytes") ?? Data.Import.ImportOptions.DefaultMaxBytes;

    /// <summary>How far a gzip EPSS file may inflate (the web app reads the same setting).</summary>
    public static long MaxDecompressedBytes =>
        Configuration.GetValue<long?>("Triage:Import:MaxDecompressedBytes") ?? Core.Enrichment.EpssReadOptions.DefaultMaxDecompressedBytes;
}
