using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Triage.Core.Ingest;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Inventory;
using Triage.Data.Runtime;

namespace Triage.Cli.Commands;

/// <summary>
/// `triage runtime ingest [--db CONN] [--cluster NAME] [--coverage SCOPE] [--image REF] [--partial] [--source NAME] [--observed-at TIME] [--json] FILE...`,
/// `triage runtime refresh [--db CONN]` and `triage runtime purge [--db CONN] [--dry-run] [--json]`.
/// </summary>
internal static class RuntimeCommand
{
    public static Command Create()
    {
        var cmd = new Command("runtime", "Runtime evidence: what runs where, which files are used, which vulnerable code is called.");
        cmd.Subcommands.Add(Ingest());
        cmd.Subcommands.Add(Refresh());
        cmd.Subcommands.Add(Purge());
        return cmd;
    }

    private static Command Ingest()
    {
        var db = CommonOptions.Db();
        var cluster = new Option<string?>("--cluster") { Description = "Cluster the pod list or trivy-operator reports come from (they do not name it).", HelpName = "NAME" };
        var coverage = new Option<string?>("--coverage")
        {
            Description = "What the inventory covers: cluster (every pod of the cluster), namespaces:NS[,NS…], node:NAME, or partial (only what it lists, " +
                          "e.g. a label-selected list). Default: derived from the list (kubectl get pods -A: cluster; -n NS: that namespace; the kubelet's " +
                          "/pods: its node). Only cluster-wide inventories show that an image does not run.",
            HelpName = "SCOPE",
        };
        var image = new Option<string?>("--image")
        {
            Description = "The image the evidence describes, for files that do not name it: slim creport.json (old versions), govulncheck output " +
                          "(the image or scanned source tree holding the Go code), package lists, file-access lines without an image.",
            HelpName = "REF",
        };
        var partial = new Option<bool>("--partial") { Description = "Mark a slim creport's profile partial: the probe run did not exercise the whole workload, so it proves use but never non-use." };
        var source = new Option<string?>("--source") { Description = "Source name for file-access JSON lines without a header (tetragon, strace, ebpf…).", HelpName = "NAME" };
        var observedAt = new Option<string?>("--observed-at") { Description = "When the snapshot was taken (ISO 8601); default now.", HelpName = "TIME" };
        var json = CommonOptions.Json("Print one JSON object: {\"ingested\":[…],\"failed\":[{\"file\",\"error\",\"code\"}]}.");
        var files = new Argument<string[]>("FILE")
        {
            Description = "Evidence files, format detected from content: kubectl/kubelet pod lists, trivy-operator VulnerabilityReports, slim creport.json and " +
                          "slim.report.json, file-access JSON lines, govulncheck JSON, Trivy --list-all-pkgs / Syft / CycloneDX package lists.",
            Arity = ArgumentArity.OneOrMore,
        };
        var cmd = new Command("ingest", "Ingest runtime evidence, then recompute the verdicts and scores it affects. Exit 0 when all landed, 1 when any failed, 2 on usage errors.")
        {
            db, cluster, coverage, image, partial, source, observedAt, json, files,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            DateTimeOffset? at = null;
            if (parse.GetValue(observedAt) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    throw new UsageException($"--observed-at '{text}' is not a time (use ISO 8601, e.g. 2025-08-25T12:00:00Z)");
                at = parsed;
            }
            InventoryCoverage? stated = null;
            if (parse.GetValue(coverage) is { } scope && !InventoryCoverage.TryParse(scope, out stated, out var error)) throw new UsageException("--" + error);
            var imageRef = parse.GetValue(image);
            if (imageRef is not null && !RuntimeImageName.TryParse(imageRef, out _)) throw new UsageException($"--image '{imageRef}' is not an image reference");
            var options = new RuntimeIngestOptions
            {
                Cluster = parse.GetValue(cluster),
                Coverage = stated,
                Image = imageRef,
                SlimCompleteness = parse.GetValue(partial) ? ProfileCompleteness.Partial : null,
                Source = parse.GetValue(source),
                ObservedAt = at,
                ImportedBy = "cli:" + Environment.UserName,
                MaxBytes = CliSettings.MaxReportBytes,
            };
            var (policy, settings) = Configured();
            var service = new RuntimeIngestService(CliSettings.ConnectionString(parse.GetValue(db)), settings, policy);
            return await RunAsync(service, parse.GetValue(files)!, options, parse.GetValue(json), ct);
        });
        return cmd;
    }

    private static Command Refresh()
    {
        var db = CommonOptions.Db();
        var cmd = new Command("refresh", "Recompute every verdict from the stored evidence and every score (e.g. after changing Triage:Ranking).") { db };
        cmd.SetAction(async (parse, ct) =>
        {
            var (policy, settings) = Configured();
            var r = await new FindingRiskService(CliSettings.ConnectionString(parse.GetValue(db)), policy, settings).RefreshEverythingAsync(ct);
            Console.WriteLine($"{r.FindingsJudged} verdicts on {r.ArtifactsJudged} images, {r.FindingsScored} findings scored in {r.ElapsedMs} ms");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Purge()
    {
        var db = CommonOptions.Db();
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be deleted; delete nothing." };
        var json = CommonOptions.Json("Print one JSON object: {\"dryRun\",\"workloads\",\"snapshots\",\"inventoryFiles\",\"evidenceFiles\",\"evidenceParts\",\"bytes\",…}.");
        var cmd = new Command("purge",
            "Delete superseded runtime evidence as Triage:Runtime:Retention says (the web app does it every Triage:Retention:IntervalMinutes): " +
            "old inventory snapshots with a newer one of the same cluster, source and coverage, workloads long gone, evidence files superseded " +
            "by a newer one for the same image that no scanned image's verdict reads. What verdicts, scores and their explanations read is kept.")
        {
            db, dryRun, json,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var (_, settings) = Configured();
            RuntimeRetentionSettings retention;
            try { retention = RuntimeConfiguration.Retention(CliSettings.Configuration); }
            catch (Exception e) when (e is InvalidOperationException or FormatException) { throw new UsageException(e.Message); }
            var connection = CliSettings.ConnectionString(parse.GetValue(db));
            var result = await new RuntimeRetention(connection, retention, settings).PurgeAsync(parse.GetValue(dryRun), ct);
            if (!result.DryRun) await CliAudit.RecordAsync(connection, Core.Audit.AuditActions.RuntimePurged, "runtime", "retention", result.Describe());
            if (parse.GetValue(json))
            {
                using var stdout = CliOutput.OpenStdout();
                using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true })) result.Write(w);
                stdout.WriteByte((byte)'\n');
            }
            else Console.WriteLine($"{result.Describe()} in {result.ElapsedMs} ms");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Triage:Ranking and Triage:Runtime from appsettings.json and TRIAGE_*/Triage__* variables; a bad section is a usage error.</summary>
    internal static (RankingPolicy Policy, RuntimeSettings Settings) Configured()
    {
        try
        {
            return (RuntimeConfiguration.Ranking(CliSettings.Configuration), RuntimeConfiguration.Runtime(CliSettings.Configuration));
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// After `triage ingest` stored a report: the verdicts and scores of its images (evidence ingested earlier applies now).
    /// The import has landed either way; a failure here is reported, and `triage runtime refresh` repairs it.
    /// </summary>
    internal static async Task AfterImportAsync(string connectionString, Triage.Data.Import.ImportSummary summary, CancellationToken ct)
    {
        if (summary.Duplicate || summary.RiskScored) return;
        try
        {
            var (policy, settings) = Configured();
            await new FindingRiskService(connectionString, policy, settings).AfterImportAsync(summary, ct);
        }
        catch (Exception e) when (e is UsageException or System.Data.Common.DbException or InvalidOperationException)
        {
            Console.Error.WriteLine($"warning: {summary.File}: imported, but its verdicts and scores were not refreshed ({e.Message}); run 'triage runtime refresh'");
        }
    }

    /// <summary>An importer that scores the images it imports in its own transaction (when no decision exists yet); without
    /// a valid ranking configuration it imports only, and <see cref="AfterImportAsync"/> reports the problem.</summary>
    internal static Triage.Data.Import.ReportImporter Importer(string connectionString)
    {
        FindingRiskService? risk;
        try
        {
            var (policy, settings) = Configured();
            risk = new FindingRiskService(connectionString, policy, settings);
        }
        catch (Exception e) when (e is UsageException or ArgumentException)
        {
            risk = null;
        }
        return new Triage.Data.Import.ReportImporter(connectionString, risk);
    }

    private static async Task<int> RunAsync(RuntimeIngestService service, string[] files, RuntimeIngestOptions options, bool json, CancellationToken ct)
    {
        var ingested = new List<RuntimeIngestSummary>();
        var failed = new List<(string File, string Error, string Code)>();
        foreach (var file in files)
        {
            try
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                var summary = await service.IngestAsync(stream, file, options, ct);
                ingested.Add(summary);
                if (!json)
                {
                    Console.WriteLine(RuntimeJson.Describe(summary));
                    foreach (var w in summary.Warnings.Take(10)) Console.Error.WriteLine($"warning: {file}: {w}");
                }
            }
            catch (ReportFormatException e) { Fail(file, e.Describe(), e.CodeName); }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                Fail(file, "file not found", "io");
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException) { Fail(file, e.Message, "io"); }
            catch (ArgumentException e) { Fail(file, e.Message, "invalid"); }
        }

        if (json)
        {
            using var stdout = CliOutput.OpenStdout();
            using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteStartArray("ingested");
                foreach (var s in ingested) RuntimeJson.Write(w, s);
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
            if (!json) Console.Error.WriteLine($"error: {file}: {error}");
        }
    }
}

/// <summary>The "failed" array the file-taking commands share.</summary>
internal static class CommonOutput
{
    public static void WriteFailures(Utf8JsonWriter w, List<(string File, string Error, string Code)> failed)
    {
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
    }
}
