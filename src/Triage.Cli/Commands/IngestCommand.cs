using Triage.Core.Audit;
using System.CommandLine;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Data;
using Triage.Data.Import;
using Triage.Data.Vex;

namespace Triage.Cli.Commands;

/// <summary>`triage ingest [--db CONN] [--image REF] [--scanner auto|trivy|grype|snyk] [--json] FILE...`</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var image = new Option<string?>("--image") { Description = "Image the reports describe, when a report does not name it (file-system scans) or spells it differently.", HelpName = "REF" };
        var scanner = new Option<string>("--scanner") { Description = "Scanner that wrote the reports: auto (detect from content), trivy, grype or snyk.", DefaultValueFactory = _ => "auto", HelpName = "auto|trivy|grype|snyk" };
        scanner.AcceptOnlyFromAmong("auto", "trivy", "grype", "snyk");
        var json = CommonOptions.Json("Print one JSON object: {\"imports\":[…],\"failed\":[{\"file\",\"error\"}]}.");
        var files = new Argument<string[]>("FILE") { Description = "Scanner reports (Trivy, Grype or Snyk JSON). Each is imported on its own.", Arity = ArgumentArity.OneOrMore };

        var cmd = new Command("ingest", "Import scanner reports. Exit 0 when all landed, 1 when any failed (the others still land), 2 on usage errors.")
        {
            db, image, scanner, json, files,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var forced = parse.GetValue(scanner) is { } s && s != "auto" && ScannerKindNames.TryParse(s, out var k) ? k : (ScannerKind?)null;
            var imageRef = parse.GetValue(image);
            if (imageRef is not null && !Triage.Core.Identity.ImageReference.TryParse(imageRef, out _))
                throw new UsageException($"--image '{imageRef}' is not an image reference");
            return await RunAsync(CliSettings.ConnectionString(parse.GetValue(db)), parse.GetValue(files)!, imageRef, forced, parse.GetValue(json), ct);
        });
        return cmd;
    }

    private static async Task<int> RunAsync(string conn, string[] files, string? image, ScannerKind? scanner, bool json, CancellationToken ct)
    {
        var importer = RuntimeCommand.Importer(conn);
        var options = new ImportOptions { Image = image, Scanner = scanner, ImportedBy = "cli:" + Environment.UserName, MaxBytes = CliSettings.MaxReportBytes };
        var imports = new List<ImportSummary>();
        var failed = new List<(string File, string Error, string Code)>();
        // The next file is read and planned while the current one is stored (ReportImporter.ImportManyAsync).
        var sources = files.Select(file => new ReportSource(file, () => Open(file), LengthOf(file))).ToList();
        await importer.ImportManyAsync(sources, options, async (source, summary, error) =>
        {
            var file = source.FileName;
            try
            {
                if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                await RuntimeCommand.AfterImportAsync(conn, summary!, ct);
                imports.Add(summary!);
                await CliAudit.RecordAsync(conn, AuditActions.ReportImported, "scan", summary!.Image ?? file,
                    $"{Path.GetFileName(file)}: {summary.Findings} findings ({summary.NewFindings} new)" + (summary.Duplicate ? ", same bytes imported before" : ""));
                if (!json) Console.WriteLine(Describe(summary));
            }
            catch (ReportFormatException e)
            {
                Fail(file, e.Describe(), e.CodeName);
                await CliAudit.RecordAsync(conn, AuditActions.ReportRejected, "scan", Path.GetFileName(file), $"{e.CodeName}: {e.Message}", succeeded: false);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
            {
                Fail(file, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : e.Message, "io");
            }
            catch (ArgumentException e)
            {
                Fail(file, e.Message, "invalid");
            }
        }, ct: ct);
        // Stored VEX documents that named these images before they were scanned apply now (ADR 110): after reports that
        // created findings or gave an image a new name (only those can match a statement that matched nothing), one probe
        // query when there is no such document. A rescan that found nothing new under the same names costs nothing.
        if (VexRematch.IsWarrantedBy(imports)) await RematchVexAsync(conn, json, ct);

        if (json) WriteJson(imports, failed);
        return failed.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;

        void Fail(string file, string error, string code)
        {
            failed.Add((file, error, code));
            if (!json) Console.Error.WriteLine($"error: {file}: {error}");
        }
    }

    /// <summary>Matches stored VEX documents again; the reports have landed, so a failure is a warning and changes no exit code.</summary>
    private static async Task RematchVexAsync(string conn, bool json, CancellationToken ct)
    {
        try
        {
            foreach (var o in await new VexRematch(conn).AfterImportsAsync(DateTimeOffset.UtcNow, AuditChannels.Cli, ct))
            {
                // A skip the audit log already says (the same importer gone after every ingest) is not repeated.
                if (o.State != VexRematchState.Matched && !o.Repeated) Console.Error.WriteLine($"warning: {FindingsCommand.Printable(o.Describe())}");
                else if (o.DecisionsRecorded > 0 && !json) Console.WriteLine(FindingsCommand.Printable(o.Describe()));
                if (o.AuditError is { } error) Console.Error.WriteLine($"warning: the audit log was not written: {FindingsCommand.Printable(error)}");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"warning: stored VEX documents were not matched again ({FindingsCommand.Printable(e.Message)}); the reports landed");
        }
    }

    private static Stream Open(string file)
    {
        var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        // Local files are read synchronously: an async read per buffer would hop threads for no gain.
        return new Triage.Core.Ingest.Json.SynchronousReadStream(stream);
    }

    private static long? LengthOf(string file)
    {
        try
        {
            return new FileInfo(file).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static string Describe(ImportSummary s)
    {
        if (s.Duplicate) return $"{s.File}: already imported (same bytes, sha256 {s.Sha256[..12]}…); nothing changed";
        var skipped = s.Skipped.Count == 0 ? "" : $"; skipped {string.Join(", ", s.Skipped.Select(kv => $"{kv.Value} {kv.Key}"))}";
        var version = s.ScannerVersion is null ? "" : " " + s.ScannerVersion;
        var images = s.Artifacts.Count > 1 ? $"{s.Artifacts.Count} images" : s.Image;
        return $"{s.File}: {s.Scanner}{version} → {images}: {s.Observations} observations, {s.Findings} findings ({s.NewFindings} new){skipped}";
    }

    private static void WriteJson(List<ImportSummary> imports, List<(string File, string Error, string Code)> failed)
    {
        using var stdout = CliOutput.OpenStdout();
        using var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteStartArray("imports");
        foreach (var s in imports) ImportJson.Write(w, s);
        w.WriteEndArray();
        w.WriteStartArray("failed");
        foreach (var (file, error, code) in failed)
        {
            w.WriteStartObject();
            w.WriteString("file", file);
            w.WriteString("error", $"{file}: {error}");
            w.WriteString("code", code);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        stdout.WriteByte((byte)'\n');
    }
}
