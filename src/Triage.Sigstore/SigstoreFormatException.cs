namespace Triage.Sigstore;

/// <summary>The kinds of Sigstore documents this library reads; a format error names which one was malformed.</summary>
public enum SigstoreDocument
{
    Bundle,
    DsseEnvelope,
    InTotoStatement,
    TrustedRoot,
    SigningConfig,
    PublicKey,
    PrivateKey,
    Certificate,
}

/// <summary>
/// Input that cannot be parsed as the Sigstore document it claims to be. Thrown only for unparsable or structurally
/// invalid input; signature and trust problems are never exceptions but failed verification results.
/// </summary>
public sealed class SigstoreFormatException : FormatException
{
    public SigstoreFormatException(SigstoreDocument document, string? jsonPath, string problem, Exception? inner = null)
        : base(Describe(document, jsonPath, problem), inner)
    {
        Document = document;
        JsonPath = jsonPath;
        Problem = problem;
    }

    /// <summary>Which document was malformed.</summary>
    public SigstoreDocument Document { get; }

    /// <summary>Dotted path of the offending field (for example <c>verificationMaterial.tlogEntries[0].logIndex</c>), or null for the whole document.</summary>
    public string? JsonPath { get; }

    /// <summary>What is wrong, without the document and path prefix.</summary>
    public string Problem { get; }

    private static string Describe(SigstoreDocument document, string? path, string problem)
    {
        var name = document switch
        {
            SigstoreDocument.Bundle => "Sigstore bundle",
            SigstoreDocument.DsseEnvelope => "DSSE envelope",
            SigstoreDocument.InTotoStatement => "in-toto statement",
            SigstoreDocument.TrustedRoot => "trusted root",
            SigstoreDocument.SigningConfig => "signing config",
            SigstoreDocument.PublicKey => "public key",
            SigstoreDocument.PrivateKey => "private key",
            SigstoreDocument.Certificate => "certificate",
        };
        return string.IsNullOrEmpty(path) ? $"invalid {name}: {problem}" : $"invalid {name}: {path}: {problem}";
    }
}
