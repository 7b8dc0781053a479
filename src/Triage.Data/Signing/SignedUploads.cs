using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Vex;
using Triage.Data.Vex;
using Triage.Sigstore;
using Triage.Sigstore.Bundles;
using Triage.Sigstore.InToto;

namespace Triage.Data.Signing;

/// <summary>A document's signature as listed: who signed, when, and whether it verified.</summary>
public sealed record SignatureView(
    bool Verified, VexSignatureStatus Status, string? FailureCode, string? Reason, string? Identity, string? Issuer, string? KeyId,
    DateTimeOffset? SignedAt, string? TrustDomain, DateTimeOffset CheckedAt)
{
    public static SignatureView From(SignatureFacts f, VexSignatureStatus status) => new(f.Verified, status, f.FailureCode, f.Reason, f.SignerIdentity,
        f.SignerIssuer, f.SignerKeyId, f.SignedAt is { } s ? DecisionRows.Offset(s) : null, f.TrustDomain, DecisionRows.Offset(f.CheckedAt));

    /// <summary>"identity (issuer)" or "key …".</summary>
    public string Signer => Identity is not null ? $"{Identity} ({Issuer})" : KeyId is not null ? $"key {KeyId}" : "unknown signer";
}

/// <summary>An uploaded attestation as the image page shows it.</summary>
public sealed record AttestationView(
    long Id, long? ArtifactId, string SubjectDigest, string? SubjectName, string PredicateType, string? Builder, string? BuildType,
    string? SourceRepository, string? SourceCommit, SignatureView Signature, string? FileName, DateTimeOffset UploadedAt, string? UploadedBy)
{
    public bool IsProvenance => PredicateType.StartsWith("https://slsa.dev/provenance/", StringComparison.Ordinal);

    public static AttestationView From(AttestationRecord a) => new(a.Id, a.ArtifactId, a.SubjectDigest, a.SubjectName, a.PredicateType, a.Builder,
        a.BuildType, a.SourceRepository, a.SourceCommit,
        SignatureView.From(a, a.Verified ? VexSignatureStatus.Verified : a.FailureCode == SignatureCheck.UntrustedSigner ? VexSignatureStatus.NotChecked : VexSignatureStatus.Invalid),
        a.FileName, DecisionRows.Offset(a.UploadedAt), a.UploadedBy);
}

/// <summary>What re-checking the stored signatures under the trust policy as it is now found.</summary>
/// <param name="Changed">Each document or attestation whose outcome changed: what it is, its name, and the status before and after.</param>
/// <param name="FindingsRecomputed">Findings whose decision in force was resolved again because a document's status changed.</param>
public sealed record SignatureRecheck(int Documents, int Attestations, IReadOnlyList<SignatureChange> Changed, int FindingsRecomputed);

/// <summary>One stored signature whose check came out differently: <paramref name="Kind"/> is "vex-document" or "attestation".</summary>
public sealed record SignatureChange(string Kind, long Id, string Name, VexSignatureStatus Before, VexSignatureStatus After, string? Reason);

/// <summary>What a signed import did.</summary>
public sealed record SignedImportReport(VexImportReport Import, SignatureView? Signature);

/// <summary>Thrown for an upload that is not what it claims (not a bundle, not an attestation). Nothing is stored.</summary>
/// <remarks>Shortened: the message may quote the bundle (a media type, a payload type), and a hostile one must not be echoed
/// at length.</remarks>
public sealed class SignedUploadException(string code, string message) : Exception(Core.Ingest.ReportFormatException.Shorten(message))
{
    public string Code { get; } = code;
}

