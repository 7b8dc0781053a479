using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Triage.Sigstore.Bundles;

namespace Triage.Sigstore.Signing;

/// <summary>
/// Rekor's REST API v1 (<c>POST /api/v1/log/entries</c>): hashedrekord 0.0.1 for message signatures, dsse 0.0.1 for
/// envelopes. The response (hex ids and hashes) is converted into a bundle entry.
/// </summary>
public sealed class HttpRekorClient(HttpClient http, Uri baseUrl) : IRekorClient
{
    public async Task<TransparencyLogEntry> AddEntryAsync(RekorEntryRequest request, CancellationToken cancellationToken = default)
    {
        var verifier = Convert.ToBase64String(Encoding.ASCII.GetBytes(request.VerifierPem));
        JsonObject proposed;
        if (request.Envelope is { } envelope)
        {
            proposed = new JsonObject
            {
                ["apiVersion"] = "0.0.1",
                ["kind"] = "dsse",
                ["spec"] = new JsonObject
                {
                    ["proposedContent"] = new JsonObject
                    {
                        ["envelope"] = envelope.ToJson(),
                        ["verifiers"] = new JsonArray(verifier),
                    },
                },
            };
        }
        else
        {
            var digest = request.ArtifactSha256 ?? throw new ArgumentException("a message signature entry needs the artifact digest", nameof(request));
            proposed = new JsonObject
            {
                ["apiVersion"] = "0.0.1",
                ["kind"] = "hashedrekord",
                ["spec"] = new JsonObject
                {
                    ["data"] = new JsonObject { ["hash"] = new JsonObject { ["algorithm"] = "sha256", ["value"] = Convert.ToHexStringLower(digest) } },
                    ["signature"] = new JsonObject
                    {
                        ["content"] = Convert.ToBase64String(request.Signature),
                        ["publicKey"] = new JsonObject { ["content"] = verifier },
                    },
                },
            };
        }

        using var response = await http.PostAsync(new Uri(SigningServices.BaseUri(baseUrl.AbsoluteUri), "api/v1/log/entries"), JsonContent.Create(proposed), cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new SigstoreServiceException("Rekor", $"{(int)response.StatusCode} {response.ReasonPhrase}: {text}");
        try
        {
            return ParseV1Response(text);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new SigstoreServiceException("Rekor", $"unexpected response ({e.Message})", e);
        }
    }

    /// <summary>Converts Rekor v1's <c>{uuid: LogEntry}</c> response into a bundle entry.</summary>
    internal static TransparencyLogEntry ParseV1Response(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var entry = doc.RootElement.EnumerateObject().First().Value;
        var body = Convert.FromBase64String(entry.GetProperty("body").GetString()!);
        using var bodyDoc = JsonDocument.Parse(body);
        var verification = entry.GetProperty("verification");
        InclusionProof? proof = null;
        if (verification.TryGetProperty("inclusionProof", out var p))
        {
            proof = new InclusionProof
            {
                LogIndex = p.GetProperty("logIndex").GetInt64(),
                RootHash = Convert.FromHexString(p.GetProperty("rootHash").GetString()!),
                TreeSize = p.GetProperty("treeSize").GetInt64(),
                Hashes = p.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!)).ToList(),
                Checkpoint = p.TryGetProperty("checkpoint", out var c) ? c.GetString() : null,
            };
        }
        return new TransparencyLogEntry
        {
            LogIndex = entry.GetProperty("logIndex").GetInt64(),
            LogId = Convert.FromHexString(entry.GetProperty("logID").GetString()!),
            Kind = bodyDoc.RootElement.GetProperty("kind").GetString()!,
            KindVersion = bodyDoc.RootElement.GetProperty("apiVersion").GetString()!,
            IntegratedTime = entry.GetProperty("integratedTime").GetInt64(),
            SignedEntryTimestamp = verification.TryGetProperty("signedEntryTimestamp", out var set) ? Convert.FromBase64String(set.GetString()!) : null,
            InclusionProof = proof,
            CanonicalizedBody = body,
        };
    }
}
