using Triage.Core.Domain;
using Triage.Core.Ingest;

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

    public ParsedReport Build()
    {
        _ = Target;
        return _report;
    }
}
