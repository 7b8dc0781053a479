using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Triage.Sigstore.Bundles;
using Triage.Sigstore.Certificates;
using Triage.Sigstore.Crypto;
using Triage.Sigstore.Dsse;
using Triage.Sigstore.InToto;
using Triage.Sigstore.Timestamps;
using Triage.Sigstore.Transparency;
using Triage.Sigstore.Trust;

namespace Triage.Sigstore.Verification;

/// <summary>
/// Verifies Sigstore bundles against a trusted root, following the Sigstore client specification (§4) and what
/// sigstore-go and sigstore-python do. Never throws for a bad bundle: every problem is a failed
/// <see cref="VerificationResult"/> naming the check.
/// </summary>
/// <remarks>
/// Order: structure and signing material → trusted signing times (SETs, RFC 3161) → certificate chain, SCT and
/// identity at those times (or the key's validity) → signature and artifact → log inclusion, checkpoint and body
/// consistency → predicate type. The artifact is checked before the log body so that a wrong artifact is reported
/// as such, not as a log mismatch.
/// </remarks>
public sealed class BundleVerifier(TrustedRoot trustedRoot)
{
    // sigstore-go and sigstore-python cap timestamps at 32 to bound the work a hostile bundle can cause.
    private const int MaxTimestamps = 32;

    public TrustedRoot TrustedRoot { get; } = trustedRoot;

    /// <param name="artifact">The artifact or its digest; null verifies a DSSE bundle's payload without an artifact.</param>
    public VerificationResult Verify(string bundleJson, Artifact? artifact, VerificationPolicy policy) =>
        Verify(Encoding.UTF8.GetBytes(bundleJson), artifact, policy);

    public VerificationResult Verify(ReadOnlyMemory<byte> bundleJson, Artifact? artifact, VerificationPolicy policy)
    {
        SigstoreBundle bundle;
        try
        {
            bundle = SigstoreBundle.Parse(bundleJson);
        }
        catch (SigstoreFormatException e)
        {
            return new VerificationResult { FailureCode = FailureCode.BundleFormat, Reason = e.Message };
        }
        return Verify(bundle, artifact, policy);
    }

    public VerificationResult Verify(SigstoreBundle bundle, Artifact? artifact, VerificationPolicy policy) =>
        new Run(TrustedRoot, bundle, artifact, policy).Execute();

    private sealed record Failure(FailureCode Code, string Reason);

    /// <summary>One verification: the state that checks hand on to later checks.</summary>
    private sealed class Run(TrustedRoot root, SigstoreBundle bundle, Artifact? artifact, VerificationPolicy policy)
    {
        private readonly List<string> _passed = [];
        private readonly List<SigningTime> _times = [];
        private readonly List<VerifiedLogEntry> _entries = [];
        private readonly bool _keyed = bundle.VerificationMaterial.Kind == SigningMaterialKind.PublicKey;
        private X509Certificate2? _leaf;
        private VerificationKey? _key;
        private SignerIdentity? _signer;
        private InTotoStatement? _statement;

        public VerificationResult Execute()
        {
            try
            {
                Failure? failure;
                try
                {
                    failure = CheckSigningMaterial()
                        ?? CheckInclusionPromises()
                        ?? CheckTimestamps()
                        ?? CheckSigningTimes()
                        ?? (_keyed ? CheckKeyValidity() : CheckCertificate())
                        ?? CheckSignature()
                        ?? CheckLogEntries()
                        ?? CheckPredicateType();
                }
                catch (Exception e) when (e is CryptographicException or AsnContentException or FormatException or ArgumentException or InvalidOperationException)
                {
                    // Each check handles the malformed input it expects; this net keeps the promise that hostile
                    // input never escapes as an exception, should some decoder below us still throw.
                    failure = new(FailureCode.BundleFormat, $"the bundle could not be processed: {e.Message}");
                }
                return new VerificationResult
                {
                    FailureCode = failure?.Code,
                    Reason = failure?.Reason,
                    Bundle = bundle,
                    Signer = _signer,
                    PublicKeyHint = _keyed ? _key?.KeyHint : null,
                    SigningTimes = _times,
                    LogEntries = _entries,
                    Statement = failure is null ? _statement : null,
                    PassedChecks = _passed,
                };
            }
            finally
            {
                // The policy's key belongs to the caller; only a key we made from the certificate is ours to dispose.
                if (!_keyed) _key?.Dispose();
            }
        }

