using System.Globalization;
using System.Text;

namespace Triage.Sigstore.Dsse;

/// <summary>
/// DSSE v1 Pre-Authentication Encoding: <c>"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body</c>, lengths being
/// ASCII decimal byte counts. Signing PAE instead of the payload binds the payload type into the signature.
/// </summary>
public static class Pae
{
    public static byte[] Encode(string payloadType, ReadOnlySpan<byte> payload)
    {
        var type = Encoding.UTF8.GetBytes(payloadType);
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"DSSEv1 {type.Length} "));
        var middle = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $" {payload.Length} "));
        var result = new byte[header.Length + type.Length + middle.Length + payload.Length];
        header.CopyTo(result, 0);
        type.CopyTo(result, header.Length);
        middle.CopyTo(result, header.Length + type.Length);
        payload.CopyTo(result.AsSpan(header.Length + type.Length + middle.Length));
        return result;
    }
}
