using System.Formats.Asn1;

namespace Triage.Sigstore.Certificates;

/// <summary>Small DER surgery on X.509 certificates that the BCL does not offer.</summary>
internal static class CertificateDer
{
    private static readonly Asn1Tag VersionTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag ExtensionsTag = new(TagClass.ContextSpecific, 3, isConstructed: true);

    /// <summary>The encoded SubjectPublicKeyInfo, whatever the key type (the BCL's accessors need a known algorithm).</summary>
    public static byte[] GetSubjectPublicKeyInfo(byte[] certificate)
    {
        var tbs = ReadTbs(certificate);
        if (tbs.PeekTag().HasSameClassAndValue(VersionTag)) tbs.ReadEncodedValue();
        for (var i = 0; i < 5; i++) tbs.ReadEncodedValue(); // serial, signature, issuer, validity, subject
        return tbs.ReadEncodedValue().ToArray();
    }

    /// <summary>
    /// The TBSCertificate re-encoded without the extension <paramref name="oid"/>: what a CT log signed for a
    /// precertificate, whose SCT list is added to the final certificate afterwards (RFC 6962 §3.2).
    /// </summary>
    public static byte[] GetTbsWithoutExtension(byte[] certificate, string oid)
    {
        var tbs = ReadTbs(certificate);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            while (tbs.HasData)
            {
                if (!tbs.PeekTag().HasSameClassAndValue(ExtensionsTag))
                {
                    writer.WriteEncodedValue(tbs.ReadEncodedValue().Span);
                    continue;
                }
                var extensions = tbs.ReadSequence(ExtensionsTag).ReadSequence();
                using (writer.PushSequence(ExtensionsTag))
                using (writer.PushSequence())
                {
                    while (extensions.HasData)
                    {
                        var extension = extensions.ReadEncodedValue();
                        var id = new AsnReader(extension, AsnEncodingRules.DER).ReadSequence().ReadObjectIdentifier();
                        if (id != oid) writer.WriteEncodedValue(extension.Span);
                    }
                }
            }
        }
        return writer.Encode();
    }

    private static AsnReader ReadTbs(byte[] certificate) =>
        new AsnReader(certificate, AsnEncodingRules.DER).ReadSequence().ReadSequence();
}
