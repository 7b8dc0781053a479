using System.Security.Cryptography;
using System.Text;
using static System.FormattableString;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Vex;
using Triage.Data.Vex;
using Triage.Sigstore;
using Triage.Sigstore.Bundles;
using Triage.Sigstore.Crypto;
using Triage.Sigstore.InToto;
using Triage.Sigstore.Signing;
using Triage.Sigstore.Trust;
using Triage.Sigstore.Verification;

namespace Triage.Data.Signing;

/// <summary>A signed export: the Sigstore bundle (v0.3, DSSE over an in-toto statement) to write beside the document.</summary>
public sealed record SignedDocument(string BundleJson, IReadOnlyList<InTotoSubject> Subjects, string PredicateType, bool Keyless, string Signer);

/// <summary>
/// Signs exported VEX documents as in-toto statements: predicate type <c>https://openvex.dev/ns</c> for OpenVEX (the
/// CycloneDX and CSAF documents get their own predicate types), the subjects being the image digests the document names
/// (its <c>pkg:oci</c> products), in a DSSE envelope in a Sigstore bundle v0.3. Keyless when <see cref="SigningOptions.Keyless"/>,
/// else with <see cref="SigningKeyStore"/>'s key (offline, or logged when a Rekor is configured).
/// </summary>
public sealed class DocumentSigner(string connectionString, SigningOptions? options = null, HttpClient? http = null, TimeProvider? time = null)
{
    private readonly SigningOptions _options = options ?? new SigningOptions();

    public const string CycloneDxPredicateType = "https://cyclonedx.org/vex";
    public const string CsafPredicateType = "https://docs.oasis-open.org/csaf/csaf/v2.0";

    public static string PredicateTypeFor(VexFormat format) => format switch
    {
        VexFormat.OpenVex => InTotoStatement.OpenVexPredicateType,
        VexFormat.CycloneDx => CycloneDxPredicateType,
        _ => CsafPredicateType,
    };

    public async Task<SignedDocument> SignAsync(VexFormat format, string documentJson, CancellationToken ct = default)
    {
        var subjects = Subjects(documentJson);
        var statement = InTotoStatement.Create(PredicateTypeFor(format), subjects, documentJson);
        var services = http is null && !_options.Keyless && _options.Rekor is null && _options.TimestampAuthority is null
            ? SigningServices.Offline
            : SigningServiceFactory.Create(_options, http ?? new HttpClient());
        var signer = new SigstoreSigner(services);
        if (_options.Keyless)
        {
            var token = _options.ReadToken() ?? throw new InvalidOperationException("keyless signing needs an OIDC token (Triage:Signing:OidcToken)");
            var bundle = await signer.SignInTotoKeylessAsync(statement, token, ct);
            return new SignedDocument(bundle.ToJson(), subjects, statement.PredicateType, true, "keyless");
        }
        using var key = await new SigningKeyStore(connectionString, _options, time).GetSignerAsync(ct);
        var keyed = await signer.SignInTotoAsync(statement, key, ct);
        return new SignedDocument(keyed.ToJson(), subjects, statement.PredicateType, false, key.KeyHint);
    }

    private static readonly Regex OciPurl = new(@"pkg:oci/(?<name>[^@""\s]+)@sha256(?::|%3[Aa])(?<hex>[0-9a-f]{64})(?:\?(?<q>[^""\s#]*))?", RegexOptions.Compiled);

    /// <summary>The image digests a document names (its <c>pkg:oci</c> purls), one subject each, named by repository URL
    /// when the purl gives one. A document naming no image is its own subject (its SHA-256).</summary>
    public static IReadOnlyList<InTotoSubject> Subjects(string documentJson)
    {
        var result = new Dictionary<string, InTotoSubject>(StringComparer.Ordinal);
        foreach (Match m in OciPurl.Matches(documentJson))
        {
            var hex = m.Groups["hex"].Value;
            if (result.ContainsKey(hex)) continue;
            var name = Uri.UnescapeDataString(m.Groups["name"].Value);
            foreach (var part in m.Groups["q"].Value.Split('&', StringSplitOptions.RemoveEmptyEntries))
                if (part.StartsWith("repository_url=", StringComparison.Ordinal))
                    name = Uri.UnescapeDataString(part["repository_url=".Length..]);
            result[hex] = InTotoSubject.Sha256(name, hex);
        }
        if (result.Count == 0)
            return [InTotoSubject.Sha256("vex-document", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(documentJson))))];
        return result.OrderBy(kv => kv.Value.Name, StringComparer.Ordinal).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).ToList();
    }
}

