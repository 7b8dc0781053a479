using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Triage.Data;
using Triage.Data.Metrics;

namespace Triage.Cli.Commands;

/// <summary>
/// `triage compare IMAGE_A IMAGE_B [--format md|json]`: why open findings differ between two images (removed with a
/// package, fixed by an upgrade, suppressed by a VEX decision, newly disclosed, introduced by a package), with package count
/// and size. `triage compare REPOSITORY --from DATE --to DATE` compares a repository's lineage at two dates.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var format = new Option<string>("--format") { Description = "Output format.", HelpName = "md|json", DefaultValueFactory = _ => "md" };
        format.AcceptOnlyFromAmong("md", "json");
        var from = new Option<string?>("--from") { Description = "With one REPOSITORY: the first date (yyyy-MM-dd or an ISO 8601 time, UTC).", HelpName = "DATE" };
        var to = new Option<string?>("--to") { Description = "With one REPOSITORY: the second date (default: now).", HelpName = "DATE" };
        var images = new Argument<string[]>("IMAGE") { Description = "Two images (repository:tag, repository@sha256:…, or a repository for its newest image), " +
                                                                      "or one repository with --from.", Arity = new ArgumentArity(1, 2) };
        var cmd = new Command("compare", "Explain the difference in open findings between two images, or a repository's lineage at two dates. " +
                                         "after = before − removedWithPackage − fixedByUpgrade − suppressedByDecision + newlyDisclosed + introducedByPackage.")
        {
            db, format, from, to, images,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var args = parse.GetValue(images)!;
            var byDate = parse.GetValue(from) is not null || parse.GetValue(to) is not null;
            if (byDate && args.Length != 1) throw new UsageException("--from and --to compare one repository at two dates: give one REPOSITORY");
            if (!byDate && args.Length != 2) throw new UsageException("give two images (IMAGE_A IMAGE_B), or one repository with --from DATE");
            var conn = CliSettings.ConnectionString(parse.GetValue(db));
            await TriageDatabase.EnsureMigratedAsync(conn, ct);
            await using var ctx = TriageDatabase.CreateContext(conn);
            var now = DateTime.UtcNow;
            var decisions = await DecisionsAsOf.LoadAsync(ctx, ct);
            Comparison comparison;
            try
            {
                if (byDate)
                {
                    var first = ParseDate(parse.GetValue(from) ?? throw new UsageException("--to needs --from"), "--from");
                    var second = parse.GetValue(to) is { } t ? ParseDate(t, "--to") : now;
                    var repository = await LineageQueries.FindRepositoryAsync(ctx, args[0], ct);
                    if (repository is null) return Fail($"no repository '{args[0]}' has been imported");
                    comparison = await CompareQueries.DatesAsync(ctx, repository.Value.Id, first, second, decisions, ct);
                }
                else
                {
                    var a = await CompareQueries.ResolveImageAsync(ctx, args[0], ct);
                    if (a is null) return Fail($"no image '{args[0]}' has been imported");
                    var b = await CompareQueries.ResolveImageAsync(ctx, args[1], ct);
                    if (b is null) return Fail($"no image '{args[1]}' has been imported");
                    comparison = await CompareQueries.ImagesAsync(ctx, a.Value, b.Value, now, decisions, ct);
                }
            }
            catch (CompareException e)
            {
                return Fail(e.Message);
            }

            using var stdout = CliOutput.OpenStdout();
            if (parse.GetValue(format) == "json")
            {
                using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true })) ComparisonExport.WriteJson(w, comparison);
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                using var text = new StreamWriter(stdout, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
                ComparisonExport.WriteMarkdown(text, comparison);
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.Failed;
    }

    internal static DateTime ParseDate(string text, string option)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t.UtcDateTime;
        throw new UsageException($"{option} '{text}' is not a date (yyyy-MM-dd or an ISO 8601 time)");
    }
}
