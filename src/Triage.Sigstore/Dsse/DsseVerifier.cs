using System.Security.Cryptography;
using Triage.Sigstore.Crypto;

namespace Triage.Sigstore.Dsse;

/// <summary>
/// Plain DSSE verification (the DSSE protocol, outside Sigstore): the envelope is accepted when its payload type is
/// supported and at least <c>threshold</c> distinct trusted keys have a valid signature over PAE.
/// </summary>
public static class DsseVerifier
{
    public static bool Verify(
        DsseEnvelope envelope,
        IReadOnlyList<VerificationKey> trustedKeys,
        int threshold,
        IReadOnlyCollection<string> supportedPayloadTypes,
        DSASignatureFormat ecdsaSignatureFormat = DSASignatureFormat.Rfc3279DerSequence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        if (!supportedPayloadTypes.Contains(envelope.PayloadType, StringComparer.Ordinal)) return false;
        var pae = envelope.PreAuthenticationEncoding();
        // Count keys, not signatures: the same key signing twice must not meet a threshold of two.
        var verifiedKeys = new HashSet<VerificationKey>();
        foreach (var signature in envelope.Signatures)
            foreach (var key in trustedKeys)
                if (!verifiedKeys.Contains(key) && key.VerifyData(pae, signature.Signature, ecdsaSignatureFormat))
                {
                    verifiedKeys.Add(key);
                    break;
                }
        return verifiedKeys.Count >= threshold;
    }
}