/// <summary>What checking a bundle found.</summary>
/// <param name="Status">Verified: sound and made by a trusted signer of the author. NotChecked: sound, but its signer is
/// not trusted for the author ("unverified"). Invalid: it does not verify.</param>
public sealed record SignatureCheck(
    VexSignatureStatus Status,
    string? FailureCode,
    string? Reason,
    string? Identity,
    string? Issuer,
    string? KeyId,
    DateTimeOffset? SignedAt,
    string? TrustDomain,
    InTotoStatement? Statement)
{
    public bool Verified => Status == VexSignatureStatus.Verified;

    public const string UntrustedSigner = "untrusted_signer";
    public const string PredicateMismatch = "predicate_mismatch";

    public void CopyTo(SignatureFacts facts, string bundleJson, DateTime checkedAt)
    {
        facts.Verified = Verified;
        facts.FailureCode = FailureCode;
        facts.Reason = Reason;
        facts.SignerIdentity = Identity;
        facts.SignerIssuer = Issuer;
        facts.SignerKeyId = KeyId;
        facts.SignedAt = SignedAt?.UtcDateTime;
        facts.TrustDomain = TrustDomain;
        facts.BundleJson = bundleJson;
        facts.CheckedAt = checkedAt;
    }
}

/// <summary>The trust policy read at one moment: roots per domain, trusted signers, and this Triage's own public key (read
/// when first needed).</summary>
public sealed record TrustSnapshot(IReadOnlyList<TrustDomain> Domains, IReadOnlyList<TrustedSigner> Signers, Lazy<Task<string>> AppKeyPem);

/// <summary>A trust domain's root, as the policy uses it.</summary>
public sealed record TrustDomain(string Name, TrustedRoot Root, bool Builtin, DateTimeOffset? UpdatedAt, string? UpdatedBy);

/// <summary>
/// The signature trust policy, kept in the database and edited by admins: trusted roots per trust domain (the public-good
/// root ships built in; a row for "public-good" replaces it) and trusted signers per VEX author. Checks bundles against it.
/// </summary>
public sealed class SignaturePolicy(string connectionString, SigningOptions? options = null, TimeProvider? time = null)
{
    public const string PublicGood = "public-good";
    /// <summary>A signer trusted for every author.</summary>
    public const string AnyAuthor = "*";

    private readonly SigningOptions _options = options ?? new SigningOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<IReadOnlyList<TrustDomain>> DomainsAsync(CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var rows = await db.TrustedRoots.AsNoTracking().OrderBy(r => r.Domain).ToListAsync(ct);
        var result = new List<TrustDomain>();
        if (rows.All(r => r.Domain != PublicGood)) result.Add(new TrustDomain(PublicGood, TrustedRoot.PublicGood, true, null, null));
        foreach (var r in rows)
        {
            try
            {
                result.Add(new TrustDomain(r.Domain, TrustedRoot.Parse(r.Json), false, DecisionRows.Offset(r.UpdatedAt), r.UpdatedBy));
            }
            catch (SigstoreFormatException)
            {
                // Checked when stored; a row that no longer parses (library change) is skipped rather than failing every check.
            }
        }
        return result;
    }

