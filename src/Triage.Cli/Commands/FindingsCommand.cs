using System.CommandLine;
using System.Text;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Queries;

namespace Triage.Cli.Commands;

/// <summary>`triage findings [--db CONN] [--image REF] [--format json|csv|table]`</summary>
internal static class FindingsCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var image = new Option<string?>("--image") { Description = "Only this image: a repository (every digest), repository:tag or repository@digest.", HelpName = "REF" };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table", HelpName = "json|csv|table" };
        format.AcceptOnlyFromAmong("json", "csv", "table");
        var severity = new Option<string?>("--min-severity") { Description = "Only findings at least this severe.", HelpName = "critical|high|medium|low" };
        severity.AcceptOnlyFromAmong("critical", "high", "medium", "low", "unknown");
        var vuln = new Option<string?>("--vuln") { Description = "Only this vulnerability (any id or alias, or an upstream advisory).", HelpName = "ID" };
        var all = new Option<bool>("--all") { Description = "Include findings no scanner reports any more." };
        var groupBy = new Option<string?>("--group-by") { Description = "Group instead of listing: source (one row per source package), vulnerability (across images) or layer.", HelpName = "source|vulnerability|layer" };
        groupBy.AcceptOnlyFromAmong("source", "vulnerability", "layer");

        var cmd = new Command("findings", "List deduplicated findings with every scanner's evidence.") { db, image, format, severity, vuln, all, groupBy };
        cmd.SetAction(async (parse, ct) =>
        {
            var conn = CliSettings.ConnectionString(parse.GetValue(db));
            await TriageDatabase.EnsureMigratedAsync(conn, ct);
            await using var ctx = TriageDatabase.CreateContext(conn);
            var filter = new FindingFilter
            {
                Image = parse.GetValue(image),
                MinSeverity = parse.GetValue(severity) is { } s ? SeverityNames.Parse(s) : null,
                Vulnerability = parse.GetValue(vuln),
                IncludeInactive = parse.GetValue(all),
            };
            if (parse.GetValue(groupBy) is { } by)
            {
                var kind = by switch { "source" => GroupingQueries.GroupBy.SourcePackage, "vulnerability" => GroupingQueries.GroupBy.Vulnerability, _ => GroupingQueries.GroupBy.Layer };
                WriteGroups(await GroupingQueries.GroupAsync(ctx, filter, kind, take: 10_000, ct: ct), parse.GetValue(format) == "json");
                return ExitCodes.Ok;
            }
            // Streamed page by page (most severe first): memory holds one page, whatever the database holds; every page
            // is read from one snapshot, so imports committing meanwhile neither add to nor move findings in the listing.
            await using var snapshot = await TriageDatabase.BeginSnapshotAsync(ctx, ct);
            var pages = FindingQueries.StreamBySeverityAsync(ctx, filter, PageSize, ct);
            using var stdout = CliOutput.OpenStdout();
            await WriteAsync(parse.GetValue(format)!, pages, stdout);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Findings read and written per page.</summary>
    internal const int PageSize = 2000;

    /// <summary>Writes the pages in the format as they arrive. A reader that closes the pipe (`| head`) makes the next write
    /// fail, which ends the listing: no further page is read.</summary>
    internal static Task WriteAsync(string format, IAsyncEnumerable<List<FindingView>> pages, Stream stdout) => format switch
    {
        "json" => WriteJsonAsync(pages, stdout),
        "csv" => WriteCsvAsync(pages, stdout),
        _ => WriteTableAsync(pages, stdout),
    };

    private static async Task WriteJsonAsync(IAsyncEnumerable<List<FindingView>> pages, Stream stdout)
    {
        using (var w = new Utf8JsonWriter(stdout, FindingJson.Options))
        {
            w.WriteStartArray();
            await foreach (var page in pages)
            {
                foreach (var f in page) FindingJson.Write(w, f);
                await w.FlushAsync();
            }
            w.WriteEndArray();
        }
        stdout.WriteByte((byte)'\n');
    }

    private static void WriteGroups(List<GroupingQueries.FindingGroup> groups, bool json)
    {
        if (json)
        {
            using var stdout = CliOutput.OpenStdout();
            using (var w = new Utf8JsonWriter(stdout, FindingJson.Options))
            {
                w.WriteStartArray();
                foreach (var g in groups)
                {
                    w.WriteStartObject();
                    w.WriteString("key", g.Key);
                    w.WriteNumber("findings", g.Findings);
                    w.WriteNumber("images", g.Images);
                    w.WriteString("maxSeverity", g.MaxSeverity.ToWire());
                    w.WriteNumber("fixable", g.Fixable);
                    w.WriteStartArray("members");
                    foreach (var m in g.Members) w.WriteStringValue(m);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            stdout.WriteByte((byte)'\n');
            return;
        }
        var sb = new StringBuilder();
        sb.AppendLine($"{"GROUP",-40} {"FINDINGS",8} {"IMAGES",6} {"MAX",-9} {"FIXABLE",7}  MEMBERS");
        foreach (var g in groups)
            sb.AppendLine($"{Printable(g.Key),-40} {g.Findings,8} {g.Images,6} {g.MaxSeverity.ToWire(),-9} {g.Fixable,7}  {Printable(string.Join(", ", g.Members))}");
        Console.Out.Write(sb.ToString());
    }

    private static async Task WriteCsvAsync(IAsyncEnumerable<List<FindingView>> pages, Stream stdout)
    {
        var sb = new StringBuilder();
        sb.AppendLine("id,image,digest,vulnerability,aliases,severity,package,version,purl,source_package,scanners,fixed_versions,first_seen,last_seen");
        await foreach (var page in pages)
        {
            foreach (var f in page)
            {
                sb.AppendJoin(',',
                    f.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Csv(f.Image), Csv(f.Digest), Csv(f.Vulnerability.Id),
                    Csv(string.Join(' ', f.Vulnerability.Aliases)), f.Severity.ToWire(), Csv(f.Package.Name), Csv(f.Package.Version), Csv(f.Package.Purl),
                    Csv(f.Package.SourceName), Csv(string.Join(' ', f.Scanners)), Csv(string.Join(' ', f.FixedVersions)),
                    f.FirstSeen.ToString("O"), f.LastSeen.ToString("O"));
                sb.AppendLine();
            }
            Emit(stdout, sb);
        }
        Emit(stdout, sb);
    }

    /// <summary>Writes what the builder holds as UTF-8 and empties it.</summary>
    private static void Emit(Stream stdout, StringBuilder sb)
    {
        stdout.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        sb.Clear();
    }

    /// <summary>RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run scanner text as a formula.</summary>
    internal static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        var v = value;
        if (v[0] is '=' or '+' or '-' or '@' or '\t' or '\r') v = "'" + v;
        return v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
    }

    /// <summary>Columns are sized by the first page (at most 48 characters; longer cells end in …), so the table streams too.</summary>
    private static async Task WriteTableAsync(IAsyncEnumerable<List<FindingView>> pages, Stream stdout)
    {
        string[] header = ["SEVERITY", "VULNERABILITY", "PACKAGE", "VERSION", "FIXED IN", "SCANNERS", "IMAGE"];
        int[]? widths = null;
        var count = 0;
        var sb = new StringBuilder();
        void Line(string[] cells)
        {
            for (var i = 0; i < cells.Length; i++)
            {
                var c = cells[i].Length > widths![i] ? cells[i][..(widths[i] - 1)] + "…" : cells[i];
                sb.Append(c.PadRight(widths[i] + 2));
            }
            sb.AppendLine();
        }
        await foreach (var page in pages)
        {
            var rows = page.Select(f => new[]
            {
                f.Severity.ToWire().ToUpperInvariant(), f.Vulnerability.Id, Printable(f.Package.Name), Printable(f.Package.Version),
                string.Join(",", f.FixedVersions.Select(Printable)), string.Join(",", f.Scanners), f.Image,
            }).ToList();
            if (widths is null)
            {
                widths = header.Select((h, i) => Math.Min(48, Math.Max(h.Length, rows.Max(r => r[i].Length)))).ToArray();
                Line(header);
            }
            foreach (var r in rows) Line(r);
            count += rows.Count;
            Emit(stdout, sb);
        }
        sb.AppendLine(count == 0 ? "No findings. Import a report first: triage ingest trivy.json" : $"{count} findings");
        Emit(stdout, sb);
    }

    /// <summary>Control characters from scanner text (a NUL in a version) are shown escaped, never sent to the terminal.</summary>
    internal static string Printable(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        if (!s.Any(char.IsControl)) return s;
        var sb = new StringBuilder(s.Length + 8);
        foreach (var ch in s) sb.Append(char.IsControl(ch) ? $"\\u{(int)ch:x4}" : ch.ToString());
        return sb.ToString();
    }
}
