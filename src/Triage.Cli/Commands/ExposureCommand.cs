using System.CommandLine;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Queries;

namespace Triage.Cli.Commands;

/// <summary>`triage exposure CVE-ID [--json]`: which images and digests contain a vulnerability, through which packages.</summary>
internal static class ExposureCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var all = new Option<bool>("--all") { Description = "Include images where no scanner reports it any more." };
        var id = new Argument<string>("ID") { Description = "A vulnerability id (CVE, GHSA, GO-, SNYK-…), any alias of it, or a distro advisory (DSA-…, RHSA-…)." };
        var cmd = new Command("exposure", "Which images and digests contain a vulnerability, and through which packages.") { db, json, all, id };
        cmd.SetAction(async (parse, ct) =>
        {
            var conn = CliSettings.ConnectionString(parse.GetValue(db));
            await TriageDatabase.EnsureMigratedAsync(conn, ct);
            await using var ctx = TriageDatabase.CreateContext(conn);
            var exposure = await ExposureQueries.FindAsync(ctx, parse.GetValue(id)!, parse.GetValue(all), ct);
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true })) ExposureJson.Write(w, exposure);
                stdout.WriteByte((byte)'\n');
            }
            else Print(exposure);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static void Print(ExposureQueries.Exposure e)
    {
        if (!e.Known)
        {
            Console.WriteLine($"{e.QueriedId}: not known to Triage (no imported report mentions it).");
            return;
        }
        foreach (var v in e.Vulnerabilities)
        {
            var aka = v.Aliases.Count > 0 ? $" (also {string.Join(", ", v.Aliases)})" : "";
            Console.WriteLine($"{v.Id}{aka}");
            if (v.Upstream.Count > 0) Console.WriteLine($"  advisories: {string.Join(", ", v.Upstream)}");
            if (v.Images.Count == 0)
            {
                Console.WriteLine("  no image currently contains it.");
                continue;
            }
            var repos = v.Images.Select(i => i.Repository).Distinct().Count();
            Console.WriteLine($"  in {v.Images.Count} image(s) of {repos} repositor{(repos == 1 ? "y" : "ies")}:");
            foreach (var i in v.Images)
            {
                Console.WriteLine($"  {i.Severity.ToWire().ToUpperInvariant(),-9} {i.Image}{(i.Digest is null ? "" : "  " + i.Digest)}  (seen by {string.Join(", ", i.Scanners)})");
                foreach (var p in i.Packages)
                {
                    var fix = p.FixedVersions.Count > 0 ? $"fixed in {string.Join(", ", p.FixedVersions.Select(FindingsCommand.Printable))}" : "no fix known";
                    Console.WriteLine($"            via {FindingsCommand.Printable(p.Name)} {FindingsCommand.Printable(p.Version)}{(p.SourceName is null ? "" : $" (source {p.SourceName})")}; {fix}");
                }
            }
        }
    }
}
