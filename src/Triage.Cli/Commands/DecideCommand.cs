using Triage.Core.Audit;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Triage.Core.Vex;
using Triage.Data.Vex;

namespace Triage.Cli.Commands;

/// <summary>
/// `triage decide --vuln ID (--image REF | --repository NAME | --team T | --all) [--package PURL] --status STATUS
/// [--justification J] [--impact TEXT] [--action TEXT] [--author NAME] [--expires DATE] [--preview] [--json]`.
/// Exit 2 when VEX refuses the statement (with the reason) or the arguments are wrong; 1 when the vulnerability or image is
/// unknown.
/// </summary>
internal static class DecideCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json("Print {\"recorded\",\"applies\",\"governs\",\"decisions\":[…],\"findings\":[…]}.");
        var vuln = new Option<string>("--vuln") { Description = "The vulnerability (CVE, GHSA or any id a scanner reported; aliases apply too).", HelpName = "ID", Required = true };
        var image = new Option<string?>("--image") { Description = "Only this image: repository:tag (its current digest) or repository@sha256:….", HelpName = "REF" };
        var repository = new Option<string?>("--repository") { Description = "Every current and future digest of this repository.", HelpName = "NAME" };
        var team = new Option<string?>("--team") { Description = "Every image of this team's repositories (team id).", HelpName = "T" };
        var all = new Option<bool>("--all") { Description = "Everywhere (e.g. a disputed CVE)." };
        var package = new Option<string?>("--package") { Description = "Only this package (a purl; without version it covers every version).", HelpName = "PURL" };
        var range = new Option<string?>("--range") { Description = "Only the package versions in this vers range (vers:apk/>=1.36|<1.37).", HelpName = "VERS" };
        var status = new Option<string>("--status") { Description = "not_affected, affected, fixed or under_investigation.", HelpName = "STATUS", Required = true };
        var justification = new Option<string?>("--justification")
        {
            Description = "Why not_affected: component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, " +
                          "vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist (or a CycloneDX justification).",
            HelpName = "J",
        };
        var impact = new Option<string?>("--impact") { Description = "Impact statement: why not_affected, in words.", HelpName = "TEXT" };
        var action = new Option<string?>("--action") { Description = "Action statement: what users should do (needed for affected).", HelpName = "TEXT" };
        var response = new Option<string[]>("--response") { Description = "CycloneDX response(s): can_not_fix, will_not_fix, update, rollback, workaround_available.", HelpName = "R", AllowMultipleArgumentsPerToken = true };
        var author = new Option<string?>("--author") { Description = "Who decides (default: TRIAGE_AUTHOR, then the user name).", HelpName = "NAME" };
        var expires = new Option<string?>("--expires") { Description = "When the decision lapses and needs a new look (2026-12-31 or an RFC 3339 time).", HelpName = "DATE" };
        var notes = new Option<string?>("--notes") { Description = "Free text kept with the decision.", HelpName = "TEXT" };
        var preview = new Option<bool>("--preview") { Description = "Show what the decision would touch; record nothing." };

        var cmd = new Command("decide", "Record a VEX decision about a vulnerability in an image, a repository, a team's images or everywhere. " +
                                        "Exit 0 when recorded, 1 when the vulnerability or image is unknown, 2 when VEX refuses it.")
        {
            db, json, vuln, image, repository, team, all, package, range, status, justification, impact, action, response, author, expires, notes, preview,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var scopes = new[] { parse.GetValue(image) is not null, parse.GetValue(repository) is not null, parse.GetValue(team) is not null, parse.GetValue(all) };
            if (scopes.Count(x => x) != 1) throw new UsageException("say where the decision applies: exactly one of --image REF, --repository NAME, --team T or --all");
            DecisionTarget target = parse.GetValue(image) is { } i ? new DecisionTarget.Image(i)
                : parse.GetValue(repository) is { } r ? new DecisionTarget.Repository(r)
                : parse.GetValue(team) is { } t ? new DecisionTarget.Team(t)
                : DecisionTarget.Everywhere.Instance;

            if (!VexNames.TryParseStatus(parse.GetValue(status), out var st))
                throw new UsageException($"--status '{parse.GetValue(status)}' is not one of not_affected, affected, fixed, under_investigation");
            VexJustification? j = null;
            CycloneDxJustification? cj = null;
            if (parse.GetValue(justification) is { } js)
            {
                if (VexNames.TryParseJustification(js, out var vj)) j = vj;
                else if (CycloneDxNames.TryParseJustification(js, out var cdx)) cj = cdx;
                else throw new UsageException($"--justification '{js}' is not an OpenVEX justification (component_not_present, vulnerable_code_not_present, " +
                                              "vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist) " +
                                              "nor a CycloneDX one");
            }
            var responses = new List<CycloneDxResponse>();
            foreach (var rs in (parse.GetValue(response) ?? []).SelectMany(x => x.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                responses.Add(CycloneDxNames.TryParseResponse(rs, out var cr) ? cr
                    : throw new UsageException($"--response '{rs}' is not one of can_not_fix, will_not_fix, update, rollback, workaround_available"));

            var request = new DecisionRequest
            {
                Vulnerability = parse.GetValue(vuln),
                Target = target,
                Package = parse.GetValue(package),
                VersionRange = parse.GetValue(range),
                Status = st,
                Justification = j,
                CycloneDxJustification = cj,
                ImpactStatement = parse.GetValue(impact),
                ActionStatement = parse.GetValue(action),
                Responses = responses,
                Author = Author(parse.GetValue(author)),
                ExpiresAt = parse.GetValue(expires) is { } e ? ParseTime(e, "--expires") : null,
                Notes = parse.GetValue(notes),
            };
            var service = new DecisionService(CliSettings.ConnectionString(parse.GetValue(db)));
            return await CliErrors.RunAsync(async () =>
            {
                var outcome = parse.GetValue(preview) ? await service.PreviewAsync(request, ct) : await service.RecordAsync(request, ct);
                if (outcome.Recorded)
                    await CliAudit.RecordAsync(CliSettings.ConnectionString(parse.GetValue(db)), AuditActions.DecisionRecorded, "vulnerability",
                        request.Vulnerability ?? "findings", $"{request.Status.ToWire()} on {outcome.Applies} findings");
                if (parse.GetValue(json)) CliJson.Write(w => DecisionJson.WriteOutcome(w, outcome));
                else Console.Out.Write(Describe(outcome));
                return ExitCodes.Ok;
            });
        });
        return cmd;
    }

    /// <summary>--author, then TRIAGE_AUTHOR, then the user running the command.</summary>
    internal static string Author(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given)) return given.Trim();
        var env = Environment.GetEnvironmentVariable("TRIAGE_AUTHOR");
        if (!string.IsNullOrWhiteSpace(env)) return env.Trim();
        return string.IsNullOrWhiteSpace(Environment.UserName) ? "cli" : Environment.UserName;
    }

    /// <summary>A date (midnight UTC) or an RFC 3339 time; a time without offset is UTC.</summary>
    internal static DateTimeOffset ParseTime(string value, string option)
    {
        if (DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t;
        throw new UsageException($"{option} '{value}' is not a date (2026-12-31) or an RFC 3339 time (2026-12-31T12:00:00Z)");
    }

    private static string Describe(DecisionOutcome o)
    {
        var sb = new StringBuilder();
        var verb = o.Recorded ? "Decided" : "Preview, nothing recorded: would decide";
        foreach (var d in o.Decisions)
        {
            var why = d.Justification?.ToWire() ?? d.CycloneDxJustification?.ToWire();
            sb.Append(CultureInfo.InvariantCulture, $"{verb} {d.Vulnerability} {d.Status.ToWire()}{(why is null ? "" : $" ({why})")} in {d.ScopeText}");
            if (d.Package is not null) sb.Append(" for ").Append(FindingsCommand.Printable(d.VersionRange is null ? d.Package : $"{d.Package} {d.VersionRange}"));
            sb.Append(CultureInfo.InvariantCulture, $" by {FindingsCommand.Printable(d.Author)} at {d.Timestamp.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}");
            if (d.ExpiresAt is { } e) sb.Append(CultureInfo.InvariantCulture, $", expires {e.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}");
            sb.AppendLine(o.Recorded ? $" (decision {d.Id})." : ".");
        }
        var would = o.Recorded ? "" : "would ";
        sb.AppendLine($"{(o.Recorded ? "Applies" : "Would apply")} to {o.Applies} current finding{(o.Applies == 1 ? "" : "s")}; {would}govern{(o.Recorded ? "s" : "")} {o.Governs}" +
            (o.Applies > o.Governs ? $" ({o.Applies - o.Governs} keep a more specific decision)." : "."));
        if (!o.Recorded)
            foreach (var f in o.Findings)
                sb.AppendLine($"  {f.Image}  {FindingsCommand.Printable(f.Package)}  {f.Vulnerability}: {(f.Before is { } b ? b.Status.ToWire() : "undecided")} → " +
                    (f.Governs ? o.Decisions.Count == 1 ? o.Decisions[0].Status.ToWire() : "decided" : "unchanged (a more specific decision wins)"));
        return sb.ToString();
    }
}

/// <summary>JSON on standard output through <see cref="Console.Out"/> (so tests and pipes see the same bytes).</summary>
internal static class CliJson
{
    public static void Write(Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true })) write(w);
        Console.Out.Write(Encoding.UTF8.GetString(ms.ToArray()));
        Console.Out.WriteLine();
    }
}

/// <summary>The exit codes of the decision and VEX commands: 2 for what the user must change in the request (a VEX rule,
/// a malformed value), 1 for what is missing or failed (unknown vulnerability or image, unreadable document).</summary>
internal static class CliErrors
{
    public static async Task<int> RunAsync(Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (VexRuleException e)
        {
            Console.Error.WriteLine($"error: {e.Violation.Reason} ({e.Violation.CodeName})");
            return ExitCodes.Usage;
        }
        catch (DecisionTargetException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.Error == DecisionTargetError.Invalid ? ExitCodes.Usage : ExitCodes.Failed;
        }
        catch (DecisionConflictException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
