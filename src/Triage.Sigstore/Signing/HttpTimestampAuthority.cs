using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;

namespace Triage.Sigstore.Signing;

/// <summary>An RFC 3161 TSA over HTTP (<c>application/timestamp-query</c>), e.g. <c>https://timestamp.sigstore.dev/api/v1/timestamp</c>.</summary>
public sealed class HttpTimestampAuthority(HttpClient http, Uri url) : ITimestampAuthority
{
    public async Task<byte[]> TimestampAsync(byte[] signature, CancellationToken cancellationToken = default)
    {
        // A nonce ties the reply to this request; asking for the certificate lets verifiers work from the token alone.
        var request = Rfc3161TimestampRequest.CreateFromData(signature, HashAlgorithmName.SHA256, requestSignerCertificates: true,
            nonce: RandomNumberGenerator.GetBytes(16));
        using var content = new ByteArrayContent(request.Encode());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/timestamp-query");
        using var response = await http.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
        var reply = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new SigstoreServiceException("TSA", $"{(int)response.StatusCode} {response.ReasonPhrase}");
        try
        {
            // Checks status, nonce and message imprint against the request before we store the reply.
            request.ProcessResponse(reply, out _);
        }
        catch (CryptographicException e)
        {
            throw new SigstoreServiceException("TSA", $"the reply does not answer the request ({e.Message})", e);
        }
        return reply;
    }
}
