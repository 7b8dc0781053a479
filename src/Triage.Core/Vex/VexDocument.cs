using Triage.Core.Identity;

namespace Triage.Core.Vex;

/// <summary>
/// A VEX document as read, format-neutral: what it says, who said it, and what could not be read. Nothing here is a
/// decision yet: <see cref="VexMatcher"/> finds what the statements are about and turns them into <see cref="VexStatement"/>s.
/// </summary>
public sealed record VexDocument
{
    public required VexFormat Format { get; init; }
    /// <summary>"v0.2.0", "v0.0.1", "1.6", "2.0"…</summary>
    public required string SpecVersion { get; init; }
    /// <summary>OpenVEX @id, CycloneDX serialNumber, CSAF tracking.id.</summary>
    public string? Id { get; init; }
    /// <summary>OpenVEX author, CycloneDX metadata author/supplier/manufacturer, CSAF publisher name.</summary>
    public string? Author { get; init; }
    /// <summary>OpenVEX version, CycloneDX version, CSAF tracking.version; as text because CSAF allows "1.0.0".</summary>
    public string? Version { get; init; }
    /// <summary>OpenVEX timestamp, CycloneDX metadata.timestamp, CSAF current_release_date.</summary>
    public DateTimeOffset? Timestamp { get; init; }
    public string? Tooling { get; init; }
    public VexSignatureStatus Signature { get; init; } = VexSignatureStatus.Unsigned;
    public IReadOnlyList<ImportedVexStatement> Statements { get; init; } = [];
    /// <summary>Everything the reader could not take as written, each with a reason; nothing is dropped silently.</summary>
    public IReadOnlyList<VexImportProblem> Problems { get; init; } = [];

    public VexSource.ImportedDocument Source => new(Format, Id, Author, Version, Timestamp, Signature);
}

/// <summary>One statement of an imported document: a status for one vulnerability on a list of products.</summary>
public sealed record ImportedVexStatement
{
    /// <summary>0-based position in the document's statement list (CycloneDX: vulnerability; CSAF: vulnerability × status × product).</summary>
    public required int Index { get; init; }
    /// <summary>Where in the document it comes from, as a JSON path ("statements[3]", "vulnerabilities[0]").</summary>
    public required string Location { get; init; }
    public required VulnerabilityRef Vulnerability { get; init; }
    public required IReadOnlyList<VexComponentRef> Products { get; init; }
    public required VexStatus Status { get; init; }
    public VexJustification? Justification { get; init; }
    public CycloneDxJustification? CycloneDxJustification { get; init; }
    /// <summary>The CycloneDX state as written (false_positive and not_affected both read as not_affected).</summary>
    public CycloneDxState? CycloneDxState { get; init; }
    public string? ImpactStatement { get; init; }
    public string? ActionStatement { get; init; }
    public IReadOnlyList<CycloneDxResponse> Responses { get; init; } = [];
    public string? StatusNotes { get; init; }
    public string? Supplier { get; init; }
    /// <summary>The statement's own time, or the document's when it has none (OpenVEX inheritance).</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>A draft for a decision in <paramref name="scope"/> taken from this statement.</summary>
    public VexStatementDraft ToDraft(VexScope scope, VexSubcomponent? subcomponent, VexDocument document, DateTimeOffset importedAt)
    {
        var notes = string.Join(" ", new[] { StatusNotes, CycloneDxState == Vex.CycloneDxState.FalsePositive ? "CycloneDX state false_positive." : null }
            .Where(n => !string.IsNullOrWhiteSpace(n)));
        return new VexStatementDraft
        {
            Vulnerability = Vulnerability,
            Scope = scope,
            Subcomponent = subcomponent,
            Status = Status,
            Justification = Justification,
            CycloneDxJustification = CycloneDxJustification,
            ImpactStatement = ImpactStatement,
            ActionStatement = ActionStatement,
            Responses = Responses,
            Author = document.Author ?? Supplier ?? $"unknown author of {document.Format.ToWire()} document {document.Id ?? "(no id)"}",
            Timestamp = Timestamp ?? document.Timestamp ?? importedAt,
            Notes = notes.Length == 0 ? null : notes,
            Source = document.Source,
        };
    }
}

