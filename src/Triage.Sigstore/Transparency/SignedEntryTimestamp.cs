using System.Globalization;
using System.Text;

namespace Triage.Sigstore.Transparency;

/// <summary>The payload a Rekor v1 inclusion promise (SET) signs.</summary>
public static class SignedEntryTimestamp
{
    /// <summary>
    /// RFC 8785 canonical JSON of <c>{body, integratedTime, logID, logIndex}</c>: keys sorted, no whitespace, the body
    /// as standard base64 and the log id as lowercase hex. None of the values need JSON escaping, so the string is
    /// assembled directly rather than through a canonicalizer.
    /// </summary>
    public static byte[] CanonicalPayload(ReadOnlySpan<byte> canonicalizedBody, long integratedTime, ReadOnlySpan<byte> logId, long logIndex) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"body\":\"{Convert.ToBase64String(canonicalizedBody)}\",\"integratedTime\":{integratedTime},\"logID\":\"{Convert.ToHexStringLower(logId)}\",\"logIndex\":{logIndex}}}"));
}
