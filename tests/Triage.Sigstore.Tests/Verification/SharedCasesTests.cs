using Triage.Sigstore.Crypto;
using Triage.Sigstore.Tests.Support;
using Triage.Sigstore.Trust;
using Triage.Sigstore.Verification;
using Triage.Testing;
using Xunit.Abstractions;

namespace Triage.Sigstore.Tests.Verification;

/// <summary>Every case of the shared Sigstore fixtures (cases.json) gives its expected outcome, failing at the right check.</summary>
public sealed class SharedCasesTests(ITestOutputHelper output)
{
    private const string ConformanceIdentity = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    private const string GitHubIssuer = "https://token.actions.githubusercontent.com";

    /// <summary>The check each FAIL case must fail at, and why that is the first check to notice.</summary>
    private static readonly Dictionary<string, FailureCode> ExpectedFailures = new()
    {
        ["conformance/bundle-unknown-version_fail"] = FailureCode.BundleFormat,          // media type version=99.9
        ["conformance/signature-mismatch_fail"] = FailureCode.Signature,                 // signature not over a.txt
        ["conformance/wrong-material_fail"] = FailureCode.ArtifactDigest,                // another artifact than the signed one
        ["conformance/message-digest-mismatch_fail"] = FailureCode.ArtifactDigest,       // messageDigest hint differs from the artifact
        ["conformance/wrong-hashedrekord-entry_fail"] = FailureCode.TlogBodyMismatch,    // entry of another signing event
        ["conformance/incorrect-public-key_fail"] = FailureCode.TlogSet,                 // body modified: its SET no longer verifies
        ["conformance/set-invalid-signature_fail"] = FailureCode.TlogSet,
        ["conformance/invalid-inclusion-proof_fail"] = FailureCode.TlogInclusionProof,   // stale proof
        ["conformance/inclusion-proof-corrupted-hash_fail"] = FailureCode.TlogInclusionProof,
        ["conformance/checkpoint-wrong-roothash_fail"] = FailureCode.Checkpoint,         // signed checkpoint of another tree
        ["conformance/invalid-checkpoint-signature_fail"] = FailureCode.CheckpointSignature,
        ["conformance/dsse-invalid-sig_fail"] = FailureCode.Signature,
        ["conformance/dsse-mismatch-envelope_fail"] = FailureCode.TlogBodyMismatch,      // envelope is not the logged one
        ["conformance/intoto-expired-certificate_fail"] = FailureCode.CertificateChain,  // leaf not valid at the signing time
        ["conformance/integrated-time-in-future_fail"] = FailureCode.CertificateChain,   // integrated after the leaf expired
        ["conformance/bundle-from-wrong-instance_fail"] = FailureCode.SigningTime,       // staging log unknown: no trusted time
        ["conformance/bundle-with-root-cert_fail"] = FailureCode.CertificateChain,       // bundle ships its own root
        ["conformance/managed-key-wrong-key_fail"] = FailureCode.PublicKey,              // key.pub is corrupted
        ["conformance/rekor2-no-timestamp_fail"] = FailureCode.SigningTime,              // Rekor v2 and no TSA timestamp
        ["conformance/invalid-ct-key_fail"] = FailureCode.Sct,                           // root's CT keys are staging ones
        ["derived/happy-path-v0.3-wrong-identity"] = FailureCode.Identity,
        ["derived/happy-path-v0.3-wrong-issuer"] = FailureCode.Identity,
        ["derived/happy-path-v0.3-staging-root"] = FailureCode.SigningTime,              // production log unknown to staging root
        ["sigstore-python/bundle_cve_2022_36056"] = FailureCode.TlogBodyMismatch,
    };

    public static TheoryData<string> CaseIds => SharedCase.Ids();

    [FixtureTheory]
    [MemberData(nameof(CaseIds))]
    public void Verify_SharedCase_GivesExpectedOutcome(string id)
    {
        var c = SharedCase.Get(id);
        var result = c.Run();
        output.WriteLine($"{id}: {result}");
        Assert.Equal(c.Expected, result.Success ? "PASS" : "FAIL");
        if (c.Expected == "FAIL") Assert.Equal(ExpectedFailures[id], result.FailureCode);
        else Assert.NotEmpty(result.PassedChecks);
    }

    [FixtureFact]
    public void ExpectedFailures_CoverExactlyTheFailCases()
    {
        Assert.Equal(SharedCase.All().Where(c => c.Expected == "FAIL").Select(c => c.Id).Order(), ExpectedFailures.Keys.Order());
    }

