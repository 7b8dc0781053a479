namespace Triage.Core.Vex;

/// <summary>The document formats Triage reads and writes.</summary>
public enum VexFormat
{
    OpenVex,
    CycloneDx,
    Csaf,
}

/// <summary>Whether an imported document's signature was checked. The Sigstore work fills it; until then imports are
/// <see cref="NotChecked"/> or <see cref="Unsigned"/>.</summary>
public enum VexSignatureStatus
{
    Unsigned,
    NotChecked,
    Verified,
    Invalid,
}

/// <summary>How far an imported author's statements are believed.</summary>
public enum VexTrust
{
    /// <summary>Statements can govern findings.</summary>
    Trusted,
    /// <summary>Statements are shown beside findings but never change their status.</summary>
    ShowOnly,
    /// <summary>Statements are not applied or shown (each is still listed in the import report with this reason).</summary>
    Ignore,
}

public static class VexFormatNames
{
    public static string ToWire(this VexFormat f) => f switch
    {
        VexFormat.OpenVex => "openvex",
        VexFormat.CycloneDx => "cyclonedx",
        VexFormat.Csaf => "csaf",
    };

    public static bool TryParse(string? value, out VexFormat format)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "openvex": format = VexFormat.OpenVex; return true;
            case "cyclonedx" or "cdx": format = VexFormat.CycloneDx; return true;
            case "csaf": format = VexFormat.Csaf; return true;
            default: format = default; return false;
        }
    }

    public static string ToWire(this VexSignatureStatus s) => s switch
    {
        VexSignatureStatus.Unsigned => "unsigned",
        VexSignatureStatus.NotChecked => "not_checked",
        VexSignatureStatus.Verified => "verified",
        VexSignatureStatus.Invalid => "invalid",
    };

    public static string ToWire(this VexTrust t) => t switch
    {
        VexTrust.Trusted => "trusted",
        VexTrust.ShowOnly => "show_only",
        VexTrust.Ignore => "ignore",
    };
}

/// <summary>Where a statement came from.</summary>
public abstract record VexSource
{
    private VexSource() { }

    /// <summary>Recorded by a person in Triage (UI or CLI).</summary>
    public sealed record User(string UserId) : VexSource;

    /// <summary>Taken from an imported document.</summary>
    public sealed record ImportedDocument(
        VexFormat Format,
        string? DocumentId,
        string? Author,
        string? Version,
        DateTimeOffset? Timestamp,
        VexSignatureStatus Signature) : VexSource;

    public string Describe() => this switch
    {
        User u => $"user {u.UserId}",
        ImportedDocument d => $"{d.Format.ToWire()} document {d.DocumentId ?? "(no id)"} by {d.Author ?? "(no author)"}" + (d.Version is null ? "" : $" version {d.Version}"),
        _ => "unknown source",
    };
}

/// <summary>Per-author trust for imported statements. Triage's own users are always trusted; a document whose signature
/// failed is ignored; an author nobody has rated gets <see cref="DefaultForImported"/>. The default is a required choice:
/// a file a user imports by name is vouched for by that user (Trusted), while documents pulled from feeds should start
/// ShowOnly until someone trusts their author (docs/decisions/023-vex-matching.md).</summary>
public sealed class VexTrustPolicy
{
    private readonly Dictionary<string, VexTrust> _byAuthor = new(StringComparer.OrdinalIgnoreCase);

    public VexTrustPolicy(VexTrust defaultForImported, IEnumerable<KeyValuePair<string, VexTrust>>? authors = null)
    {
        DefaultForImported = defaultForImported;
        foreach (var (a, t) in authors ?? []) _byAuthor[a.Trim()] = t;
    }

    public static VexTrustPolicy TrustAll { get; } = new(VexTrust.Trusted);

    public VexTrust DefaultForImported { get; }

    /// <summary>Imported statements whose document's signature was not verified under the trust policy are shown, never
    /// applied (configuration Triage:Vex:RequireSignatures; docs/decisions/043-signing-in-the-app.md).</summary>
    public bool RequireSignatures { get; init; }

    public VexTrust For(VexSource source) => source switch
    {
        VexSource.User => VexTrust.Trusted,
        VexSource.ImportedDocument d when d.Signature == VexSignatureStatus.Invalid => VexTrust.Ignore,
        VexSource.ImportedDocument d when RequireSignatures && d.Signature != VexSignatureStatus.Verified && ForAuthor(d.Author) != VexTrust.Ignore =>
            VexTrust.ShowOnly,
        VexSource.ImportedDocument d => ForAuthor(d.Author),
        _ => DefaultForImported,
    };

    public VexTrust ForAuthor(string? author) =>
        author is not null && _byAuthor.TryGetValue(author.Trim(), out var t) ? t : DefaultForImported;
}