    /// <summary>Adds or replaces a domain's root. Throws <see cref="SigstoreFormatException"/> when it is not a trusted root.</summary>
    public async Task SetRootAsync(string domain, string json, string? by, CancellationToken ct = default)
    {
        var name = NormalizeDomain(domain);
        TrustedRoot.Parse(json);
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var row = await db.TrustedRoots.FirstOrDefaultAsync(r => r.Domain == name, ct);
        if (row is null) db.TrustedRoots.Add(row = new TrustedRootRecord { Domain = name, Json = json });
        row.Json = json;
        row.UpdatedAt = _time.GetUtcNow().UtcDateTime;
        row.UpdatedBy = by;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Removes a domain's root (for "public-good": back to the built-in root). Returns false when there was none.</summary>
    public async Task<bool> RemoveRootAsync(string domain, CancellationToken ct = default)
    {
        var name = NormalizeDomain(domain);
        await using var db = TriageDatabase.CreateContext(connectionString);
        return await db.TrustedRoots.Where(r => r.Domain == name).ExecuteDeleteAsync(ct) > 0;
    }

    public async Task<IReadOnlyList<TrustedSigner>> SignersAsync(CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        return await db.TrustedSigners.AsNoTracking().OrderBy(s => s.AuthorKey).ThenBy(s => s.Id).ToListAsync(ct);
    }

    /// <summary>Trusts a signer for an author: a keyless identity (SAN exact or pattern, and issuer) or a PEM public key.
    /// Throws <see cref="ArgumentException"/> for an incomplete or unreadable signer.</summary>
    public async Task<TrustedSigner> AddSignerAsync(string author, string? identity, bool pattern, string? issuer, string? publicKeyPem, string? by,
        CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(author)) throw new ArgumentException("Name the VEX author (or * for any author).");
        var hasIdentity = !string.IsNullOrWhiteSpace(identity);
        var hasKey = !string.IsNullOrWhiteSpace(publicKeyPem);
        if (hasIdentity == hasKey) throw new ArgumentException("Give either an identity with its issuer, or a public key.");
        string? keyId = null;
        if (hasIdentity)
        {
            if (string.IsNullOrWhiteSpace(issuer)) throw new ArgumentException("An identity needs its OIDC issuer (e.g. https://token.actions.githubusercontent.com).");
            if (pattern)
            {
                try { _ = new Regex(identity!); }
                catch (ArgumentException e) { throw new ArgumentException($"Not a regular expression: {e.Message}"); }
            }
        }
        else
        {
            try
            {
                using var key = VerificationKey.FromPem(publicKeyPem!);
                keyId = key.KeyHint;
            }
            catch (Exception e) when (e is SigstoreFormatException or CryptographicException or ArgumentException)
            {
                throw new ArgumentException($"Not a PEM public key: {e.Message}");
            }
        }
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var row = new TrustedSigner
        {
            AuthorKey = author.Trim().ToLowerInvariant(),
            Identity = hasIdentity ? identity!.Trim() : null,
            IdentityIsPattern = hasIdentity && pattern,
            Issuer = hasIdentity ? issuer!.Trim() : null,
            PublicKeyPem = hasKey ? publicKeyPem!.Trim() + "\n" : null,
            KeyId = keyId,
            AddedAt = _time.GetUtcNow().UtcDateTime,
            AddedBy = by,
        };
        db.TrustedSigners.Add(row);
        await db.SaveChangesAsync(ct);
        return row;
    }