        private Failure? CheckSigningMaterial()
        {
            var material = bundle.VerificationMaterial;
            if (_keyed)
            {
                if (policy.PublicKey is null)
                    return new(FailureCode.PublicKey, $"the bundle is signed with a self-managed key (hint '{material.PublicKeyHint}'); supply that public key to verify it");
                _key = policy.PublicKey;
                _passed.Add($"bundle {bundle.MediaType} is signed with a self-managed key");
                return null;
            }

            if (policy.PublicKey is not null && policy.Identities.Count == 0 && !policy.AllowAnyIdentity)
                return new(FailureCode.PublicKey, "the bundle is signed with a Fulcio certificate, not a key; verify it with an identity (SAN and OIDC issuer) instead of a key");
            try
            {
                _leaf = X509CertificateLoader.LoadCertificate(material.Certificates[0]);
            }
            catch (CryptographicException e)
            {
                return new(FailureCode.BundleFormat, $"the signing certificate is not a DER X.509 certificate ({e.Message})");
            }
            if (_leaf.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
                return new(FailureCode.CertificateChain, "the first certificate of the bundle is a CA certificate, not a signing leaf");
            // Roots must come from the trusted root only; a bundle that ships one is trying to be its own anchor.
            foreach (var der in material.Certificates.Skip(1))
            {
                try
                {
                    using var extra = X509CertificateLoader.LoadCertificate(der);
                    if (extra.SubjectName.RawData.AsSpan().SequenceEqual(extra.IssuerName.RawData))
                        return new(FailureCode.CertificateChain, $"the bundle carries the root certificate '{extra.Subject}'; trust anchors come only from the trusted root");
                }
                catch (CryptographicException e)
                {
                    return new(FailureCode.BundleFormat, $"a certificate of the chain is not a DER X.509 certificate ({e.Message})");
                }
            }
            try
            {
                _key = VerificationKey.FromCertificate(_leaf);
            }
            catch (SigstoreFormatException e)
            {
                return new(FailureCode.CertificateChain, $"the signing certificate's key cannot be used: {e.Problem}");
            }
            _signer = SignerIdentity.FromCertificate(_leaf);
            _passed.Add($"bundle {bundle.MediaType} is signed with a certificate for '{_signer.PrimaryName}'");
            return null;
        }

        private Failure? CheckInclusionPromises()
        {
            foreach (var (entry, i) in bundle.VerificationMaterial.TlogEntries.Select((e, i) => (e, i)))
            {
                var log = root.FindTransparencyLog(entry.LogId);
                if (log is null) continue;
                if (entry.SignedEntryTimestamp is null)
                {
                    if (bundle.Version == BundleVersion.V0_1)
                        return new(FailureCode.TlogSet, $"log entry {i} has no inclusion promise (SET), which v0.1 bundles require");
                    continue;
                }
                if (entry.IntegratedTime is not { } integrated)
                    return new(FailureCode.TlogSet, $"log entry {i} has an inclusion promise but no integrated time");
                using var key = log.TryLoadKey(out var keyProblem);
                if (key is null) return new(FailureCode.TrustedRoot, keyProblem!);
                // A key with no stated start could vouch for any time at all (sigstore-conformance trust-root cases).
                if (!log.HasValidityStart)
                    return new(FailureCode.TlogSet, $"the trusted root gives log {log.BaseUrl} no validity start, so its inclusion promise cannot date the entry");
                var time = DateTimeOffset.FromUnixTimeSeconds(integrated);
                if (!log.ValidFor.Contains(time))
                    return new(FailureCode.TlogSet, $"log entry {i} was integrated at {time.UtcDateTime:u}, outside the validity {log.ValidFor} of the key of {log.BaseUrl}");
                var payload = SignedEntryTimestamp.CanonicalPayload(entry.CanonicalizedBody, integrated, entry.LogId, entry.LogIndex);
                if (!key.VerifyData(payload, entry.SignedEntryTimestamp))
                    return new(FailureCode.TlogSet, $"the inclusion promise (SET) of log entry {i} does not verify with the key of {log.BaseUrl}");
                _times.Add(new SigningTime(time, SigningTimeSource.TransparencyLog, log.BaseUrl));
                _passed.Add($"inclusion promise of {log.BaseUrl} entry {entry.LogIndex}: integrated at {time.UtcDateTime:u}");
            }
            return null;
        }

        private Failure? CheckTimestamps()
        {
            var timestamps = bundle.VerificationMaterial.Rfc3161Timestamps;
            if (timestamps.Count > MaxTimestamps)
                return new(FailureCode.Timestamp, $"the bundle carries {timestamps.Count} timestamps; at most {MaxTimestamps} are accepted");
            if (timestamps.Select(Convert.ToBase64String).Distinct().Count() != timestamps.Count)
                return new(FailureCode.Timestamp, "the bundle carries the same timestamp twice");
            foreach (var (timestamp, i) in timestamps.Select((t, i) => (t, i)))
            {
                var verified = Rfc3161Verifier.Verify(timestamp, bundle.SignatureBytes, root, out var problem);
                if (verified is null) return new(FailureCode.Timestamp, $"RFC 3161 timestamp {i}: {problem}");
                _times.Add(new SigningTime(verified.Time, SigningTimeSource.TimestampAuthority, verified.Authority.DisplayName));
                _passed.Add($"RFC 3161 timestamp from {verified.Authority.DisplayName}: {verified.Time.UtcDateTime:u}");
            }
            return null;
        }

        private Failure? CheckSigningTimes()
        {
            var threshold = policy.SigningTimeThreshold ?? (_keyed ? 0 : 1);
            if (_times.Count < threshold)
            {
                var untrusted = bundle.VerificationMaterial.TlogEntries.Count(e => root.FindTransparencyLog(e.LogId) is null);
                var hint = untrusted > 0 ? $" ({untrusted} log entries come from logs the trusted root does not name: signed by another Sigstore instance?)" : "";
                return new(FailureCode.SigningTime, (_times.Count == 0
                    ? "no trusted signing time: the bundle has neither a verified inclusion promise (SET) nor an RFC 3161 timestamp"
                    : $"{_times.Count} trusted signing time(s), the policy requires {threshold}") + hint);
            }
            if (!_keyed && _times.Count == 0)
                return new(FailureCode.SigningTime, "a short-lived certificate can only be checked at a trusted signing time, and the bundle has none");
            return null;
        }

        private Failure? CheckKeyValidity()
        {
            foreach (var time in _times)
                if (!policy.PublicKeyValidFor.Contains(time.Time))
                    return new(FailureCode.PublicKey, $"the key was used at {time.Time.UtcDateTime:u} ({time.Source}), outside its validity {policy.PublicKeyValidFor}");
            return null;
        }

        private Failure? CheckCertificate()
        {
            IReadOnlyList<X509Certificate2>? path = null;
            CertificateAuthority? authority = null;
            // Hybrid model: the chain must be valid at every trusted signing time, not just now.
            foreach (var time in _times)
            {
                (var built, authority) = CertificateChainValidator.Build(_leaf!, root.CertificateAuthorities, time.Time, CertificateChainValidator.CodeSigningEku, out var problem);
                if (built is null) return new(FailureCode.CertificateChain, problem!);
                path ??= built;
            }
            var keyUsage = _leaf!.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
            if (keyUsage is null || !keyUsage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
                return new(FailureCode.CertificateChain, "the signing certificate does not allow digital signatures (key usage)");
            _passed.Add($"certificate chains to {authority!.DisplayName} at every signing time");

            if (policy.CertificateTransparencyThreshold > 0)
            {
                if (path!.Count < 2) return new(FailureCode.Sct, "the certificate's issuer is unknown, so its SCT cannot be checked");
                var count = SctVerifier.CountVerified(_leaf, path[1], root.CertificateTransparencyLogs, out var problem);
                if (count < policy.CertificateTransparencyThreshold)
                    return new(FailureCode.Sct, $"{count} verified SCT(s), {policy.CertificateTransparencyThreshold} required: {problem}");
                _passed.Add($"{count} SCT(s) from trusted CT logs");
            }

            if (policy.AllowAnyIdentity) return null;
            if (policy.Identities.Count == 0)
                return new(FailureCode.Identity, $"no identity policy: the certificate names '{_signer!.PrimaryName}' (issuer '{_signer.Issuer}'); say which signer is expected (its SAN and OIDC issuer)");
            var mismatches = policy.Identities.Select(i => i.Mismatch(_signer!)).ToList();
            if (mismatches.All(m => m is not null))
                return new(FailureCode.Identity, string.Join("; ", mismatches.Distinct()));
            _passed.Add($"identity '{_signer!.PrimaryName}' issued by '{_signer.Issuer}' matches the policy");
            return null;
        }

        private Failure? CheckSignature()
        {
            var who = _keyed ? "the supplied key" : "the certificate's key";
            if (_keyed && !string.IsNullOrEmpty(bundle.VerificationMaterial.PublicKeyHint) && bundle.VerificationMaterial.PublicKeyHint != _key!.KeyHint)
                who += $" (whose hint '{_key.KeyHint}' differs from the bundle's '{bundle.VerificationMaterial.PublicKeyHint}')";

            if (bundle.MessageSignature is { } message)
            {
                if (artifact is null)
                    return new(FailureCode.ArtifactRequired, "the bundle signs an artifact directly: give the artifact or its digest");
                if (message.Digest is { } claimed && message.DigestAlgorithm is { } claimedAlgorithm
                    && artifact.GetDigest(claimedAlgorithm) is { } actualClaimed
                    && !CryptographicOperations.FixedTimeEquals(claimed, actualClaimed))
                    return new(FailureCode.ArtifactDigest, $"the artifact's {DigestAlgorithms.ToName(claimedAlgorithm)} digest {Convert.ToHexStringLower(actualClaimed)} is not the one the bundle was made for ({Convert.ToHexStringLower(claimed)})");
                bool valid;
                if (_key!.Algorithm == KeyAlgorithm.Ed25519)
                {
                    if (artifact.Bytes is null)
                        return new(FailureCode.ArtifactRequired, "an Ed25519 signature signs the artifact itself: give the artifact's bytes, not its digest");
                    valid = _key.VerifyData(artifact.Bytes, message.Signature);
                }
                else
                {
                    var digest = artifact.GetDigest(_key.HashAlgorithm);
                    if (digest is null)
                        return new(FailureCode.ArtifactDigest, $"the signature is over a {DigestAlgorithms.ToName(_key.HashAlgorithm)} digest, but only a {string.Join("/", artifact.KnownAlgorithms.Select(DigestAlgorithms.ToName))} digest was given");
                    valid = _key.VerifyDigest(digest, _key.HashAlgorithm, message.Signature);
                }
                if (!valid) return new(FailureCode.Signature, $"the signature does not verify over the artifact with {who}");
                _passed.Add("signature over the artifact verifies");
                return null;
            }

            var envelope = bundle.DsseEnvelope!;
            if (envelope.PayloadType != DsseEnvelope.InTotoPayloadType)
                return new(FailureCode.Statement, $"DSSE payload type '{envelope.PayloadType}' is not {DsseEnvelope.InTotoPayloadType}");
            if (!_key!.VerifyData(envelope.PreAuthenticationEncoding(), envelope.Signatures[0].Signature))
                return new(FailureCode.Signature, $"the DSSE signature does not verify over the payload with {who}");
            _passed.Add("DSSE signature over the payload verifies");
            try
            {
                _statement = InTotoStatement.Parse(envelope.Payload);
            }
            catch (SigstoreFormatException e)
            {
                return new(FailureCode.Statement, e.Message);
            }
            if (artifact is null)
            {
                _passed.Add("no artifact given: the statement's subjects were not compared with one");
                return null;
            }
            var comparable = _statement.SubjectDigestAlgorithms().Where(a => artifact.GetDigest(a) is not null).ToList();
            if (comparable.Count == 0)
                return new(FailureCode.ArtifactDigest, $"the statement's subjects have no {string.Join("/", artifact.KnownAlgorithms.Select(DigestAlgorithms.ToName))} digest to compare with the artifact");
            if (!comparable.Any(a => _statement.HasSubjectDigest(a, artifact.GetDigest(a))))
                return new(FailureCode.ArtifactDigest, $"no subject of the statement has the artifact's digest ({string.Join(", ", comparable.Select(a => $"{DigestAlgorithms.ToName(a)}:{Convert.ToHexStringLower(artifact.GetDigest(a)!)}"))})");
            _passed.Add("the artifact is a subject of the statement");
            return null;
        }

        private Failure? CheckLogEntries()
        {
            var unknown = 0;
            foreach (var (entry, i) in bundle.VerificationMaterial.TlogEntries.Select((e, i) => (e, i)))
            {
                var log = root.FindTransparencyLog(entry.LogId);
                if (log is null)
                {
                    // As sigstore-go: an entry the trusted root cannot verify proves nothing and is skipped; the
                    // threshold below decides whether enough entries remain. Say so, so nobody mistakes it for checked.
                    unknown++;
                    _passed.Add($"log entry {i} ignored: its log {Convert.ToBase64String(entry.LogId)} is not in the trusted root");
                    continue;
                }
                if (CheckInclusion(entry, i, log) is { } inclusion) return inclusion;
                var expectation = new LogBodyExpectation
                {
                    Signature = bundle.SignatureBytes,
                    CertificateDer = _leaf?.RawData,
                    PublicKeySpki = _keyed ? _key!.SubjectPublicKeyInfo : null,
                    Envelope = bundle.DsseEnvelope,
                    ArtifactDigest = a => artifact?.GetDigest(a),
                };
                if (RekorEntryBody.Check(entry, expectation) is { } mismatch)
                    return new(FailureCode.TlogBodyMismatch, $"log entry {i} ({log.BaseUrl} index {entry.LogIndex}): {mismatch}");
                var integrated = entry.IntegratedTime is { } t ? DateTimeOffset.FromUnixTimeSeconds(t) : (DateTimeOffset?)null;
                _entries.Add(new VerifiedLogEntry(log.BaseUrl, entry.LogIndex, integrated));
                _passed.Add($"log entry {entry.LogIndex} of {log.BaseUrl} records this signature");
            }
            var threshold = policy.TransparencyLogThreshold ?? (_keyed ? 0 : 1);
            if (_entries.Count < threshold)
                return new(FailureCode.TlogMissing, unknown > 0
                    ? $"{_entries.Count} verified transparency-log entries, {threshold} required ({unknown} entries are from logs the trusted root does not name)"
                    : $"{_entries.Count} verified transparency-log entries, {threshold} required");
            return null;
        }

        private Failure? CheckInclusion(TransparencyLogEntry entry, int i, TransparencyLogInstance log)
        {
            if (entry.InclusionProof is not { } proof)
            {
                if (bundle.Version != BundleVersion.V0_1)
                    return new(FailureCode.TlogInclusionProof, $"log entry {i} has no inclusion proof, which bundles since v0.2 require");
                // v0.1: the verified SET (checked earlier) is the evidence of inclusion.
                return entry.SignedEntryTimestamp is null
                    ? new(FailureCode.TlogInclusionProof, $"log entry {i} has neither an inclusion proof nor an inclusion promise")
                    : null;
            }
            var leafHash = MerkleTree.LeafHash(entry.CanonicalizedBody);
            if (!MerkleTree.VerifyInclusion(proof.LogIndex, proof.TreeSize, leafHash, proof.Hashes, proof.RootHash))
                return new(FailureCode.TlogInclusionProof, $"the inclusion proof of log entry {i} (index {proof.LogIndex} of {proof.TreeSize}) does not lead to its root hash");
            if (proof.Checkpoint is null)
            {
                if (bundle.Version != BundleVersion.V0_1)
                    return new(FailureCode.TlogInclusionProof, $"the inclusion proof of log entry {i} has no checkpoint, which bundles since v0.2 require");
                _passed.Add($"inclusion proof in {log.BaseUrl} (no checkpoint, v0.1)");
                return null;
            }
            var checkpoint = Checkpoint.TryParse(proof.Checkpoint, out var parseProblem);
            if (checkpoint is null) return new(FailureCode.Checkpoint, $"the checkpoint of log entry {i} is malformed: {parseProblem}");
            if (!checkpoint.RootHash.AsSpan().SequenceEqual(proof.RootHash) || checkpoint.TreeSize != proof.TreeSize)
                return new(FailureCode.Checkpoint, $"the checkpoint of log entry {i} is for tree size {checkpoint.TreeSize} root {Convert.ToHexStringLower(checkpoint.RootHash)}, not the proof's {proof.TreeSize} {Convert.ToHexStringLower(proof.RootHash)}");
            if (CheckCheckpointSignature(checkpoint, log) is { } signature) return signature;
            _passed.Add($"inclusion proof and signed checkpoint of {log.BaseUrl} (tree size {proof.TreeSize})");
            return null;
        }

        private static Failure? CheckCheckpointSignature(Checkpoint checkpoint, TransparencyLogInstance log)
        {
            using var key = log.TryLoadKey(out var keyProblem);
            if (key is null) return new(FailureCode.TrustedRoot, keyProblem!);
            IEnumerable<NoteSignature> candidates;
            if (key.Algorithm == KeyAlgorithm.Ed25519)
            {
                // Rekor v2 (C2SP): the signer name is the log's host and the key hint is derived from name and key.
                var name = log.Host;
                var hint = SHA256.HashData([.. Encoding.UTF8.GetBytes(name), 0x0A, 0x01, .. key.Ed25519RawKey!])[..4];
                if (checkpoint.Origin != name)
                    return new(FailureCode.Checkpoint, $"the checkpoint is for log '{checkpoint.Origin}', not {name}");
                candidates = checkpoint.Signatures.Where(s => s.Name == name && s.KeyHint.AsSpan().SequenceEqual(hint));
            }
            else
            {
                // Rekor v1: the hint is the first four bytes of the log id; the name is not checked, as in sigstore-go
                // and sigstore-python (private deployments name their checkpoints differently from their URL).
                candidates = checkpoint.Signatures.Where(s => s.KeyHint.AsSpan().SequenceEqual(log.LogId.AsSpan(0, 4)));
            }
            var lines = candidates.ToList();
            if (lines.Count == 0)
                return new(FailureCode.CheckpointSignature, $"the checkpoint has no signature by the key of {log.BaseUrl}");
            if (!lines.Any(s => key.VerifyData(checkpoint.SignedText, s.Signature)))
                return new(FailureCode.CheckpointSignature, $"the checkpoint signature does not verify with the key of {log.BaseUrl}");
            return null;
        }

        private Failure? CheckPredicateType()
        {
            if (policy.RequiredPredicateType is null && policy.RequiredPredicateTypePrefix is null) return null;
            if (_statement is null)
                return new(FailureCode.PredicateType, "the policy requires an attestation predicate, but the bundle signs an artifact directly");
            var type = _statement.PredicateType;
            if (policy.RequiredPredicateType is { } exact && type != exact)
                return new(FailureCode.PredicateType, $"predicate type '{type}' is not the required '{exact}'");
            if (policy.RequiredPredicateTypePrefix is { } prefix && !type.StartsWith(prefix, StringComparison.Ordinal))
                return new(FailureCode.PredicateType, $"predicate type '{type}' does not start with the required '{prefix}'");
            _passed.Add($"predicate type {type}");
            return null;
        }
    }
}