/// <summary>A product or subcomponent as a document names it.</summary>
public sealed record VexComponentRef
{
    /// <summary>The document's own handle: OpenVEX @id, CycloneDX bom-ref or BOM-link, CSAF product_id.</summary>
    public required string Id { get; init; }
    /// <summary>The purl, when the document gives one (identifiers.purl, the @id itself, component purl, CSAF purl helper).</summary>
    public Purl? Purl { get; init; }
    /// <summary>A human name (CycloneDX group/name/version, CSAF full product name).</summary>
    public string? Name { get; init; }
    public string? Cpe { get; init; }
    /// <summary>Hashes by algorithm in lower case ("sha-256" → hex).</summary>
    public IReadOnlyDictionary<string, string> Hashes { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<VexComponentRef> Subcomponents { get; init; } = [];
    /// <summary>The BOM (<c>urn:cdx:serial/version</c>) a CycloneDX BOM-link points into, when that BOM is neither this
    /// document nor one it ties to an image: the component is only defined inside that SBOM, so it names a package of that
    /// one SBOM, not the package wherever it is (docs/decisions/105-vex-import-scope.md).</summary>
    public string? ExternalBom { get; init; }

    public string Describe() => Purl?.ToString() ?? (Name is null ? Id : $"{Id} ({Name})");
}

public enum VexProblemCode
{
    /// <summary>The status is not one of the four.</summary>
    UnknownStatus,
    /// <summary>No vulnerability id.</summary>
    MissingVulnerability,
    /// <summary>A justification, response or state that is not in the spec; ignored.</summary>
    UnknownValue,
    /// <summary>A product id that is not a purl and has none attached.</summary>
    InvalidPurl,
    /// <summary>A CycloneDX ref or CSAF product id that nothing in the document defines.</summary>
    UnresolvedReference,
    /// <summary>A date that is not RFC 3339.</summary>
    InvalidTimestamp,
    /// <summary>A CycloneDX vulnerability without analysis: a vulnerability report entry, not a VEX statement.</summary>
    NotAStatement,
    /// <summary>A field of the wrong JSON type.</summary>
    WrongType,
    /// <summary>A non-standard but readable form (OpenVEX v0.0.1 strings in a v0.2.0 document, a CSAF threat without products).</summary>
    Lenient,
    /// <summary>Information the reader keeps but does not use for matching.</summary>
    NotUsed,
}

/// <summary>Something in an imported document that was not taken as written.</summary>
/// <param name="StatementIndex">The statement concerned, when there is one.</param>
/// <param name="Location">JSON path in the document.</param>
/// <param name="Skipped">True when the statement was left out of <see cref="VexDocument.Statements"/> because of it.</param>
public sealed record VexImportProblem(int? StatementIndex, string Location, VexProblemCode Code, string Message, bool Skipped)
{
    public string CodeName => Code switch
    {
        VexProblemCode.UnknownStatus => "unknown_status",
        VexProblemCode.MissingVulnerability => "missing_vulnerability",
        VexProblemCode.UnknownValue => "unknown_value",
        VexProblemCode.InvalidPurl => "invalid_purl",
        VexProblemCode.UnresolvedReference => "unresolved_reference",
        VexProblemCode.InvalidTimestamp => "invalid_timestamp",
        VexProblemCode.NotAStatement => "not_a_statement",
        VexProblemCode.WrongType => "wrong_type",
        VexProblemCode.Lenient => "lenient",
        VexProblemCode.NotUsed => "not_used",
    };

    public override string ToString() => $"{Location}: {Message}" + (Skipped ? " (statement skipped)" : "");
}
