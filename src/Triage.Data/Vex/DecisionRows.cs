using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Vex;

namespace Triage.Data.Vex;

/// <summary>
/// The one place that turns a <see cref="VexStatement"/> into a <see cref="Decision"/> row and back. Rows are never used
/// for rules: every read goes back through <see cref="VexStatement.Create"/>, so the domain type stays the authority.
/// </summary>
internal static class DecisionRows
{
    /// <summary>How vulnerability ids are compared in SQL: trimmed, upper case (ids compare case-insensitively).</summary>
    public static string VulnKey(string id) => id.Trim().ToUpperInvariant();

    /// <summary>The team id as a scope names it.</summary>
    public static string TeamKey(long teamId) => teamId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Statements with the same vulnerability, scope and subcomponent form one time series (a slot).</summary>
    public static string SlotKey(VexStatement s)
    {
        var (kind, repo, digest, team) = ScopeColumns(s.Scope);
        var text = string.Join('\n', VulnKey(s.Vulnerability.Id), ((int)kind).ToString(CultureInfo.InvariantCulture), repo ?? "", digest ?? "",
            team?.ToLowerInvariant() ?? "", s.Subcomponent?.Package.ToString() ?? "", s.Subcomponent?.Range?.Text ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public static (DecisionScopeKind Kind, string? Repository, string? Digest, string? Team) ScopeColumns(VexScope scope) => scope switch
    {
        VexScope.Digest d => (DecisionScopeKind.Digest, d.RepositoryName, d.Sha256, null),
        VexScope.Repository r => (DecisionScopeKind.Repository, r.Name, null, null),
        VexScope.Team t => (DecisionScopeKind.Team, null, null, t.Id),
        _ => (DecisionScopeKind.Global, null, null, null),
    };

    public static VexScope Scope(Decision d) => d.ScopeKind switch
    {
        DecisionScopeKind.Digest => new VexScope.Digest(d.ScopeRepository!, d.ScopeDigest!),
        DecisionScopeKind.Repository => new VexScope.Repository(d.ScopeRepository!),
        DecisionScopeKind.Team => new VexScope.Team(d.ScopeTeam!),
        DecisionScopeKind.Global => VexScope.Global.Instance,
    };

    public static Decision ToRow(VexStatement s, long? documentId, long? supersedesId, DateTime recordedAt)
    {
        var (kind, repo, digest, team) = ScopeColumns(s.Scope);
        return new Decision
        {
            StatementId = s.Id,
            VulnerabilityId = VulnerabilityIds.Normalize(s.Vulnerability.Id),
            VulnerabilityAliases = [.. s.Vulnerability.Aliases],
            ScopeKind = kind,
            ScopeRepository = repo,
            ScopeDigest = digest,
            ScopeTeam = team,
            SubcomponentPurl = s.Subcomponent?.Package.ToString(),
            SubcomponentName = s.Subcomponent?.Package.Name.ToLowerInvariant(),
            SubcomponentRange = s.Subcomponent?.Range?.Text,
            Status = s.Status,
            Justification = s.Justification,
            CycloneDxJustification = s.CycloneDxJustification,
            ImpactStatement = s.ImpactStatement,
            ActionStatement = s.ActionStatement,
            Responses = [.. s.Responses.Select(r => r.ToWire())],
            Author = s.Author,
            Timestamp = Utc(s.Timestamp),
            ExpiresAt = s.ExpiresAt is { } e ? Utc(e) : null,
            Notes = s.Notes,
            DocumentId = documentId,
            SupersedesId = supersedesId,
            SlotKey = SlotKey(s),
            RecordedAt = recordedAt,
        };
    }

    /// <summary>The index rows of a decision: every id it names.</summary>
    public static IEnumerable<DecisionVulnerabilityId> VulnerabilityIdRows(long decisionId, VexStatement s) =>
        s.Vulnerability.AllIds.Select(VulnKey).Distinct(StringComparer.Ordinal)
            .Select(k => new DecisionVulnerabilityId { DecisionId = decisionId, VulnKey = k });

    /// <summary>Rebuilds the statement a row recorded, with its source.</summary>
    public static VexStatement ToStatement(Decision d, VexDocumentRecord? document)
    {
        VexSubcomponent? sub = null;
        if (d.SubcomponentPurl is { } p && Purl.TryParse(p, out var purl))
            sub = new VexSubcomponent(purl!, d.SubcomponentRange is { } r && VersRange.TryParse(r, out var range, out _) ? range : null);
        return VexStatement.Create(new VexStatementDraft
        {
            Id = d.StatementId,
            Vulnerability = new VulnerabilityRef(d.VulnerabilityId, d.VulnerabilityAliases),
            Scope = Scope(d),
            Subcomponent = sub,
            Status = d.Status,
            Justification = d.Justification,
            CycloneDxJustification = d.CycloneDxJustification,
            ImpactStatement = d.ImpactStatement,
            ActionStatement = d.ActionStatement,
            Responses = d.Responses.Select(x => CycloneDxNames.TryParseResponse(x, out var resp) ? (CycloneDxResponse?)resp : null).OfType<CycloneDxResponse>().ToArray(),
            Author = d.Author,
            Timestamp = Offset(d.Timestamp),
            ExpiresAt = d.ExpiresAt is { } e ? Offset(e) : null,
            Notes = d.Notes,
            Source = Source(d, document),
        });
    }

    /// <summary>A person's decision, or the imported document it came from. The document's stored author (never empty) is
    /// the trust key, so a document without author still has its own trust entry.</summary>
    public static VexSource Source(Decision d, VexDocumentRecord? document) => document is null
        ? new VexSource.User(d.Author)
        : new VexSource.ImportedDocument(document.Format, document.DocumentId, document.Author, document.Version,
            document.Timestamp is { } t ? Offset(t) : null, document.Signature);

    /// <summary>UTC, to the microsecond (PostgreSQL's precision), so both providers give back what was stored.</summary>
    public static DateTime Utc(DateTimeOffset t)
    {
        var u = t.UtcDateTime;
        return new DateTime(u.Ticks - u.Ticks % 10, DateTimeKind.Utc);
    }

    public static DateTimeOffset Offset(DateTime stored) => new(DateTime.SpecifyKind(stored, DateTimeKind.Utc));

    /// <summary>Now, to the millisecond: what a person's decision is stamped with.</summary>
    public static DateTimeOffset Now(TimeProvider time)
    {
        var n = time.GetUtcNow();
        return new DateTimeOffset(n.Ticks - n.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }
}
