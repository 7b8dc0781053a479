namespace Triage.Sigstore.Certificates;

/// <summary>
/// Fulcio's certificate extensions (fulcio docs/oid-info.md), under 1.3.6.1.4.1.57264.1. The 1.1–1.6 values are raw
/// UTF-8 bytes (deprecated); 1.8 onwards are DER UTF8Strings.
/// </summary>
public static class FulcioOids
{
    public const string IssuerV1 = "1.3.6.1.4.1.57264.1.1";
    public const string GitHubWorkflowTrigger = "1.3.6.1.4.1.57264.1.2";
    public const string GitHubWorkflowSha = "1.3.6.1.4.1.57264.1.3";
    public const string GitHubWorkflowName = "1.3.6.1.4.1.57264.1.4";
    public const string GitHubWorkflowRepository = "1.3.6.1.4.1.57264.1.5";
    public const string GitHubWorkflowRef = "1.3.6.1.4.1.57264.1.6";
    public const string OtherName = "1.3.6.1.4.1.57264.1.7";
    public const string Issuer = "1.3.6.1.4.1.57264.1.8";
    public const string BuildSignerUri = "1.3.6.1.4.1.57264.1.9";
    public const string BuildSignerDigest = "1.3.6.1.4.1.57264.1.10";
    public const string RunnerEnvironment = "1.3.6.1.4.1.57264.1.11";
    public const string SourceRepositoryUri = "1.3.6.1.4.1.57264.1.12";
    public const string SourceRepositoryDigest = "1.3.6.1.4.1.57264.1.13";
    public const string SourceRepositoryRef = "1.3.6.1.4.1.57264.1.14";
    public const string SourceRepositoryIdentifier = "1.3.6.1.4.1.57264.1.15";
    public const string SourceRepositoryOwnerUri = "1.3.6.1.4.1.57264.1.16";
    public const string SourceRepositoryOwnerIdentifier = "1.3.6.1.4.1.57264.1.17";
    public const string BuildConfigUri = "1.3.6.1.4.1.57264.1.18";
    public const string BuildConfigDigest = "1.3.6.1.4.1.57264.1.19";
    public const string BuildTrigger = "1.3.6.1.4.1.57264.1.20";
    public const string RunInvocationUri = "1.3.6.1.4.1.57264.1.21";
    public const string SourceRepositoryVisibilityAtSigning = "1.3.6.1.4.1.57264.1.22";

    /// <summary>The embedded SCT list (RFC 6962).</summary>
    public const string SignedCertificateTimestampList = "1.3.6.1.4.1.11129.2.4.2";

    internal const string Prefix = "1.3.6.1.4.1.57264.1.";

    /// <summary>True for the legacy extensions that hold raw bytes instead of a DER UTF8String.</summary>
    internal static bool IsRawString(string oid) =>
        oid is IssuerV1 or GitHubWorkflowTrigger or GitHubWorkflowSha or GitHubWorkflowName or GitHubWorkflowRepository or GitHubWorkflowRef;
}
