using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Sigstore.Signing;

namespace Triage.Data.Signing;

/// <summary>How exports are signed (configuration section <c>Triage:Signing</c>).</summary>
public sealed record SigningOptions
{
    /// <summary>A PEM private key (PKCS#8, SEC1 or encrypted PKCS#8) managed outside Triage; used instead of the app's key.</summary>
    public string? KeyPath { get; init; }
    public string? KeyPassword { get; init; }
    /// <summary>Keyless signing: Fulcio base URL (with <see cref="OidcToken"/> and a log or a TSA).</summary>
    public string? Fulcio { get; init; }
    /// <summary>Rekor base URL: keyed and keyless signatures are logged there when set.</summary>
    public string? Rekor { get; init; }
    /// <summary>RFC 3161 timestamp authority URL.</summary>
    public string? TimestampAuthority { get; init; }
    /// <summary>The OIDC identity token for keyless signing (or <see cref="OidcTokenFile"/>, re-read at every signing).</summary>
    public string? OidcToken { get; init; }
    public string? OidcTokenFile { get; init; }
    /// <summary>A Sigstore signing_config.json naming the services (instead of <see cref="Fulcio"/>/<see cref="Rekor"/>/<see cref="TimestampAuthority"/>).</summary>
    public string? SigningConfig { get; init; }

    /// <summary>Keyless when a certificate authority and a token are configured.</summary>
    public bool Keyless => (Fulcio is not null || SigningConfig is not null) && (OidcToken is not null || OidcTokenFile is not null);

    public string? ReadToken() => OidcToken ?? (OidcTokenFile is { } f ? File.ReadAllText(f).Trim() : null);
}

/// <summary>
/// Protects the app's private signing key with ASP.NET Data Protection. The key ring lives in the database
/// (<see cref="SigningKeyRingEntry"/>), so the CLI and every web instance can unprotect it; whoever can read the database can
/// therefore use the key, which is why a key managed elsewhere can be named with <see cref="SigningOptions.KeyPath"/>
/// (docs/decisions/043-signing-in-the-app.md).
/// </summary>
public sealed class SigningKeyProtector
{
    private const string Purpose = "Triage.Signing.PrivateKey.v1";
    private readonly IDataProtector _protector;

    public SigningKeyProtector(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().SetApplicationName("Triage.Signing");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new DatabaseXmlRepository(connectionString));
        using var provider = services.BuildServiceProvider();
        _protector = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
        // The protector keeps what it needs; the container can go.
        _protector.Protect([0]);
    }

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedText) => _protector.Unprotect(protectedText);

    /// <summary>The key ring as rows of <see cref="SigningKeyRingEntry"/>.</summary>
    private sealed class DatabaseXmlRepository(string connectionString) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements()
        {
            using var db = TriageDatabase.CreateContext(connectionString);
            return db.SigningKeyRing.AsNoTracking().OrderBy(e => e.Id).Select(e => e.Xml).ToList().Select(x => XElement.Parse(x)).ToList();
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            using var db = TriageDatabase.CreateContext(connectionString);
            db.SigningKeyRing.Add(new SigningKeyRingEntry { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
            db.SaveChanges();
        }
    }
}

/// <summary>
/// The key exports are signed with: the PEM key at <see cref="SigningOptions.KeyPath"/> when configured, else the app's
/// own ECDSA P-256 key, generated on first use and stored with its private part protected.
/// </summary>
public sealed class SigningKeyStore(string connectionString, SigningOptions? options = null, TimeProvider? time = null)
{
    private readonly SigningOptions _options = options ?? new SigningOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The signing key (the caller disposes it).</summary>
    public async Task<KeyPairSigner> GetSignerAsync(CancellationToken ct = default)
    {
        if (_options.KeyPath is { } path) return KeyPairSigner.FromPemFile(path, _options.KeyPassword);
        var (record, protector) = await GetOrCreateAsync(ct);
        return KeyPairSigner.FromPem((protector ?? new SigningKeyProtector(connectionString)).Unprotect(record.ProtectedPrivateKey));
    }

    /// <summary>The public key (PEM) of the key exports are signed with, and its key id (bundle hint).</summary>
    public async Task<(string Pem, string KeyId)> PublicKeyAsync(CancellationToken ct = default)
    {
        if (_options.KeyPath is not null)
        {
            using var key = await GetSignerAsync(ct);
            return (key.ExportPublicKeyPem(), key.KeyHint);
        }
        var (record, _) = await GetOrCreateAsync(ct);
        return (record.PublicKeyPem, record.KeyId);
    }

    private async Task<(SigningKeyRecord Record, SigningKeyProtector? Protector)> GetOrCreateAsync(CancellationToken ct)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var existing = await db.SigningKeys.AsNoTracking().OrderBy(k => k.Id).FirstOrDefaultAsync(ct);
        if (existing is not null) return (existing, null);

        // First use: generate, protect, store. Two instances racing both generate; the unique key id and "first row wins" keep one.
        var protector = new SigningKeyProtector(connectionString);
        using var key = KeyPairSigner.Generate();
        var record = new SigningKeyRecord
        {
            KeyId = key.KeyHint,
            PublicKeyPem = key.ExportPublicKeyPem(),
            ProtectedPrivateKey = protector.Protect(key.ExportPrivateKeyPem()),
            CreatedAt = _time.GetUtcNow().UtcDateTime,
        };
        db.SigningKeys.Add(record);
        await db.SaveChangesAsync(ct);
        var first = await db.SigningKeys.AsNoTracking().OrderBy(k => k.Id).FirstAsync(ct);
        return (first, protector);
    }
}

/// <summary>Makes a signer's <see cref="SigningServices"/> from <see cref="SigningOptions"/>.</summary>
public static class SigningServiceFactory
{
    public static SigningServices Create(SigningOptions options, HttpClient http)
    {
        if (options.SigningConfig is { } path)
            return SigningServices.FromSigningConfig(Sigstore.Trust.SigningConfig.Parse(File.ReadAllBytes(path)), http);
        return new SigningServices
        {
            CertificateAuthority = options.Fulcio is { } f ? new HttpFulcioClient(http, BaseUri(f)) : null,
            TransparencyLog = options.Rekor is { } r ? new HttpRekorClient(http, BaseUri(r)) : null,
            TimestampAuthority = options.TimestampAuthority is { } t ? new HttpTimestampAuthority(http, new Uri(t)) : null,
        };
    }

    private static Uri BaseUri(string url) => new(url.EndsWith('/') ? url : url + "/");
}
