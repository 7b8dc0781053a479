using Triage.Core.Audit;
using System.CommandLine;
using System.Text;
using Triage.Core.Vex;
using Triage.Data.Vex;

namespace Triage.Cli.Commands;

/// <summary>`triage vex export|import|documents|review|trust`: VEX documents in and out, and what needs another look.</summary>
internal static class VexCommand
{
    public static Command Create()
    {
        var cmd = new Command("vex", "Export and import VEX documents (OpenVEX, CycloneDX, CSAF); list imports and decisions to look at again.");
        cmd.Subcommands.Add(Export());
        cmd.Subcommands.Add(Import());
        cmd.Subcommands.Add(Documents());
        cmd.Subcommands.Add(Review());
        cmd.Subcommands.Add(Trust());
        return cmd;
    }

    /// <summary>`triage vex export --format openvex|cyclonedx|csaf [--image REF | --repository NAME | --team T | --all] -o FILE [--author NAME]`</summary>
    private static Command Export()
    {
        var db = CommonOptions.Db();
        var format = new Option<string>("--format") { Description = "Document format.", HelpName = "openvex|cyclonedx|csaf", Required = true };
        format.AcceptOnlyFromAmong("openvex", "cyclonedx", "csaf");
        var image = new Option<string?>("--image") { Description = "The image a reference names now: repository:tag or repository@sha256:….", HelpName = "REF" };
        var repository = new Option<string?>("--repository") { Description = "Every digest of a repository.", HelpName = "NAME" };
        var team = new Option<string?>("--team") { Description = "Every image of a team's repositories (team id).", HelpName = "T" };
        var all = new Option<bool>("--all") { Description = "Every image (the default)." };
        var output = new Option<string>("--output", "-o") { Description = "File to write ('-' for standard output).", HelpName = "FILE", Required = true };
        var author = new Option<string?>("--author") { Description = $"The document's author (default: Triage:Vex:Author in appsettings.json, then {VexExportService.DefaultAuthor}).", HelpName = "NAME" };
        var sign = new Option<bool>("--sign")
        {
            Description = "Also write <FILE>.sigstore.json: a Sigstore bundle v0.3 (DSSE, in-toto statement with predicate https://openvex.dev/ns for OpenVEX) " +
                          "over the image digests the document names. Keyless when Triage:Signing:Fulcio and an OIDC token are configured.",
        };
        var key = new Option<string?>("--key")
        {
            Description = "PEM private key to sign with (PKCS#8 or SEC1; default: Triage:Signing:KeyPath, then the app's key from the database).",
            HelpName = "K",
        };

        var cmd = new Command("export", "Write the decisions in force for a scope as a VEX document. Deterministic: the version goes up only when the content changes. " +
                                        "Exit 1 when the scope is unknown or nothing is decided there.")
        {
            db, format, image, repository, team, all, output, author, sign, key,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var given = new[] { parse.GetValue(image) is not null, parse.GetValue(repository) is not null, parse.GetValue(team) is not null, parse.GetValue(all) };
            if (given.Count(x => x) > 1) throw new UsageException("give at most one of --image, --repository, --team or --all");
            VexExportScope scope = parse.GetValue(image) is { } i ? new VexExportScope.Image(i)
                : parse.GetValue(repository) is { } r ? new VexExportScope.Repository(r)
                : parse.GetValue(team) is { } t ? new VexExportScope.Team(t)
                : VexExportScope.Everything.Instance;
            VexFormatNames.TryParse(parse.GetValue(format), out var fmt);
            var path = parse.GetValue(output)!;
            var who = parse.GetValue(author) ?? CliSettings.Configuration["Triage:Vex:Author"];
            var signing = parse.GetValue(sign);
            var keyPath = parse.GetValue(key);
            if (keyPath is not null && !signing) throw new UsageException("--key needs --sign");
            if (keyPath is not null && !File.Exists(keyPath)) throw new UsageException($"key file not found: {keyPath}");
            if (signing && path == "-") throw new UsageException("--sign writes <FILE>.sigstore.json beside the document: give a file, not '-'");
            var service = new VexExportService(CliSettings.ConnectionString(parse.GetValue(db)));
            return await CliErrors.RunAsync(async () =>
            {
                VexExportOutcome outcome;
                try
                {
                    outcome = await service.ExportAsync(fmt, scope, who, ct);
                    await CliAudit.RecordAsync(CliSettings.ConnectionString(parse.GetValue(db)), AuditActions.VexExported, "vex-export", scope.Key,
                        $"format {fmt.ToWire()}, {outcome.Statements} statements, {outcome.Images} images");
                }
                catch (VexExportException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return ExitCodes.Failed;
                }
                var r = outcome.Result;
                // Signed before anything is written: a signing failure leaves neither file.
                Data.Signing.SignedDocument? signed = null;
                if (signing)
                {
                    var options = CliSigning.Options();
                    // --key: keyed with that key, even where keyless signing is configured (a Rekor or TSA configured still logs/stamps it).
                    if (keyPath is not null) options = options with { KeyPath = keyPath, Fulcio = null, SigningConfig = null };
                    using var http = new HttpClient();
                    try
                    {
                        signed = await new Data.Signing.DocumentSigner(CliSettings.ConnectionString(parse.GetValue(db)), options,
                            options.Keyless || options.Rekor is not null || options.TimestampAuthority is not null ? http : null).SignAsync(fmt, r.Json, ct);
                    }
                    catch (Sigstore.SigstoreFormatException e)
                    {
                        var keyFile = keyPath ?? options.KeyPath;
                        Console.Error.WriteLine($"error: cannot sign: {(keyFile is null ? "" : keyFile + ": ")}{e.Message}");
                        return ExitCodes.Failed;
                    }
                    catch (Exception e) when (e is Sigstore.Signing.SigstoreServiceException or HttpRequestException or InvalidOperationException or IOException)
                    {
                        Console.Error.WriteLine($"error: cannot sign: {e.Message}");
                        return ExitCodes.Failed;
                    }
                }
                var json = r.Json + "\n";
                var bundlePath = path + ".sigstore.json";
                if (path == "-") Console.Out.Write(json);
                else
                {
                    var dir = Path.GetDirectoryName(Path.GetFullPath(path));
                    if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
                    await File.WriteAllTextAsync(path, json, new UTF8Encoding(false), ct);
                    if (signed is not null) await File.WriteAllTextAsync(bundlePath, signed.BundleJson + "\n", new UTF8Encoding(false), ct);
                }
                var summary = Console.Error;
                var change = outcome.PreviousVersion is null ? "first export" : outcome.Changed ? $"was version {outcome.PreviousVersion}" : "unchanged";
                summary.WriteLine($"Wrote {fmt.ToWire()} {r.DocumentId} version {r.Version} ({change}): {outcome.Statements} statement(s) " +
                                  $"about {outcome.Images} image(s) to {(path == "-" ? "standard output" : path)}.");
                if (r.Omitted.Count > 0) summary.WriteLine($"  {r.Omitted.Count} stored statement(s) not written (not in force for these images).");
                foreach (var loss in r.Losses) summary.WriteLine($"  {fmt.ToWire()} cannot say exactly: {loss}");
                if (signed is not null)
                    summary.WriteLine($"Signed ({(signed.Keyless ? "keyless" : $"key {signed.Signer}")}): {signed.PredicateType} over {signed.Subjects.Count} " +
                                      $"subject(s) → {bundlePath}.");
                else if (path != "-" && File.Exists(bundlePath))
                    summary.WriteLine($"  note: {bundlePath} signs an earlier export; `triage vex import` would find it invalid. Export with --sign or remove it.");
                return ExitCodes.Ok;
            });
        });
        return cmd;
    }

    /// <summary>`triage vex import FILE [--json] [--trust trusted|show|ignore]`</summary>
    private static Command Import()
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json("Print the import report: {\"document\",\"matched\",\"unmatched\",\"rejected\",\"unmatchedStatements\":[…],…}.");
        var trust = new Option<string?>("--trust")
        {
            Description = "How far to believe the document's author from now on: trusted (default for an author seen first), show (shown, never in force) or ignore.",
            HelpName = "trusted|show|ignore",
        };
        trust.AcceptOnlyFromAmong("trusted", "show", "show_only", "ignore");
        var bundleOption = new Option<string?>("--bundle")
        {
            Description = "The document's Sigstore bundle (default: FILE.sigstore.json when it exists, as `triage vex export --sign` writes it). " +
                          "It is checked against the trust policy (trusted roots, trusted signers of the author) before import; the document is " +
                          "recorded as verified, not_checked (signer not trusted for the author) or invalid, and an invalid one is never applied.",
            HelpName = "B",
        };
        var noBundle = new Option<bool>("--no-bundle") { Description = "Ignore FILE.sigstore.json beside the document (import it as unsigned)." };
        var file = new Argument<string>("FILE") { Description = "An OpenVEX, CycloneDX (VEX or BOM with vulnerabilities) or CSAF VEX document." };
        var cmd = new Command("import", "Import a VEX document: its statements become decisions on the images and packages they match; " +
                                        "every statement that matches nothing is listed with the reason. Exit 1 when the file cannot be read as VEX " +
                                        "or the bundle given with --bundle cannot be read; a bundle that does not verify is reported, not an error.")
        {
            db, json, trust, bundleOption, noBundle, file,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            VexTrust? level = parse.GetValue(trust) switch
            {
                null => null,
                "trusted" => VexTrust.Trusted,
                "ignore" => VexTrust.Ignore,
                _ => VexTrust.ShowOnly,
            };
            var path = parse.GetValue(file)!;
            var bundlePath = parse.GetValue(bundleOption);
            if (bundlePath is not null && parse.GetValue(noBundle)) throw new UsageException("give --bundle or --no-bundle, not both");
            var besideBundle = bundlePath is null && !parse.GetValue(noBundle) && File.Exists(path + ".sigstore.json");
            if (besideBundle) bundlePath = path + ".sigstore.json";
            var cs = CliSettings.ConnectionString(parse.GetValue(db));
            return await CliErrors.RunAsync(async () =>
            {
                VexImportReport report;
                Data.Signing.SignatureView? signature = null;
                byte[]? bundle = null;
                if (bundlePath is not null)
                {
                    try
                    {
                        bundle = await File.ReadAllBytesAsync(bundlePath, ct);
                    }
                    catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
                    {
                        Console.Error.WriteLine($"error: {bundlePath}: {(e is UnauthorizedAccessException ? e.Message : "file not found")}");
                        return ExitCodes.Failed;
                    }
                }
                try
                {
                    if (bundle is null)
                    {
                        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                        report = await new VexImportService(cs).ImportAsync(stream, path, new VexImportOptions { Trust = level, ImportedBy = "cli:" + Environment.UserName }, ct);
                    }
                    else
                    {
                        var document = await File.ReadAllBytesAsync(path, ct);
                        var signed = await new Data.Signing.SignedUploads(cs, CliSigning.Options()).ImportAsync(document, path, bundle,
                            new VexImportOptions { Trust = level, ImportedBy = "cli:" + Environment.UserName }, ct);
                        report = signed.Import;
                        signature = signed.Signature;
                    }
                    await CliAudit.RecordAsync(CliSettings.ConnectionString(parse.GetValue(db)), AuditActions.VexImported, "vex-document", Path.GetFileName(path),
                        $"{report.Statements} statements, {report.Matched} matched, {report.DecisionsRecorded} decisions recorded, {report.Rejected.Count} rejected");
                }
                catch (VexFormatException e)
                {
                    Console.Error.WriteLine($"error: {path}: {e.Describe()} ({e.CodeName})");
                    return ExitCodes.Failed;
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"error: {path}: {(e is UnauthorizedAccessException ? e.Message : "file not found")}");
                    return ExitCodes.Failed;
                }
                if (parse.GetValue(json)) CliJson.Write(w => DecisionJson.WriteImportReport(w, report, signature));
                else
                {
                    Console.Out.Write(Describe(path, report));
                    if (signature is not null) Console.Out.WriteLine(DescribeSignature(bundlePath!, signature));
                }
                return ExitCodes.Ok;
            });
        });
        return cmd;
    }

    /// <summary>`triage vex documents [ID] [--json]`</summary>
    private static Command Documents()
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var id = new Argument<long?>("ID") { Description = "One document: show every statement that did not become a decision.", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("documents", "List imported VEX documents, or show one with its unmatched, rejected and skipped statements.") { db, json, id };
        cmd.SetAction(async (parse, ct) =>
        {
            var service = new VexImportService(CliSettings.ConnectionString(parse.GetValue(db)));
            if (parse.GetValue(id) is { } one)
            {
                var details = await service.DocumentAsync(one, ct);
                if (details is null)
                {
                    Console.Error.WriteLine($"error: no imported VEX document {one}");
                    return ExitCodes.Failed;
                }
                if (parse.GetValue(json)) CliJson.Write(w => DecisionJson.WriteDocumentDetails(w, details));
                else
                {
                    Console.Out.WriteLine(DescribeDocument(details.Document));
                    foreach (var i in details.Issues) Console.Out.WriteLine("  " + DescribeIssue(i));
                }
                return ExitCodes.Ok;
            }
            var docs = await service.ListDocumentsAsync(ct);
            if (parse.GetValue(json))
                CliJson.Write(w =>
                {
                    w.WriteStartArray();
                    foreach (var d in docs) DecisionJson.WriteDocument(w, d);
                    w.WriteEndArray();
                });
            else if (docs.Count == 0) Console.Out.WriteLine("No VEX document imported. Import one: triage vex import FILE");
            else foreach (var d in docs) Console.Out.WriteLine(DescribeDocument(d));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>`triage vex review [--json]`</summary>
    private static Command Review()
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var cmd = new Command("review", "Decisions in force that need another look: expired, a new package version, listed in CISA KEV, contradicted by evidence.") { db, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var items = await new DecisionService(CliSettings.ConnectionString(parse.GetValue(db))).ReReviewAsync(ct);
            if (parse.GetValue(json)) CliJson.Write(w => DecisionJson.WriteReReview(w, items));
            else if (items.Count == 0) Console.Out.WriteLine("No decision needs another look.");
            else
                foreach (var i in items)
                {
                    var d = i.Decision;
                    Console.Out.WriteLine($"decision {d.Id}: {d.Vulnerability} {d.Status.ToWire()} in {d.ScopeText}{(d.Package is null ? "" : " for " + FindingsCommand.Printable(d.Package))} by {FindingsCommand.Printable(d.Author)}");
                    foreach (var f in i.Flags) Console.Out.WriteLine($"  {f.CodeName}: {f.Message}");
                }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>`triage vex trust AUTHOR trusted|show|ignore`</summary>
    private static Command Trust()
    {
        var db = CommonOptions.Db();
        var author = new Argument<string>("AUTHOR") { Description = "The author as the documents name it (see triage vex documents)." };
        var level = new Argument<string>("LEVEL") { Description = "trusted, show (shown, never in force) or ignore." };
        level.AcceptOnlyFromAmong("trusted", "show", "show_only", "ignore");
        var cmd = new Command("trust", "Set how far an author of imported VEX is believed; applies to the statements already recorded too.") { db, author, level };
        cmd.SetAction(async (parse, ct) =>
        {
            var t = parse.GetValue(level) switch { "trusted" => VexTrust.Trusted, "ignore" => VexTrust.Ignore, _ => VexTrust.ShowOnly };
            var name = parse.GetValue(author)!;
            await new VexImportService(CliSettings.ConnectionString(parse.GetValue(db))).SetAuthorTrustAsync(name, t, "cli:" + Environment.UserName, ct);
            Console.Out.WriteLine($"{FindingsCommand.Printable(name)}: {t.ToWire()}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static string Describe(string path, VexImportReport r)
    {
        var d = r.Document;
        var sb = new StringBuilder();
        sb.AppendLine($"{path}: {d.Format.ToWire()} {d.SpecVersion} document {d.DocumentId ?? "(no id)"} by {FindingsCommand.Printable(d.Author)}" +
            $"{(d.Version is null ? "" : $" version {d.Version}")}, trust {d.Trust.ToWire()}{(r.AlreadyImported ? " (same bytes imported before: matched again)" : "")}");
        sb.AppendLine($"{r.Statements} statement(s): matched {r.Matched} ({r.DecisionsRecorded} new decision(s) on {r.Findings} finding(s)), " +
            $"unmatched {r.Unmatched.Count}, rejected {r.Rejected.Count}, skipped {r.Skipped.Count}");
        foreach (var i in r.Unmatched.Concat(r.Rejected).Concat(r.Skipped)) sb.AppendLine("  " + DescribeIssue(i));
        foreach (var n in r.Notes) sb.AppendLine("  note: " + FindingsCommand.Printable(n));
        return sb.ToString();
    }

    private static string DescribeSignature(string bundlePath, Data.Signing.SignatureView s) =>
        $"signature ({bundlePath}): {s.Status.ToWire()}, {FindingsCommand.Printable(s.Signer)}" +
        $"{(s.SignedAt is { } at ? $", signed {at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z" : "")}{(s.TrustDomain is null ? "" : $", trust domain {s.TrustDomain}")}" +
        $"{(s.FailureCode is null ? "" : $": {s.FailureCode}")}{(s.Reason is null ? "" : $": {FindingsCommand.Printable(s.Reason)}")}" +
        (s.Status == VexSignatureStatus.Invalid ? " (its statements are not applied)" : "");

    private static string DescribeIssue(VexIssueView i) =>
        $"{i.KindName} {i.Location}{(i.Vulnerability is null ? "" : " " + FindingsCommand.Printable(i.Vulnerability))}: {i.Code}: {FindingsCommand.Printable(i.Message)}";

    private static string DescribeDocument(VexDocumentView d) =>
        $"{d.Id}: {d.Format.ToWire()} {d.DocumentId ?? "(no id)"} by {FindingsCommand.Printable(d.Author)}{(d.Version is null ? "" : $" v{d.Version}")} " +
        $"({FindingsCommand.Printable(d.FileName)}, {d.ImportedAt.UtcDateTime:yyyy-MM-dd HH:mm}Z): {d.Statements} statements, matched {d.Matched}, " +
        $"unmatched {d.Unmatched}, rejected {d.Rejected}; trust {d.Trust.ToWire()}, signature {d.Signature.ToWire()}";
}

/// <summary>Signing options from the configuration (section Triage:Signing), as the web app reads them.</summary>
internal static class CliSigning
{
    public static Data.Signing.SigningOptions Options()
    {
        var c = CliSettings.Configuration.GetSection("Triage:Signing");
        static string? V(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
        return new Data.Signing.SigningOptions
        {
            KeyPath = V(c["KeyPath"]), KeyPassword = V(c["KeyPassword"]), Fulcio = V(c["Fulcio"]), Rekor = V(c["Rekor"]),
            TimestampAuthority = V(c["TimestampAuthority"]), OidcToken = V(c["OidcToken"]), OidcTokenFile = V(c["OidcTokenFile"]), SigningConfig = V(c["SigningConfig"]),
        };
    }
}
