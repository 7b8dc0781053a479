using System.Text;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Vex;
using Triage.Data.Signing;
using Triage.Data.Tests.Vex;
using Triage.Testing;
using static Triage.Data.Tests.Vex.VexWorld;

namespace Triage.Data.Tests.Signing;

/// <summary>
/// Stored signatures follow the trust policy: a VEX document signed by a key nobody trusted is recorded "not checked" and,
/// with signatures required, does not apply; trusting the key and checking again verifies it and its statement applies at
/// once; removing the key takes that back. Attestations follow too. On both providers.
/// </summary>
public sealed class SignatureRecheckTests
{
    private static byte[] Document() => Encoding.UTF8.GetBytes($$"""
        {
          "@context": "https://openvex.dev/ns/v0.2.0",
          "@id": "https://example.com/vex/{{Guid.NewGuid():N}}",
          "author": "vendor@example.com",
          "timestamp": "2026-01-10T10:00:00Z",
          "version": 1,
          "statements": [ {
            "vulnerability": { "name": "CVE-2024-0001" },
            "products": [ { "@id": "pkg:oci/app@{{D1.Replace(":", "%3A", StringComparison.Ordinal)}}?repository_url=index.docker.io/library/app" } ],
            "status": "not_affected", "justification": "component_not_present"
          } ]
        }
        """);

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TrustingAndRemovingASigner_ChangesWhatItSignedBefore_AndTheDecisionInForce(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await VexPolicySettings.SetRequireSignaturesAsync(w.Connection, true, w.Clock);
        var document = Document();
        var (bundle, _, publicPem) = await TestSigning.SignOpenVexAsync(document);
        var uploads = new SignedUploads(w.Connection, time: w.Clock);
        var policy = new SignaturePolicy(w.Connection, time: w.Clock);

        var imported = await uploads.ImportAsync(document, "vendor.openvex.json", bundle);
        Assert.Equal(VexSignatureStatus.NotChecked, imported.Signature!.Status);
        var (attestation, _) = await uploads.UploadAttestationAsync(bundle, "vendor.sigstore.json", "test");
        Assert.Equal(VexSignatureStatus.NotChecked, attestation.Signature.Status);
        Assert.Null((await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex);

        // Nothing changed in the policy: checking again changes nothing.
        var same = await uploads.RecheckAsync();
        Assert.Equal((1, 1, 0, 0), (same.Documents, same.Attestations, same.Changed.Count, same.FindingsRecomputed));

        // The key is trusted for every author: the document and the attestation verify, and the statement applies.
        var signer = await policy.AddSignerAsync(SignaturePolicy.AnyAuthor, null, false, null, publicPem, "admin");
        var trusted = await uploads.RecheckAsync();
        Assert.Equal(
            [("vex-document", VexSignatureStatus.NotChecked, VexSignatureStatus.Verified), ("attestation", VexSignatureStatus.NotChecked, VexSignatureStatus.Verified)],
            trusted.Changed.Select(c => (c.Kind, c.Before, c.After)));
        Assert.Equal(1, trusted.FindingsRecomputed);
        Assert.Equal(VexSignatureStatus.Verified, (await uploads.DocumentSignatureAsync(imported.Import.Document.Id))!.Status);
        Assert.True((await uploads.ListAttestationsAsync()).Single().Signature.Verified);
        Assert.Equal(VexStatus.NotAffected, (await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex?.Status);

        // The key is removed: what it signed is no longer verified, and the statement stops applying.
        Assert.True(await policy.RemoveSignerAsync(signer.Id));
        var revoked = await uploads.RecheckAsync();
        Assert.Equal(
            [("vex-document", VexSignatureStatus.Verified, VexSignatureStatus.NotChecked), ("attestation", VexSignatureStatus.Verified, VexSignatureStatus.NotChecked)],
            revoked.Changed.Select(c => (c.Kind, c.Before, c.After)));
        Assert.All(revoked.Changed, c => Assert.Contains("not trusted", c.Reason));
        Assert.Null((await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex);
        await using var db = TriageDatabase.CreateContext(w.Connection);
        Assert.Equal(VexSignatureStatus.NotChecked, await db.VexDocuments.Where(d => d.Id == imported.Import.Document.Id).Select(d => d.Signature).SingleAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ATamperedDocument_StaysInvalid_WhateverIsTrusted(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        var document = Document();
        var (bundle, _, publicPem) = await TestSigning.SignOpenVexAsync(document);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(document).Replace("component_not_present", "vulnerable_code_not_present", StringComparison.Ordinal));
        var uploads = new SignedUploads(w.Connection, time: w.Clock);
        var imported = await uploads.ImportAsync(tampered, "tampered.openvex.json", bundle);
        Assert.Equal(VexSignatureStatus.Invalid, imported.Signature!.Status);

        await new SignaturePolicy(w.Connection, time: w.Clock).AddSignerAsync(SignaturePolicy.AnyAuthor, null, false, null, publicPem, "admin");
        var recheck = await uploads.RecheckAsync();
        Assert.Empty(recheck.Changed);
        Assert.Equal(VexSignatureStatus.Invalid, (await uploads.DocumentSignatureAsync(imported.Import.Document.Id))!.Status);
    }
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ThePolicyChangingWhileBundlesAreChecked_IsCheckedAgain_AndDecisionsDoNotWaitForTheChecks(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0002", "busybox", "1.36.1-r15")));
        await VexPolicySettings.SetRequireSignaturesAsync(w.Connection, true, w.Clock);
        var document = Document();
        var (bundle, _, publicPem) = await TestSigning.SignOpenVexAsync(document);
        var imported = await new SignedUploads(w.Connection, time: w.Clock).ImportAsync(document, "vendor.openvex.json", bundle);
        Assert.Equal(VexSignatureStatus.NotChecked, imported.Signature!.Status);

        var policy = new SignaturePolicy(w.Connection, time: w.Clock);
        var attempts = new List<int>();
        var uploads = new SignedUploads(w.Connection, time: w.Clock)
        {
            BeforeRecheckApply = async attempt =>
            {
                attempts.Add(attempt);
                if (attempt != 1) return;
                // The checks are done and the decision lock is not held: a decision is recorded at once.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await w.Decisions.RecordAsync(Affected("CVE-2024-0002", AtImage(D1)), timeout.Token);
                // An admin trusts the key meanwhile: the outcomes of this attempt (not checked) are stale.
                await policy.AddSignerAsync(SignaturePolicy.AnyAuthor, null, false, null, publicPem, "admin");
            },
        };

        var recheck = await uploads.RecheckAsync();

        Assert.Equal([1, 2], attempts);
        Assert.Equal([("vex-document", VexSignatureStatus.NotChecked, VexSignatureStatus.Verified)], recheck.Changed.Select(c => (c.Kind, c.Before, c.After)));
        Assert.Equal(VexSignatureStatus.Verified, (await uploads.DocumentSignatureAsync(imported.Import.Document.Id))!.Status);
        Assert.Equal(VexStatus.NotAffected, (await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex?.Status);
        Assert.Equal(VexStatus.Affected, (await w.Finding(D1, "CVE-2024-0002", "busybox")).Vex?.Status);
    }
}
