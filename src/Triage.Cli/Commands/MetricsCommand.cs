using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Triage.Core.Metrics;
using Triage.Data;
using Triage.Data.Metrics;

namespace Triage.Cli.Commands;

/// <summary>`triage metrics snapshot|weekly`: store this week's (and any missing week's) snapshots; print the weekly review.</summary>
internal static class MetricsCommand
{
    public static Command Create()
    {
        var cmd = new Command("metrics", "Weekly metrics: open findings by severity, fixable, decided, time to remediate, SLA breaches, and why they moved.");
        cmd.Subcommands.Add(Snapshot());
        cmd.Subcommands.Add(Weekly());
        return cmd;
    }

    /// <summary>Triage:Metrics:SlaDays:{Critical,High,Medium,Low,Unknown} in appsettings.json or TRIAGE_… variables.</summary>
    internal static SlaPolicy Sla() =>
        (CliSettings.Configuration.GetSection("Triage:Metrics:SlaDays").Get<SlaPolicy>() ?? SlaPolicy.Default).Validate();

    private static Command Snapshot()
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var rebuild = new Option<bool>("--rebuild") { Description = "Recompute every week that still has scans (after declaring a replacement or changing teams); older weeks are kept." };
        var cmd = new Command("snapshot", "Compute and store the weekly snapshots not yet complete, up to the week in progress. Weeks already complete are kept as they are.")
        {
            db, json, rebuild,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var conn = CliSettings.ConnectionString(parse.GetValue(db));
            var run = await new MetricsSnapshotter(conn, Sla()).RunAsync(parse.GetValue(rebuild), ct);
            if (parse.GetValue(json))
            {
                using var stdout = CliOutput.OpenStdout();
                using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
                {
                    w.WriteStartObject();
                    w.WriteString("from", run.From?.ToString());
                    w.WriteString("to", run.To?.ToString());
                    w.WriteNumber("weeks", run.Weeks);
                    w.WriteNumber("rows", run.Rows);
                    w.WriteNumber("openProblems", run.OpenProblems);
                    w.WriteNumber("seconds", Math.Round(run.Elapsed.TotalSeconds, 3));
                    w.WriteString("skipped", run.Skipped);
                    w.WriteEndObject();
                }
                stdout.WriteByte((byte)'\n');
            }
            else if (run.Skipped is not null) Console.WriteLine($"Nothing stored: {run.Skipped}.");
            else Console.WriteLine($"Stored {run.Rows} snapshot rows for {run.Weeks} week(s), {run.From} to {run.To} (in progress), in {run.Elapsed.TotalSeconds:0.0} s; " +
                                   $"{run.OpenProblems} problems open at the start of {run.To}.");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Weekly()
    {
        var db = CommonOptions.Db();
        var format = new Option<string>("--format") { Description = "Output format.", HelpName = "json|csv|md", DefaultValueFactory = _ => "md" };
        format.AcceptOnlyFromAmong("json", "csv", "md");
        var team = new Option<string?>("--team") { Description = "One team (id or name). Default: every repository.", HelpName = "T" };
        var repository = new Option<string?>("--repository") { Description = "One repository.", HelpName = "NAME" };
        var weeks = new Option<int>("--weeks") { Description = "How many weeks, ending with --week.", HelpName = "N", DefaultValueFactory = _ => 12 };
        var week = new Option<string?>("--week") { Description = "The week under review (2026-W05). Default: the week in progress.", HelpName = "YYYY-Www" };
        var cmd = new Command("weekly", "The weekly review: the trend, why the number moved, time to remediate, SLA breaches, top movers, slimming wins, " +
                                        "decisions expiring soon. Reads stored snapshots (run `triage metrics snapshot` first).")
        {
            db, format, team, repository, weeks, week,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(team) is not null && parse.GetValue(repository) is not null) throw new UsageException("give --team or --repository, not both");
            if (parse.GetValue(weeks) is < 1 or > 520) throw new UsageException("--weeks must be between 1 and 520");
            IsoWeek? selected = null;
            if (parse.GetValue(week) is { } w)
                selected = IsoWeek.TryParse(w, out var parsed) ? parsed : throw new UsageException($"--week '{w}' is not an ISO week such as 2026-W05");
            var conn = CliSettings.ConnectionString(parse.GetValue(db));
            await TriageDatabase.EnsureMigratedAsync(conn, ct);
            await using var ctx = TriageDatabase.CreateContext(conn);
            var scope = ReportScope.All;
            if (parse.GetValue(team) is { } t)
            {
                if (await WeeklyReportQueries.FindTeamAsync(ctx, t, ct) is not { } found)
                {
                    Console.Error.WriteLine($"error: no team '{t}'");
                    return ExitCodes.Failed;
                }
                scope = ReportScope.Team(found.Id, found.Name);
            }
            else if (parse.GetValue(repository) is { } r)
            {
                if (await LineageQueries.FindRepositoryAsync(ctx, r, ct) is not { } found)
                {
                    Console.Error.WriteLine($"error: no repository '{r}' has been imported");
                    return ExitCodes.Failed;
                }
                scope = ReportScope.Repository(found.Id, found.Name);
            }
            var decisions = await DecisionsAsOf.LoadAsync(ctx, ct);
            var report = await WeeklyReportQueries.LoadAsync(ctx, scope, parse.GetValue(weeks), selected, DateTime.UtcNow, decisions, ct);
            using var stdout = CliOutput.OpenStdout();
            switch (parse.GetValue(format))
            {
                case "json":
                    using (var jw = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true })) WeeklyReportExport.WriteJson(jw, report);
                    stdout.WriteByte((byte)'\n');
                    break;
                case "csv":
                    using (var text = new StreamWriter(stdout, new UTF8Encoding(false))) WeeklyReportExport.WriteCsv(text, report);
                    break;
                default:
                    using (var text = new StreamWriter(stdout, new UTF8Encoding(false)) { NewLine = "\n" }) WeeklyReportExport.WriteMarkdown(text, report);
                    break;
            }
            if (report.Weeks.Count == 0) Console.Error.WriteLine("note: no snapshot in these weeks; run `triage metrics snapshot`.");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
