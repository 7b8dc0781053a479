using Triage.Core.Identity;
using Triage.Core.Vex;

namespace Triage.Core.Tests.Vex.Support;

/// <summary>Short builders for statements and findings in tests.</summary>
public static class Vx
{
    public const string Repo = "docker.io/library/alpine";
    public const string Digest = "sha256:6baf43584bcb78f2e5847d1de515f23499913ac9f12bdf834811a3145eb11ca1";
    public const string OtherDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static VexScope.Digest DigestScope(string digest = Digest, string repo = Repo) => new(repo, digest);

    public static VexStatementDraft Draft(string vuln, VexStatus status, VexScope? scope = null, DateTimeOffset? at = null,
        VexJustification? justification = null, string? impact = null, string? action = null, string? package = null,
        DateTimeOffset? expires = null, string author = "alice", VexSource? source = null) => new()
        {
            Vulnerability = new VulnerabilityRef(vuln),
            Scope = scope ?? DigestScope(),
            Status = status,
            Justification = justification,
            ImpactStatement = impact,
            ActionStatement = action,
            Subcomponent = package is null ? null : new VexSubcomponent(Purl.Parse(package)),
            Author = author,
            Timestamp = at ?? T0,
            ExpiresAt = expires,
            Source = source,
        };

    public static VexStatement NotAffected(string vuln, VexScope? scope = null, DateTimeOffset? at = null, string? package = null, DateTimeOffset? expires = null, VexSource? source = null, string author = "alice") =>
        VexStatement.Create(Draft(vuln, VexStatus.NotAffected, scope, at, VexJustification.VulnerableCodeNotInExecutePath, package: package, expires: expires, source: source, author: author));

    public static VexStatement Affected(string vuln, VexScope? scope = null, DateTimeOffset? at = null, string? package = null) =>
        VexStatement.Create(Draft(vuln, VexStatus.Affected, scope, at, action: "Update to the fixed version.", package: package));

    public static VexStatement Fixed(string vuln, VexScope? scope = null, DateTimeOffset? at = null, string? package = null) =>
        VexStatement.Create(Draft(vuln, VexStatus.Fixed, scope, at, package: package));

    public static VexStatement Investigating(string vuln, VexScope? scope = null, DateTimeOffset? at = null, string? package = null) =>
        VexStatement.Create(Draft(vuln, VexStatus.UnderInvestigation, scope, at, package: package));

    public static VexFinding Finding(string vuln, string package = "pkg:apk/alpine/busybox@1.36.1-r20?arch=x86_64", string digest = Digest, string repo = Repo, string[]? teams = null, params string[] aliases) =>
        new(repo, digest, Purl.Parse(package), [vuln, .. aliases], teams);
}
