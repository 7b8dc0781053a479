using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Core.Identity;
using Triage.Data.Import;

namespace Triage.Data.Tests;

/// <summary>Builds small parsed reports in code, so storage tests do not depend on the parsers.</summary>
internal sealed class ReportBuilder(ScannerKind scanner, string image = "docker.io/library/app:1", string? digest = "sha256:" + "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12")
{
    private readonly ParsedReport _report = new(scanner) { ScannerVersion = "1.0" };
    private ParsedTarget? _target;

    private ParsedTarget Target
    {
        get
        {
            if (_target is not null) return _target;
            _target = new ParsedTarget { Name = image, Kind = "container_image" };
            if (digest is not null) _target.RepoDigests.Add(image.Split(':')[0] + "@" + digest);
            _report.AddTarget(_target);
            return _target;
        }
    }

    public ReportBuilder Claim(string vulnId, string type, string name, string version, Severity severity = Severity.High,
        string[]? aliases = null, string[]? fixedIn = null, string? purl = null, string? description = null, string? source = null)
    {
        var key = Target.AddPackage(new ParsedPackage { Type = type, Name = name, Version = version, Purl = purl, SourceName = source });
        var o = new ParsedObservation { VulnerabilityId = vulnId, PackageKey = key, Severity = severity };
        foreach (var a in aliases ?? []) o.Aliases.Add(a);
        foreach (var f in fixedIn ?? []) o.FixedVersions.Add(f);
        o.FixState = fixedIn is { Length: > 0 } ? FixState.Fixed : FixState.NotFixed;
        Target.AddObservation(o);
        _report.AddVulnerability(new ParsedVulnerability { Id = vulnId, Title = $"{vulnId} title", Description = description });
        return this;
    }

    /// <summary>A digest made of one repeated hex digit.</summary>
    public static string Digest(char c) => "sha256:" + new string(c, 64);

    /// <summary>Stores the report through the bulk import path, as one import of a file named r.json.</summary>
    public async Task StoreAsync(string conn, string? image = null) =>
        await new ReportImporter(conn).StoreAsync(ImportPlan.Build(Build(), image, "r.json"), "r.json", Guid.NewGuid().ToString("N"), [1], 1, new ImportOptions());

    public ParsedReport Build()
    {
        _ = Target;
        return _report;
    }
}
