using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Triage.Sigstore.Signing;

/// <summary>Fulcio's REST API v2 (<c>POST /api/v2/signingCert</c>), as sigstore-python and cosign call it.</summary>
public sealed class HttpFulcioClient(HttpClient http, Uri baseUrl) : IFulcioClient
{
    public async Task<IReadOnlyList<byte[]>> RequestCertificateAsync(byte[] certificateSigningRequestDer, string identityToken, CancellationToken cancellationToken = default)
    {
        var csrPem = PemEncoding.WriteString("CERTIFICATE REQUEST", certificateSigningRequestDer);
        var body = new JsonObject
        {
            ["credentials"] = new JsonObject { ["oidcIdentityToken"] = identityToken },
            ["certificateSigningRequest"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(csrPem)),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(SigningServices.BaseUri(baseUrl.AbsoluteUri), "api/v2/signingCert")) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", identityToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new SigstoreServiceException("Fulcio", $"{(int)response.StatusCode} {response.ReasonPhrase}: {text}");
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("signedCertificateDetachedSct", out _))
                throw new SigstoreServiceException("Fulcio", "the CA returned a detached SCT; only certificates with embedded SCTs are supported");
            var certificates = doc.RootElement.GetProperty("signedCertificateEmbeddedSct").GetProperty("chain").GetProperty("certificates");
            var chain = certificates.EnumerateArray().Select(c => PemToDer(c.GetString()!)).ToList();
            return chain.Count > 0 ? chain : throw new SigstoreServiceException("Fulcio", "the CA returned an empty chain");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new SigstoreServiceException("Fulcio", $"unexpected response ({e.Message})", e);
        }
    }

    private static byte[] PemToDer(string pem)
    {
        var fields = PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data].ToString());
    }
}
