using System.CommandLine;
using System.Text.Json;
using Triage.Core.Ingest;
using Triage.Data.Runtime;

namespace Triage.Cli.Commands;

/// <summary>`triage enrich [--db CONN] [--json] FILE...`: CISA KEV (JSON or CSV) and FIRST EPSS (CSV plain or gzip, or JSON).</summary>
internal static class EnrichCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json("Print one JSON object: {\"imports\":[…],\"failed\":[{\"file\",\"error\",\"code\"}]}.");
        var files = new Argument<string[]>("FILE")
        {
            Description = "CISA KEV catalogs (known_exploited_vulnerabilities.json or .csv) and FIRST EPSS scores (epss_scores-YYYY-MM-DD.csv[.gz]); format detected from content.",
            Arity = ArgumentArity.OneOrMore,
        };
        var cmd = new Command("enrich", "Import exploitation data (KEV, EPSS), matched to findings through their alias groups, then score every finding again. " +
                                        "Exit 0 when all landed, 1 when any failed, 2 on usage errors.") { db, json, files };
        cmd.SetAction(async (parse, ct) =>
        {
            var (policy, settings) = RuntimeCommand.Configured();
            var service = new EnrichmentService(CliSettings.ConnectionString(parse.GetValue(db)), policy, settings);
            var options = new EnrichmentImportOptions { ImportedBy = "cli:" + Environment.UserName, MaxDecompressedBytes = CliSettings.MaxDecompressedBytes };
            var asJson = parse.GetValue(json);
            var imports = new List<EnrichmentSummary>();
            var failed = new List<(string File, string Error, string Code)>();
            foreach (var file in parse.GetValue(files)!)
            {
                try
                {
                    await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                    var summary = await service.ImportAsync(stream, Path.GetFileName(file), options, ct);
                    imports.Add(summary);
                    if (!asJson)
                    {
                        Console.WriteLine(EnrichmentJson.Describe(summary));
                        foreach (var w in summary.Warnings.Take(10)) Console.Error.WriteLine($"warning: {file}: {w}");
                    }
                }
                catch (ReportFormatException e) { Fail(file, e.Describe(), e.CodeName); }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { Fail(file, "file not found", "io"); }
                catch (Exception e) when (e is UnauthorizedAccessException or IOException) { Fail(file, e.Message, "io"); }
                catch (ArgumentException e) { Fail(file, e.Message, "invalid"); }
            }
            if (asJson)
            {
                using var stdout = CliOutput.OpenStdout();
                using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
                {
                    w.WriteStartObject();
                    w.WriteStartArray("imports");
                    foreach (var s in imports) EnrichmentJson.Write(w, s);
                    w.WriteEndArray();
                    CommonOutput.WriteFailures(w, failed);
                    w.WriteEndObject();
                }
                stdout.WriteByte((byte)'\n');
            }
            return failed.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;

            void Fail(string file, string error, string code)
            {
                failed.Add((file, error, code));
                if (!asJson) Console.Error.WriteLine($"error: {file}: {error}");
            }
        });
        return cmd;
    }
}
