using System.CommandLine;
using System.Text.Json;
using Triage.Data;
using Triage.Data.Metrics;

namespace Triage.Cli.Commands;

/// <summary>`triage lineage show|replace|unlink`: a repository's images over time, and which repository replaces which.</summary>
internal static class LineageCommand
{
    public static Command Create()
    {
        var cmd = new Command("lineage", "A repository's images over time (tags, base image, OS, size, packages) and the repositories it replaces or is replaced by.");
        cmd.Subcommands.Add(Show());
        cmd.Subcommands.Add(Replace());
        cmd.Subcommands.Add(Unlink());
        return cmd;
    }

    private static Command Show()
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var repo = new Argument<string>("REPOSITORY") { Description = "A repository (or any image reference to it)." };
        var cmd = new Command("show", "List the lineage's repositories and every image, oldest first.") { db, json, repo };
        cmd.SetAction(async (parse, ct) =>
        {
            var conn = CliSettings.ConnectionString(parse.GetValue(db));
            await TriageDatabase.EnsureMigratedAsync(conn, ct);
            await using var ctx = TriageDatabase.CreateContext(conn);
            var found = await LineageQueries.FindRepositoryAsync(ctx, parse.GetValue(repo)!, ct);
            if (found is null)
            {
                Console.Error.WriteLine($"error: no repository '{parse.GetValue(repo)}' has been imported");
                return ExitCodes.Failed;
            }
            var view = (await LineageQueries.ForRepositoryAsync(ctx, found.Value.Id, DateTime.UtcNow, ct))!;
            if (parse.GetValue(json)) WriteJson(view);
            else
            {
                Console.WriteLine(string.Join(" → ", view.Repositories.Select(r => r.Name + (r.Team is null ? "" : $" (team {r.Team})"))));
                foreach (var i in view.Images)
                    Console.WriteLine($"{(i.Current ? "*" : " ")} {i.FirstSeen:yyyy-MM-dd}  {FindingsCommand.Printable(i.DisplayName)}  {i.Os ?? "os ?"}" +
                                      $"{(i.BaseImage is null ? "" : $"  base {FindingsCommand.Printable(i.BaseImage)}")}  {MetricsFormat.Size(i.SizeBytes)}  " +
                                      $"{i.PackageCount} packages  {i.Findings.Total} findings ({i.Findings.Critical} critical, {i.Findings.High} high)");
                Console.WriteLine("(* current: still counted in the metrics)");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Replace()
    {
        var db = CommonOptions.Db();
        var old = new Argument<string>("OLD") { Description = "The repository being replaced (e.g. app on debian)." };
        var @new = new Argument<string>("NEW") { Description = "The repository that replaces it (e.g. app on distroless, or a rename)." };
        var cmd = new Command("replace", "Declare that NEW replaces OLD, so reduction is tracked across the switch. Run `triage metrics snapshot --rebuild` " +
                                         "to recompute weeks already complete.") { db, old, @new };
        cmd.SetAction(async (parse, ct) =>
        {
            var conn = CliSettings.ConnectionString(parse.GetValue(db));
            await TriageDatabase.EnsureMigratedAsync(conn, ct);
            await using var ctx = TriageDatabase.CreateContext(conn);
            try
            {
                var r = await LineageService.ReplaceAsync(ctx, parse.GetValue(old)!, parse.GetValue(@new)!, ct);
                var from = await LineageQueries.FindRepositoryAsync(ctx, parse.GetValue(old)!, ct);
                Console.WriteLine($"{r.Name} replaces {from!.Value.Name}.");
                return ExitCodes.Ok;
            }
            catch (LineageException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return cmd;
    }

    private static Command Unlink()
    {
        var db = CommonOptions.Db();
        var repo = new Argument<string>("REPOSITORY") { Description = "The repository whose replacement declaration is withdrawn." };
        var cmd = new Command("unlink", "Withdraw what REPOSITORY replaces.") { db, repo };
        cmd.SetAction(async (parse, ct) =>
        {
            var conn = CliSettings.ConnectionString(parse.GetValue(db));
            await TriageDatabase.EnsureMigratedAsync(conn, ct);
            await using var ctx = TriageDatabase.CreateContext(conn);
            try
            {
                var r = await LineageService.UnlinkAsync(ctx, parse.GetValue(repo)!, ct);
                Console.WriteLine($"{r.Name} replaces no repository.");
                return ExitCodes.Ok;
            }
            catch (LineageException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return cmd;
    }

    private static void WriteJson(LineageView view)
    {
        using var stdout = CliOutput.OpenStdout();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true })) LineageExport.WriteJson(w, view);
        stdout.WriteByte((byte)'\n');
    }
}
