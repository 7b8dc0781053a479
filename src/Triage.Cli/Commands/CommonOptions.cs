using System.CommandLine;

namespace Triage.Cli.Commands;

/// <summary>Options every data command shares.</summary>
internal static class CommonOptions
{
    public static Option<string?> Db() => new("--db")
    {
        Description = "Connection string: 'Data Source=FILE' (SQLite) or 'Host=…;Database=…' (PostgreSQL). " +
                      "Default: TRIAGE_DB, then ConnectionStrings:Triage in appsettings.json, then data/triage.db.",
        HelpName = "CONN",
    };

    public static Option<bool> Json(string description = "Print machine-readable JSON.") => new("--json") { Description = description };
}

/// <summary>Exit codes are part of the CLI contract.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
}

/// <summary>A usage error found after parsing (a bad value): exit 2 with the reason.</summary>
internal sealed class UsageException(string message) : Exception(message);