    [FixtureFact]
    public void Verify_NpmProvenanceAgainstAnotherSha512_FailsArtifactDigest()
    {
        // PROVENANCE.md: the same bundle with the first nibble of the sha512 changed must fail.
        var c = SharedCase.Get("sigstore-go/sigstore.js-provenance");
        var result = (c with { ArtifactDigest = "sha512:5" + c.ArtifactDigest!["sha512:4".Length..] }).Run();

        Assert.Equal(FailureCode.ArtifactDigest, result.FailureCode);
    }

    [FixtureFact]
    public void Verify_NpmProvenance_ReportsWhoBuiltIt()
    {
        var result = SharedCase.Get("sigstore-go/sigstore.js-provenance").Run();

        Assert.True(result.Success, result.ToString());
        Assert.Equal("https://github.com/sigstore/sigstore-js", result.Signer!.Get(Certificates.FulcioOids.SourceRepositoryUri));
        Assert.Equal("https://slsa.dev/provenance/v1", result.Statement!.PredicateType);
    }

    [FixtureFact]
    public void Verify_OtherNameBundleAsEmail_FailsIdentity()
    {
        var result = (SharedCase.Get("sigstore-go/othername") with { Identity = "foo@oidc.local" }).Run();

        Assert.Equal(FailureCode.Identity, result.FailureCode);
    }

    [FixtureFact]
    public void Verify_KeyUsedOutsideItsValidity_FailsPublicKey()
    {
        // sigstore-go TestPublicKeyValidityCheckedAgainstSignedTimestamp: the TSA time is outside [1970-01-01T00:00:00Z, +1s].
        var c = SharedCase.Get("sigstore-go/public-key-validity");
        var policy = VerificationPolicy.ForKey(VerificationKey.FromPem(File.ReadAllText(SharedCase.Path(c.PublicKey!)))) with
        {
            PublicKeyValidFor = new ValidityPeriod(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(1)),
        };

        var result = new BundleVerifier(TrustedRoot.Load(SharedCase.Path(c.TrustedRoot!)))
            .Verify(File.ReadAllBytes(SharedCase.Path(c.Bundle)), Artifact.FromFile(SharedCase.Path(c.ArtifactPath!)), policy);

        Assert.Equal(FailureCode.PublicKey, result.FailureCode);
    }

    [FixtureFact]
    public void Verify_KeylessBundleWithPatternIdentity_Passes()
    {
        var c = SharedCase.Get("conformance/happy-path-v0.3");
        var policy = VerificationPolicy.ForIdentityPattern(@"https://github\.com/sigstore-conformance/.*", GitHubIssuer);

        var result = new BundleVerifier(TrustedRoot.PublicGood).Verify(File.ReadAllBytes(SharedCase.Path(c.Bundle)), Artifact.FromFile(SharedCase.Path(c.ArtifactPath!)), policy);

        Assert.True(result.Success, result.ToString());
        Assert.Equal(ConformanceIdentity, result.Signer!.PrimaryName);
    }

    [FixtureFact]
    public void Verify_KeylessBundleWithSourceRepositoryPolicy_ChecksTheExtension()
    {
        var c = SharedCase.Get("conformance/happy-path-v0.3");
        var identity = CertificateIdentity.Exact(ConformanceIdentity, GitHubIssuer);
        VerificationResult Run(string repository) => new BundleVerifier(TrustedRoot.PublicGood).Verify(
            File.ReadAllBytes(SharedCase.Path(c.Bundle)), Artifact.FromFile(SharedCase.Path(c.ArtifactPath!)),
            new VerificationPolicy { Identities = [identity.WithExtension(Certificates.FulcioOids.SourceRepositoryUri, repository)] });

        Assert.True(Run("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon").Success);
        Assert.Equal(FailureCode.Identity, Run("https://github.com/evil/fork").FailureCode);
    }

    [FixtureFact]
    public void Verify_KeylessBundleWithoutIdentityPolicy_FailsIdentity()
    {
        var c = SharedCase.Get("conformance/happy-path-v0.3");

        var result = new BundleVerifier(TrustedRoot.PublicGood).Verify(File.ReadAllBytes(SharedCase.Path(c.Bundle)), Artifact.FromFile(SharedCase.Path(c.ArtifactPath!)), new VerificationPolicy());

        Assert.Equal(FailureCode.Identity, result.FailureCode);
        Assert.Contains(ConformanceIdentity, result.Reason, StringComparison.Ordinal);
    }
}
