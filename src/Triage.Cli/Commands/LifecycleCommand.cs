using System.CommandLine;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Queries;

namespace Triage.Cli.Commands;

/// <summary>`triage lifecycle REPOSITORY [--json]`: the repository's findings followed across its digests.</summary>
internal static class LifecycleCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var repo = new Argument<string>("REPOSITORY") { Description = "An image repository (docker.io/library/nginx, or any reference to it)." };
        var cmd = new Command("lifecycle", "Follow a repository's findings across its digests: new, still present, reintroduced, fixed.") { db, json, repo };
        cmd.SetAction(async (parse, ct) =>
        {
            var conn = CliSettings.ConnectionString(parse.GetValue(db));
            await TriageDatabase.EnsureMigratedAsync(conn, ct);
            await using var ctx = TriageDatabase.CreateContext(conn);
            var digests = await LifecycleQueries.ForRepositoryAsync(ctx, parse.GetValue(repo)!, ct);
            if (digests.Count == 0)
            {
                Console.Error.WriteLine($"error: no images of repository '{parse.GetValue(repo)}' have been imported");
                return ExitCodes.Failed;
            }
            if (parse.GetValue(json)) WriteJson(digests);
            else
                foreach (var d in digests)
                {
                    Console.WriteLine($"{d.Digest ?? "(no digest)"}  {string.Join(",", d.Tags)}  first seen {d.FirstSeen:yyyy-MM-dd}: " +
                        $"{d.Count(LifecycleQueries.ProblemState.New)} new, {d.Count(LifecycleQueries.ProblemState.StillPresent)} still present, " +
                        $"{d.Count(LifecycleQueries.ProblemState.Reintroduced)} reintroduced, {d.Count(LifecycleQueries.ProblemState.Fixed)} fixed");
                    foreach (var p in d.Problems.Where(p => p.State != LifecycleQueries.ProblemState.StillPresent))
                        Console.WriteLine($"    {p.State.ToWire(),-13} {p.Severity.ToWire(),-8} {p.VulnerabilityId} {FindingsCommand.Printable(p.Package)} {FindingsCommand.Printable(p.Version ?? p.PreviousVersion)}");
                }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static void WriteJson(IReadOnlyList<LifecycleQueries.DigestLifecycle> digests)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var d in digests)
            {
                w.WriteStartObject();
                w.WriteString("digest", d.Digest);
                w.WriteStartArray("tags");
                foreach (var t in d.Tags) w.WriteStringValue(t);
                w.WriteEndArray();
                w.WriteString("firstSeen", d.FirstSeen);
                foreach (var s in Enum.GetValues<LifecycleQueries.ProblemState>()) w.WriteNumber(s.ToWire(), d.Count(s));
                w.WriteStartArray("problems");
                foreach (var p in d.Problems)
                {
                    w.WriteStartObject();
                    w.WriteString("state", p.State.ToWire());
                    w.WriteString("vulnerability", p.VulnerabilityId);
                    w.WriteString("package", p.Package);
                    w.WriteString("version", p.Version);
                    w.WriteString("previousVersion", p.PreviousVersion);
                    w.WriteString("severity", p.Severity.ToWire());
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stdout.WriteByte((byte)'\n');
    }
}
