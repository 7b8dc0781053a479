using System.Text.Json;
using Triage.Sigstore.Crypto;
using Triage.Sigstore.Trust;
using Triage.Sigstore.Verification;
using Triage.Testing;

namespace Triage.Sigstore.Tests.Support;

/// <summary>One case of ../shared/fixtures/sigstore/cases.json and how to run it through the library.</summary>
public sealed record SharedCase(
    string Id,
    string Bundle,
    string? ArtifactPath,
    string? ArtifactDigest,
    string? TrustedRoot,
    string? PublicKey,
    string? Identity,
    string? Issuer,
    string Expected)
{
    public static IReadOnlyList<SharedCase> All()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("sigstore", "cases.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new SharedCase(
            c.GetProperty("id").GetString()!,
            c.GetProperty("bundle").GetString()!,
            Str(c, "artifact"),
            c.TryGetProperty("artifactDigest", out var d) ? $"{d.GetProperty("algorithm").GetString()}:{d.GetProperty("hex").GetString()}" : null,
            Str(c, "trustedRoot"),
            Str(c, "publicKey"),
            Str(c, "identity"),
            Str(c, "issuer"),
            c.GetProperty("expected").GetString()!)).ToList();
    }

    /// <summary>Case ids for a theory; a single marker row when the shared fixtures are absent (the test then fails in CI).</summary>
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        if (!TestPaths.SharedFixturesPresent)
        {
            data.Add("(shared fixtures missing)");
            return data;
        }
        foreach (var c in All()) data.Add(c.Id);
        return data;
    }

    public static SharedCase Get(string id) => All().Single(c => c.Id == id);

    /// <summary>Runs the case the way `triage sigstore verify` does: key → keyed policy, else identity + issuer.</summary>
    public VerificationResult Run()
    {
        var root = TrustedRoot is null ? Trust.TrustedRoot.PublicGood : Trust.TrustedRoot.Load(Path(TrustedRoot));
        Artifact? artifact = ArtifactPath is not null ? Artifact.FromFile(Path(ArtifactPath))
            : ArtifactDigest is not null ? Artifact.FromDigest(ArtifactDigest) : null;
        VerificationPolicy policy;
        if (PublicKey is not null)
        {
            try
            {
                policy = VerificationPolicy.ForKey(VerificationKey.FromPem(File.ReadAllText(Path(PublicKey))));
            }
            catch (SigstoreFormatException e)
            {
                // An unreadable key is a verification failure of the key, as the CLI reports it.
                return new VerificationResult { FailureCode = FailureCode.PublicKey, Reason = e.Message };
            }
        }
        else
        {
            policy = VerificationPolicy.ForIdentity(Identity!, Issuer!);
        }
        return new BundleVerifier(root).Verify(File.ReadAllBytes(Path(Bundle)), artifact, policy);
    }

    public static string Path(string relative) => TestPaths.Fixture("sigstore", relative);

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;
}