/// <summary>
/// Uploads that carry signatures (issue 6 §4): a VEX document with its Sigstore bundle (checked against
/// <see cref="SignaturePolicy"/> before import, so an unverified document is recorded as such and, when signatures are
/// required, never applied), and cosign attestation bundles for images (SLSA provenance shows on the image page).
/// </summary>
public sealed class SignedUploads(string connectionString, SigningOptions? options = null, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private SignaturePolicy Policy => new(connectionString, options, _time);

    /// <summary>Imports a VEX document; with <paramref name="bundle"/>, checks it first and records what the check found.
    /// Throws <see cref="VexFormatException"/> when the document is not VEX.</summary>
    public async Task<SignedImportReport> ImportAsync(byte[] document, string fileName, byte[]? bundle, VexImportOptions? importOptions = null,
        CancellationToken ct = default)
    {
        importOptions ??= new VexImportOptions();
        SignatureCheck? check = null;
        if (bundle is not null)
        {
            var parsed = VexDocumentReader.Read(document, new VexReadOptions { MaxBytes = importOptions.MaxBytes });
            check = await Policy.CheckAsync(bundle, document, parsed.Author, ct);
        }
        var report = await new VexImportService(connectionString, _time).ImportAsync(new MemoryStream(document), fileName,
            importOptions with { Signature = check?.Status ?? importOptions.Signature }, ct);
        if (check is null) return new SignedImportReport(report, await DocumentSignatureAsync(report.Document.Id, ct));

        await using var db = TriageDatabase.CreateContext(connectionString);
        var row = await db.VexDocumentSignatures.FirstOrDefaultAsync(s => s.DocumentId == report.Document.Id, ct);
        if (row is null) db.VexDocumentSignatures.Add(row = new VexDocumentSignature { DocumentId = report.Document.Id, BundleJson = "" });
        check.CopyTo(row, Encoding.UTF8.GetString(bundle!), _time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        return new SignedImportReport(report with { Document = report.Document with { Signature = check.Status } }, SignatureView.From(row, check.Status));
    }

    /// <summary>
    /// Checks every stored signature again (VEX documents' bundles against their documents and authors, attestations)
    /// under the trust policy as it is now, and records what changed: after a signer is removed, a document it signed is no
    /// longer verified (and, when signatures are required, its statements stop applying at once); after a signer or root
    /// is added, documents uploaded before become verified. Bundles are checked offline (their own log entries and
    /// timestamps), so the outcome depends only on the policy and the bytes.
    /// </summary>
    /// <remarks>
    /// The checks run before the decision write lock is taken, so decisions are not kept waiting while thousands of
    /// bundles are verified. The outcomes are then written in one transaction under that lock, so the statuses and the
    /// decisions in force never disagree, and only if the policy is still the one they were checked under (its
    /// <see cref="SignaturePolicy.StampAsync"/>); otherwise the checks run again under the newer policy. A signature or
    /// document that changed meanwhile is checked again under the lock.
    /// </remarks>
    public async Task<SignatureRecheck> RecheckAsync(CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        var policy = Policy;
        for (var attempt = 1; ; attempt++)
        {
            var stamp = await policy.StampAsync(ct);
            var trust = await policy.SnapshotAsync(ct);
            // The policy may have changed while the snapshot was read: the stamp must describe the snapshot.
            if (await policy.StampAsync(ct) != stamp && attempt < MaxRecheckAttempts) continue;
            var checks = await CheckAllAsync(trust, ct);
            if (BeforeRecheckApply is { } hook) await hook(attempt);
            var result = await ApplyAsync(trust, stamp, checks, force: attempt >= MaxRecheckAttempts, ct);
            if (result is not null) return result;
        }
    }

    private const int MaxRecheckAttempts = 3;

    /// <summary>Tests: runs after the checks of an attempt and before its outcomes are written under the lock.</summary>
    internal Func<int, Task>? BeforeRecheckApply { get; init; }

    /// <summary>A stored signature's outcome, with what it was checked against: it is written only if the bundle and
    /// the document are still these.</summary>
    private sealed record CheckedSignature(string BundleSha256, string? DocumentSha256, SignatureCheck Check);

    private sealed record RecheckOutcomes(Dictionary<long, CheckedSignature> Documents, Dictionary<long, CheckedSignature> Attestations);

    /// <summary>Checks every stored bundle under <paramref name="trust"/>, reading without any lock.</summary>
    private async Task<RecheckOutcomes> CheckAllAsync(TrustSnapshot trust, CancellationToken ct)
    {
        var outcomes = new RecheckOutcomes([], []);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var signatures = await db.VexDocumentSignatures.AsNoTracking().OrderBy(s => s.DocumentId)
            .Select(s => new { s.DocumentId, s.BundleJson }).ToListAsync(ct);
        foreach (var chunk in signatures.Chunk(50))
        {
            var ids = chunk.Select(s => s.DocumentId).ToList();
            // Document contents are large: one chunk at a time.
            var documents = await db.VexDocuments.AsNoTracking().Where(d => ids.Contains(d.Id))
                .Select(d => new { d.Id, d.Sha256, d.Author, d.Content }).ToDictionaryAsync(d => d.Id, ct);
            foreach (var signature in chunk)
            {
                if (!documents.TryGetValue(signature.DocumentId, out var document)) continue;
                var check = await CheckDocumentAsync(trust, signature.BundleJson, Gunzip(document.Content), document.Author);
                outcomes.Documents[signature.DocumentId] = new CheckedSignature(Sha(signature.BundleJson), document.Sha256, check);
            }
        }
        var attestations = await db.Attestations.AsNoTracking().OrderBy(a => a.Id).Select(a => new { a.Id, a.BundleJson }).ToListAsync(ct);
        foreach (var attestation in attestations)
        {
            var check = await SignaturePolicy.CheckAsync(trust, Encoding.UTF8.GetBytes(attestation.BundleJson), null, null);
            outcomes.Attestations[attestation.Id] = new CheckedSignature(Sha(attestation.BundleJson), null, check);
        }
        return outcomes;
    }

    private static async Task<SignatureCheck> CheckDocumentAsync(TrustSnapshot trust, string bundleJson, byte[] document, string storedAuthor)
    {
        string? author;
        try
        {
            author = VexDocumentReader.Read(document, new VexReadOptions { MaxBytes = long.MaxValue }).Author;
        }
        catch (VexFormatException)
        {
            author = storedAuthor;
        }
        return await SignaturePolicy.CheckAsync(trust, Encoding.UTF8.GetBytes(bundleJson), document, author);
    }

    /// <summary>Writes the outcomes under the decision write lock; null when the policy changed since
    /// <paramref name="stamp"/> (unless <paramref name="force"/>: then the snapshot is read again under the lock and what
    /// it changes is checked there).</summary>
    private async Task<SignatureRecheck?> ApplyAsync(TrustSnapshot trust, string stamp, RecheckOutcomes checks, bool force,
        CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var nowUtc = now.UtcDateTime;
        await using var db = TriageDatabase.CreateContext(connectionString);
        await using var tx = await DecisionWriteLock.BeginAsync(db, ct);
        var policy = Policy;
        if (await policy.StampAsync(ct) != stamp)
        {
            if (!force) return null;
            // Policy edits do not take the decision lock; after repeated changes the last attempt checks everything here.
            trust = await policy.SnapshotAsync(ct);
            checks = new RecheckOutcomes([], []);
        }
        var changes = new List<SignatureChange>();

        var signatures = await db.VexDocumentSignatures.OrderBy(s => s.DocumentId).ToListAsync(ct);
        var documents = await db.VexDocuments.AsNoTracking()
            .Select(d => new { d.Id, d.Sha256, d.FileName, d.Signature }).ToDictionaryAsync(d => d.Id, ct);
        var changedDocuments = new List<long>();
        foreach (var signature in signatures)
        {
            if (!documents.TryGetValue(signature.DocumentId, out var document)) continue;
            var check = checks.Documents.TryGetValue(signature.DocumentId, out var c) && c.BundleSha256 == Sha(signature.BundleJson) && c.DocumentSha256 == document.Sha256
                ? c.Check
                : await RecheckDocumentUnderLockAsync(db, trust, signature.DocumentId, signature.BundleJson, ct);
            var before = document.Signature;
            if (before != check.Status || signature.FailureCode != check.FailureCode || signature.SignerIdentity != check.Identity)
            {
                changes.Add(new SignatureChange("vex-document", document.Id, document.FileName, before, check.Status, check.Reason));
                if (before != check.Status)
                {
                    changedDocuments.Add(document.Id);
                    await db.VexDocuments.Where(d => d.Id == document.Id).ExecuteUpdateAsync(u => u.SetProperty(d => d.Signature, check.Status), ct);
                }
            }
            check.CopyTo(signature, signature.BundleJson, nowUtc);
        }
        await db.SaveChangesAsync(ct);

        var attestations = await db.Attestations.OrderBy(a => a.Id).ToListAsync(ct);
        foreach (var attestation in attestations)
        {
            var before = AttestationView.From(attestation).Signature.Status;
            var check = checks.Attestations.TryGetValue(attestation.Id, out var c) && c.BundleSha256 == Sha(attestation.BundleJson)
                ? c.Check
                : await SignaturePolicy.CheckAsync(trust, Encoding.UTF8.GetBytes(attestation.BundleJson), null, null);
            if (before != check.Status || attestation.FailureCode != check.FailureCode || attestation.SignerIdentity != check.Identity)
                changes.Add(new SignatureChange("attestation", attestation.Id, attestation.SubjectName ?? attestation.SubjectDigest, before, check.Status, check.Reason));
            check.CopyTo(attestation, attestation.BundleJson, nowUtc);
        }
        await db.SaveChangesAsync(ct);

        // A document's statements may apply only when it is verified (Triage:Vex:RequireSignatures): the findings they
        // reach are resolved again, in this transaction.
        var reach = new HashSet<long>();
        foreach (var id in changedDocuments) reach.UnionWith(await EffectiveDecisions.ReachOfDocumentAsync(db, id, ct));
        if (reach.Count > 0) await EffectiveDecisions.RecomputeAsync(db, reach, now, ct);
        await tx.CommitAsync(ct);
        return new SignatureRecheck(signatures.Count, attestations.Count, changes, reach.Count);
    }

    private static async Task<SignatureCheck> RecheckDocumentUnderLockAsync(TriageDbContext db, TrustSnapshot trust, long documentId, string bundleJson,
        CancellationToken ct)
    {
        var document = await db.VexDocuments.AsNoTracking().Where(d => d.Id == documentId).Select(d => new { d.Author, d.Content }).SingleAsync(ct);
        return await CheckDocumentAsync(trust, bundleJson, Gunzip(document.Content), document.Author);
    }

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static byte[] Gunzip(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>The signature recorded for an imported document, or null when it came without one.</summary>
    public async Task<SignatureView?> DocumentSignatureAsync(long documentId, CancellationToken ct = default)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var row = await db.VexDocumentSignatures.AsNoTracking().FirstOrDefaultAsync(s => s.DocumentId == documentId, ct);
        if (row is null) return null;
        var status = await db.VexDocuments.AsNoTracking().Where(d => d.Id == documentId).Select(d => d.Signature).FirstAsync(ct);
        return SignatureView.From(row, status);
    }

    /// <summary>Signatures of these documents.</summary>
    public async Task<IReadOnlyDictionary<long, SignatureView>> DocumentSignaturesAsync(IReadOnlyCollection<long> documentIds, CancellationToken ct = default)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var ids = documentIds.ToList();
        var rows = await (from s in db.VexDocumentSignatures.AsNoTracking()
                          join d in db.VexDocuments.AsNoTracking() on s.DocumentId equals d.Id
                          where ids.Contains(s.DocumentId)
                          select new { s, d.Signature }).ToListAsync(ct);
        return rows.ToDictionary(r => r.s.DocumentId, r => SignatureView.From(r.s, r.Signature));
    }

    /// <summary>Records a cosign attestation bundle (DSSE in-toto statement). The same bundle twice is one attestation.
    /// Throws <see cref="SignedUploadException"/> when it is not an attestation bundle.</summary>
    public async Task<(AttestationView View, bool Created)> UploadAttestationAsync(byte[] bundleBytes, string fileName, string? uploadedBy, CancellationToken ct = default)
    {
        SigstoreBundle bundle;
        try
        {
            bundle = SigstoreBundle.Parse(bundleBytes);
        }
        catch (SigstoreFormatException e)
        {
            throw new SignedUploadException("bundle_format", $"Not a Sigstore bundle: {e.Message}");
        }
        if (bundle.DsseEnvelope is null)
            throw new SignedUploadException("not_attestation", "The bundle signs a file, not an attestation (DSSE in-toto statement); upload attestations here.");
        InTotoStatement statement;
        try
        {
            statement = InTotoStatement.Parse(bundle.DsseEnvelope.Payload);
        }
        catch (SigstoreFormatException e)
        {
            throw new SignedUploadException("not_attestation", $"The bundle's payload is not an in-toto statement: {e.Message}");
        }
        var sha = Convert.ToHexStringLower(SHA256.HashData(bundleBytes));
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using (var db0 = TriageDatabase.CreateContext(connectionString))
        {
            var existing = await db0.Attestations.AsNoTracking().FirstOrDefaultAsync(a => a.Sha256 == sha, ct);
            if (existing is not null) return (AttestationView.From(existing), false);
        }

        var check = await Policy.CheckAsync(bundleBytes, null, null, ct);
        var subjects = statement.Subjects
            .Select(s => (s.Name, Hex: s.Digest.TryGetValue("sha256", out var h) ? h.ToLowerInvariant() : null))
            .Where(s => s.Hex is not null).ToList();
        if (subjects.Count == 0) throw new SignedUploadException("no_subject", "The attestation names no sha256 subject, so it cannot be tied to an image.");

        await using var db = TriageDatabase.CreateContext(connectionString);
        var digests = subjects.Select(s => "sha256:" + s.Hex).ToList();
        var artifact = await db.Artifacts.AsNoTracking().Where(a => digests.Contains(a.Digest!) || digests.Contains(a.ImageId!))
            .Select(a => new { a.Id, a.Digest, a.ImageId }).FirstOrDefaultAsync(ct);
        var subject = artifact is null ? subjects[0] : subjects.First(s => "sha256:" + s.Hex == artifact.Digest || "sha256:" + s.Hex == artifact.ImageId);
        var provenance = Provenance.Read(statement);
        var row = new AttestationRecord
        {
            ArtifactId = artifact?.Id,
            SubjectDigest = "sha256:" + subject.Hex,
            SubjectName = subject.Name,
            PredicateType = statement.PredicateType,
            Builder = provenance.Builder,
            BuildType = provenance.BuildType,
            SourceRepository = provenance.Repository ?? SignerExtension(bundle, Sigstore.Certificates.FulcioOids.SourceRepositoryUri),
            SourceCommit = provenance.Commit ?? SignerExtension(bundle, Sigstore.Certificates.FulcioOids.SourceRepositoryDigest),
            Sha256 = sha,
            FileName = Path.GetFileName(fileName),
            UploadedAt = _time.GetUtcNow().UtcDateTime,
            UploadedBy = uploadedBy,
            BundleJson = "",
        };
        check.CopyTo(row, Encoding.UTF8.GetString(bundleBytes), row.UploadedAt);
        db.Attestations.Add(row);
        await db.SaveChangesAsync(ct);
        return (AttestationView.From(row), true);
    }

    /// <summary>Attestations about an image: attached at upload, or naming its digest (uploaded before the image was imported).</summary>
    public async Task<IReadOnlyList<AttestationView>> ForArtifactAsync(long artifactId, CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var digests = await db.Artifacts.AsNoTracking().Where(a => a.Id == artifactId).Select(a => new { a.Digest, a.ImageId }).FirstOrDefaultAsync(ct);
        var keys = new[] { digests?.Digest, digests?.ImageId }.OfType<string>().ToList();
        var rows = await db.Attestations.AsNoTracking().Where(a => a.ArtifactId == artifactId || keys.Contains(a.SubjectDigest))
            .OrderByDescending(a => a.UploadedAt).ThenByDescending(a => a.Id).ToListAsync(ct);
        return rows.Select(AttestationView.From).ToList();
    }

    /// <summary>Every uploaded attestation, newest first.</summary>
    public async Task<IReadOnlyList<AttestationView>> ListAttestationsAsync(int limit = 200, CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var rows = await db.Attestations.AsNoTracking().OrderByDescending(a => a.UploadedAt).ThenByDescending(a => a.Id).Take(limit).ToListAsync(ct);
        return rows.Select(AttestationView.From).ToList();
    }

    private static string? SignerExtension(SigstoreBundle bundle, string oid)
    {
        if (bundle.VerificationMaterial.Certificates.Count == 0) return null;
        try
        {
            using var cert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(bundle.VerificationMaterial.Certificates[0]);
            return Sigstore.Certificates.SignerIdentity.FromCertificate(cert).Get(oid);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Builder, build type, source repository and commit of a SLSA provenance predicate (v0.2 or v1).</summary>
    internal sealed record Provenance(string? Builder, string? BuildType, string? Repository, string? Commit)
    {
        public static Provenance Read(InTotoStatement statement)
        {
            if (statement.PredicateJson is null || !statement.PredicateType.StartsWith("https://slsa.dev/provenance/", StringComparison.Ordinal))
                return new(null, null, null, null);
            using var doc = JsonDocument.Parse(statement.PredicateJson);
            var p = doc.RootElement;
            // v1: runDetails.builder.id, buildDefinition.buildType, resolvedDependencies[0] {uri, digest.gitCommit|sha1}.
            if (p.TryGetProperty("buildDefinition", out var def))
            {
                var builder = Str(p, "runDetails", "builder", "id");
                var (repo, commit) = Dependency(def, "resolvedDependencies");
                if (repo is null && def.TryGetProperty("externalParameters", out var ext))
                    repo = Str(ext, "workflow", "repository") ?? Str(ext, "source", "uri");
                return new(builder, Str(def, "buildType"), repo, commit);
            }
            // v0.2: builder.id, buildType, invocation.configSource {uri, digest.sha1}, materials[0].
            var (r, c) = p.TryGetProperty("invocation", out var inv) && inv.TryGetProperty("configSource", out var cs) ? Source(cs) : (null, null);
            if (r is null) (r, c) = Dependency(p, "materials");
            return new(Str(p, "builder", "id"), Str(p, "buildType"), r, c);
        }

        private static (string?, string?) Dependency(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0 ? Source(list[0]) : (null, null);

        private static (string?, string?) Source(JsonElement e)
        {
            var uri = Str(e, "uri");
            string? commit = null;
            if (e.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.Object)
                commit = Str(d, "gitCommit") ?? Str(d, "sha1") ?? Str(d, "sha256");
            if (uri is not null && uri.StartsWith("git+", StringComparison.Ordinal)) uri = uri[4..];
            if (uri is not null && uri.IndexOf('@') is var at and > 8) uri = uri[..at];
            return (uri, commit);
        }

        private static string? Str(JsonElement e, params string[] path)
        {
            foreach (var p in path)
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e)) return null;
            }
            return e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        }
    }
}