    public async Task<bool> RemoveSignerAsync(long id, CancellationToken ct = default)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        return await db.TrustedSigners.Where(s => s.Id == id).ExecuteDeleteAsync(ct) > 0;
    }

    /// <summary>
    /// Checks a bundle for something <paramref name="author"/> published (null: an attestation, any trusted signer).
    /// <paramref name="document"/> is the signed document: a DSSE bundle's predicate must equal it; a message-signature
    /// bundle must sign its bytes. Keyed bundles verify with the author's trusted keys and the app's own key; keyless ones
    /// under each trust domain's root, with the author's trusted identities.
    /// </summary>
    public async Task<SignatureCheck> CheckAsync(ReadOnlyMemory<byte> bundleJson, ReadOnlyMemory<byte>? document, string? author, CancellationToken ct = default) =>
        await CheckAsync(await SnapshotAsync(ct), bundleJson, document, author);

    /// <summary>A fingerprint of the policy's stored rows (trusted roots and signers): equal stamps mean a check made
    /// under one still holds under the other (<see cref="SignedUploads.RecheckAsync"/>).</summary>
    public async Task<string> StampAsync(CancellationToken ct = default)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var roots = await db.TrustedRoots.AsNoTracking().OrderBy(r => r.Id).Select(r => new { r.Id, r.Domain, r.Json }).ToListAsync(ct);
        var signers = await db.TrustedSigners.AsNoTracking().OrderBy(s => s.Id)
            .Select(s => new { s.Id, s.AuthorKey, s.Identity, s.IdentityIsPattern, s.Issuer, s.PublicKeyPem }).ToListAsync(ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Length-prefixed, so no two different row sets hash the same text.
        void Add(string? value) => hash.AppendData(Encoding.UTF8.GetBytes(value is null ? "\u0001" : value.Length + ":" + value));
        foreach (var r in roots) { Add(Invariant($"{r.Id}")); Add(r.Domain); Add(r.Json); }
        Add("signers");
        foreach (var x in signers)
        {
            Add(Invariant($"{x.Id}")); Add(x.AuthorKey); Add(x.Identity); Add(x.IdentityIsPattern ? "p" : "e");
            Add(x.Issuer); Add(x.PublicKeyPem);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The policy as it stands now, read once for checking many bundles (<see cref="SignedUploads.RecheckAsync"/>).</summary>
    public async Task<TrustSnapshot> SnapshotAsync(CancellationToken ct = default) =>
        new(await DomainsAsync(ct), await SignersAsync(ct),
            // Read (and made, on first use) only when a keyed bundle needs it.
            new Lazy<Task<string>>(async () => (await new SigningKeyStore(connectionString, _options, _time).PublicKeyAsync(ct)).Pem));

    /// <summary>As <see cref="CheckAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}?, string?, CancellationToken)"/>, under <paramref name="trust"/>.</summary>
    public static async Task<SignatureCheck> CheckAsync(TrustSnapshot trust, ReadOnlyMemory<byte> bundleJson, ReadOnlyMemory<byte>? document, string? author)
    {
        SigstoreBundle bundle;
        try
        {
            bundle = SigstoreBundle.Parse(bundleJson);
        }
        catch (SigstoreFormatException e)
        {
            return new SignatureCheck(VexSignatureStatus.Invalid, FailureCode.BundleFormat.ToCode(), e.Message, null, null, null, null, null, null);
        }
        var artifact = bundle.DsseEnvelope is null && document is { } bytes ? Artifact.FromBytes(bytes.ToArray()) : null;
        var domains = trust.Domains;
        var signers = trust.Signers
            .Where(s => s.AuthorKey == AnyAuthor || (author is not null && s.AuthorKey == author.Trim().ToLowerInvariant())).ToList();

        SignatureCheck result;
        if (bundle.VerificationMaterial.Kind == SigningMaterialKind.PublicKey)
            result = await CheckKeyedAsync(bundle, artifact, domains, signers, author, trust.AppKeyPem);
        else
            result = CheckKeyless(bundle, artifact, domains, signers, author);

        // Whether the bundle is about this document at all: also when its signer is not trusted (nothing was verified then,
        // and a bundle signing another document must not make this one look merely "unverified").
        if (result.Status != VexSignatureStatus.Invalid && document is { } doc && !AboutDocument(bundle, result.Statement, doc.Span))
            return result with
            {
                Status = VexSignatureStatus.Invalid,
                FailureCode = SignatureCheck.PredicateMismatch,
                Reason = bundle.DsseEnvelope is not null
                    ? "The bundle signs a statement whose predicate is not this document."
                    : "The bundle signs a file whose digest is not this document's.",
            };
        return result;
    }

    private static bool AboutDocument(SigstoreBundle bundle, InTotoStatement? verified, ReadOnlySpan<byte> document)
    {
        if (bundle.DsseEnvelope is { } envelope)
        {
            var statement = verified;
            if (statement is null)
            {
                try
                {
                    statement = InTotoStatement.Parse(envelope.Payload);
                }
                catch (SigstoreFormatException)
                {
                    return false;
                }
            }
            return SamePredicate(statement, document.ToArray());
        }
        if (bundle.MessageSignature?.Digest is not { } digest) return true;
        var alg = bundle.MessageSignature.DigestAlgorithm ?? HashAlgorithmName.SHA256;
        var actual = alg == HashAlgorithmName.SHA384 ? SHA384.HashData(document) : alg == HashAlgorithmName.SHA512 ? SHA512.HashData(document) : SHA256.HashData(document);
        return digest.AsSpan().SequenceEqual(actual);
    }

    private static async Task<SignatureCheck> CheckKeyedAsync(SigstoreBundle bundle, Artifact? artifact, IReadOnlyList<TrustDomain> domains,
        IReadOnlyList<TrustedSigner> signers, string? author, Lazy<Task<string>> appKeyPem)
    {
        var hint = bundle.VerificationMaterial.PublicKeyHint;
        var keys = new List<(string Pem, string Who)>();
        foreach (var s in signers.Where(s => s.PublicKeyPem is not null)) keys.Add((s.PublicKeyPem!, s.AuthorKey == AnyAuthor ? "key trusted for every author" : $"key trusted for {s.AuthorKey}"));
        keys.Add((await appKeyPem.Value, "this Triage's signing key"));

        VerificationResult? failure = null;
        string? failureKey = null;
        foreach (var (pem, who) in keys)
        {
            using var key = VerificationKey.FromPem(pem);
            if (hint is { Length: > 0 } && hint != key.KeyHint) continue;
            foreach (var d in domains)
            {
                var r = new BundleVerifier(d.Root).Verify(bundle, artifact, VerificationPolicy.ForKey(key));
                if (r.Success)
                    return new SignatureCheck(VexSignatureStatus.Verified, null, $"Signed with the {who}.", null, null, key.KeyHint, SigningTimeOf(r),
                        r.LogEntries.Count > 0 ? d.Name : null, r.Statement);
                if (failure is null) { failure = r; failureKey = key.KeyHint; }
            }
        }
        if (failure is not null)
            return new SignatureCheck(VexSignatureStatus.Invalid, failure.Code, failure.Reason, null, null, failureKey, null, null, null);
        return new SignatureCheck(VexSignatureStatus.NotChecked, SignatureCheck.UntrustedSigner,
            $"Signed with a key (hint {hint ?? "none"}) that is not trusted{(author is null ? "" : $" for {author}")}: add its public key as a trusted signer to verify it.",
            null, null, hint, null, null, null);
    }

    private static SignatureCheck CheckKeyless(SigstoreBundle bundle, Artifact? artifact, IReadOnlyList<TrustDomain> domains,
        IReadOnlyList<TrustedSigner> signers, string? author)
    {
        var identities = signers.Where(s => s.Identity is not null && s.Issuer is not null)
            .Select(s => s.IdentityIsPattern ? CertificateIdentity.Pattern(s.Identity!, s.Issuer!) : CertificateIdentity.Exact(s.Identity!, s.Issuer!)).ToList();
        VerificationResult? firstFailure = null;
        foreach (var d in domains)
        {
            var verifier = new BundleVerifier(d.Root);
            // First who signed, soundly (any identity); then whether the author trusts that identity.
            var any = verifier.Verify(bundle, artifact, new VerificationPolicy { AllowAnyIdentity = true });
            if (!any.Success)
            {
                // The failure under the first domain is the one to show (another domain's root simply does not apply).
                firstFailure ??= any;
                continue;
            }
            var who = any.Signer?.PrimaryName;
            var issuer = any.Signer?.Issuer;
            if (identities.Count > 0)
            {
                var trusted = verifier.Verify(bundle, artifact, new VerificationPolicy { Identities = identities });
                if (trusted.Success)
                    return new SignatureCheck(VexSignatureStatus.Verified, null, $"Signed by {who} ({issuer}) under the {d.Name} root.", who, issuer, null,
                        SigningTimeOf(trusted), d.Name, trusted.Statement);
            }
            return new SignatureCheck(VexSignatureStatus.NotChecked, SignatureCheck.UntrustedSigner,
                $"Signed by {who} ({issuer}) under the {d.Name} root, who is not a trusted signer{(author is null ? "" : $" for {author}")}.",
                who, issuer, null, SigningTimeOf(any), d.Name, any.Statement);
        }
        var f = firstFailure!;
        return new SignatureCheck(VexSignatureStatus.Invalid, f.Code, f.Reason, f.Signer?.PrimaryName, f.Signer?.Issuer, null, null, null, null);
    }

    private static DateTimeOffset? SigningTimeOf(VerificationResult r) =>
        r.SigningTimes.Count > 0 ? r.SigningTimes.Min(t => t.Time) : r.LogEntries.Select(e => e.IntegratedTime).OfType<DateTimeOffset>().Cast<DateTimeOffset?>().Min();

    /// <summary>The statement's predicate is the document (as JSON: key order and spacing aside).</summary>
    private static bool SamePredicate(InTotoStatement st, ReadOnlyMemory<byte> document)
    {
        if (st.PredicateJson is null) return false;
        try
        {
            return JsonNode.DeepEquals(JsonNode.Parse(st.PredicateJson), JsonNode.Parse(document.Span));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string NormalizeDomain(string domain)
    {
        var name = domain.Trim().ToLowerInvariant();
        if (name.Length is 0 or > 100 || !Regex.IsMatch(name, "^[a-z0-9][a-z0-9._-]*$"))
            throw new ArgumentException("A trust domain is a short name: letters, digits, '.', '_' or '-'.");
        return name;
    }
}
