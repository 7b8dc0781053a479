using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Triage.Sigstore.Trust;

namespace Triage.Sigstore.Certificates;

/// <summary>
/// Verifies the SCTs embedded in a Fulcio leaf (RFC 6962 §3.2) against the trusted CT logs: proof that the
/// certificate was published, so a mis-issued one would be visible.
/// </summary>
internal static class SctVerifier
{
    internal sealed record Sct(byte[] LogId, ulong TimestampMs, byte[] Extensions, byte HashAlgorithm, byte SignatureAlgorithm, byte[] Signature);

    /// <summary>The number of embedded SCTs that verify with a trusted CT log; unknown logs are skipped, as other clients do.</summary>
    public static int CountVerified(X509Certificate2 leaf, X509Certificate2 issuer, IReadOnlyList<TransparencyLogInstance> ctLogs, out string problem)
    {
        var extension = leaf.Extensions[FulcioOids.SignedCertificateTimestampList];
        if (extension is null)
        {
            problem = "the certificate has no embedded SCT";
            return 0;
        }
        List<Sct> scts;
        try
        {
            scts = ParseList(new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadOctetString());
        }
        catch (Exception e) when (e is AsnContentException or ArgumentOutOfRangeException or FormatException)
        {
            problem = "the embedded SCT list is malformed";
            return 0;
        }

        byte[] tbs, issuerKeyHash;
        try
        {
            tbs = CertificateDer.GetTbsWithoutExtension(leaf.RawData, FulcioOids.SignedCertificateTimestampList);
            issuerKeyHash = SHA256.HashData(CertificateDer.GetSubjectPublicKeyInfo(issuer.RawData));
        }
        catch (AsnContentException)
        {
            problem = "the certificate cannot be reduced to the precertificate the CT log signed";
            return 0;
        }
        var reasons = new List<string>();
        var verified = 0;
        foreach (var sct in scts)
        {
            var time = DateTimeOffset.FromUnixTimeMilliseconds((long)sct.TimestampMs);
            var log = ctLogs.FirstOrDefault(l => l.LogId.AsSpan().SequenceEqual(sct.LogId) && l.ValidFor.Contains(time));
            if (log is null)
            {
                reasons.Add($"SCT from log {Convert.ToBase64String(sct.LogId)} at {time.UtcDateTime:u} is not from a trusted CT log");
                continue;
            }
            using var key = log.TryLoadKey(out var keyProblem);
            if (key is null)
            {
                reasons.Add(keyProblem!);
                continue;
            }
            if (key.VerifyData(SignedData(sct, issuerKeyHash, tbs), sct.Signature)) verified++;
            else reasons.Add($"SCT signature from {log.BaseUrl} does not verify");
        }
        problem = reasons.Count == 0 ? "" : string.Join("; ", reasons);
        return verified;
    }

    // digitally-signed struct for a precert entry: version, signature_type, timestamp, entry_type, issuer_key_hash,
    // length-prefixed TBS, length-prefixed extensions.
    internal static byte[] SignedData(Sct sct, byte[] issuerKeyHash, byte[] tbs)
    {
        using var buffer = new MemoryStream();
        buffer.WriteByte(0); // v1
        buffer.WriteByte(0); // certificate_timestamp
        Span<byte> u64 = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(u64, sct.TimestampMs);
        buffer.Write(u64);
        buffer.WriteByte(0);
        buffer.WriteByte(1); // precert_entry
        buffer.Write(issuerKeyHash);
        buffer.WriteByte((byte)(tbs.Length >> 16));
        buffer.WriteByte((byte)(tbs.Length >> 8));
        buffer.WriteByte((byte)tbs.Length);
        buffer.Write(tbs);
        buffer.WriteByte((byte)(sct.Extensions.Length >> 8));
        buffer.WriteByte((byte)sct.Extensions.Length);
        buffer.Write(sct.Extensions);
        return buffer.ToArray();
    }

    internal static List<Sct> ParseList(byte[] tls)
    {
        var span = tls.AsSpan();
        var listLength = BinaryPrimitives.ReadUInt16BigEndian(span);
        if (listLength != span.Length - 2) throw new FormatException("SCT list length");
        span = span[2..];
        var result = new List<Sct>();
        while (span.Length > 0)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(span);
            var item = span.Slice(2, length);
            span = span[(2 + length)..];
            if (item[0] != 0) continue; // only v1 SCTs exist
            var logId = item.Slice(1, 32).ToArray();
            var timestamp = BinaryPrimitives.ReadUInt64BigEndian(item[33..]);
            var extLength = BinaryPrimitives.ReadUInt16BigEndian(item[41..]);
            var extensions = item.Slice(43, extLength).ToArray();
            var rest = item[(43 + extLength)..];
            var sigLength = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
            var signature = rest.Slice(4, sigLength).ToArray();
            if (rest.Length != 4 + sigLength) throw new FormatException("SCT length");
            result.Add(new Sct(logId, timestamp, extensions, rest[0], rest[1], signature));
        }
        return result;
    }
}
