using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Triage.Sigstore.Tests.Support;

/// <summary>Builds the certificates of a private Sigstore deployment for tests (Fulcio-style CA, TSA).</summary>
public static class TestPki
{
    public const string CodeSigning = "1.3.6.1.5.5.7.3.3";
    public const string TimeStamping = "1.3.6.1.5.5.7.3.8";

    public static X509Certificate2 SelfSignedCa(string name, ECDsa key, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest($"CN={name}, O=triage.test", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// <summary>A CA (or TSA, with <paramref name="eku"/> timeStamping) certificate issued by <paramref name="issuer"/>; returned with its private key.</summary>
    public static X509Certificate2 Issue(string name, ECDsa key, X509Certificate2 issuer, ECDsa issuerKey, DateTimeOffset notBefore, DateTimeOffset notAfter, bool ca, string eku)
    {
        var request = new CertificateRequest($"CN={name}, O=triage.test", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, ca, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(ca ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign : X509KeyUsageFlags.DigitalSignature, true));
        // RFC 3161 requires the TSA's EKU to be critical (and .NET checks it); Fulcio's intermediate carries codeSigning.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], critical: eku == TimeStamping));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var issued = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A Fulcio extension value: DER UTF8String (1.3.6.1.4.1.57264.1.8 and later).</summary>
    public static X509Extension FulcioUtf8Extension(string oid, string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
        return new X509Extension(oid, writer.Encode(), false);
    }

    /// <summary>A legacy Fulcio extension value: raw UTF-8 bytes (1.3.6.1.4.1.57264.1.1).</summary>
    public static X509Extension FulcioRawExtension(string oid, string value) => new(oid, Encoding.UTF8.GetBytes(value), false);

    public static string Pem(X509Certificate2 certificate) => PemEncoding.WriteString("CERTIFICATE", certificate.RawData) + "\n";
}
