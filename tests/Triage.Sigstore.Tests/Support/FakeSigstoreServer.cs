using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Triage.Sigstore.Tests.Support;

/// <summary>
/// A private Sigstore deployment on loopback HTTP, small enough to read: a Fulcio-style CA that issues certificates
/// with the OIDC issuer extension and an embedded SCT from a fake CT log, a Rekor v1-style log that returns a SET,
/// an inclusion proof and a signed checkpoint, and an RFC 3161 TSA. <see cref="TrustedRootJson"/> names all of them.
/// </summary>
public sealed class FakeSigstoreServer : IDisposable
{
    public const string CheckpointName = "127.0.0.1";
    private const long TreeId = 4242;
    // Rekor v1 shards: the global index the SET signs differs from the index inside the tree the proof uses.
    private const long GlobalIndexOffset = 1_000_000;

    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<byte[]> _leaves = [];
    private readonly object _logLock = new();
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;

    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly ECDsa _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly ECDsa _ctKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _logKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _tsaRootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly ECDsa _tsaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;
    private readonly X509Certificate2 _tsaRoot;
    private readonly X509Certificate2 _tsa;

    public FakeSigstoreServer()
    {
        var notBefore = _start.AddDays(-1);
        var notAfter = _start.AddDays(1);
        _root = TestPki.SelfSignedCa("fake-fulcio-root", _rootKey, notBefore, notAfter);
        _intermediate = TestPki.Issue("fake-fulcio-intermediate", _intermediateKey, _root, _rootKey, notBefore, notAfter, ca: true, TestPki.CodeSigning);
        _tsaRoot = TestPki.SelfSignedCa("fake-tsa-root", _tsaRootKey, notBefore, notAfter);
        _tsa = TestPki.Issue("fake-tsa", _tsaKey, _tsaRoot, _tsaRootKey, notBefore, notAfter, ca: false, TestPki.TimeStamping);

        // A few entries before ours, so inclusion proofs have a real audit path.
        for (var i = 0; i < 5; i++) _leaves.Add(ReferenceMerkleTree.Leaf(Encoding.UTF8.GetBytes($"earlier entry {i}")));

        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add($"{BaseUrl}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }
    public Uri BaseUri => new($"{BaseUrl}/");
    public Uri TimestampUrl => new($"{BaseUrl}/api/v1/timestamp");

    /// <summary>Requests served, by path (to assert the flow really went over HTTP).</summary>
    public List<string> Requests { get; } = [];

    public byte[] LogId => SHA256.HashData(_logKey.ExportSubjectPublicKeyInfo());

    /// <summary>An unsigned JWT carrying the claims the fake CA reads (a real Fulcio verifies the token with the issuer).</summary>
    public static string IdentityToken(string email, string issuer)
    {
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{B64("{\"alg\":\"none\"}")}.{B64(JsonSerializer.Serialize(new { iss = issuer, sub = email, email, aud = "sigstore" }))}.";
    }

    /// <summary>A trusted_root.json naming this deployment's CA, log, CT log and TSA.</summary>
    public string TrustedRootJson()
    {
        var validFor = new JsonObject { ["start"] = _start.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) };
        JsonObject Log(ECDsa key) => new()
        {
            ["baseUrl"] = BaseUrl,
            ["hashAlgorithm"] = "SHA2_256",
            ["publicKey"] = new JsonObject
            {
                ["rawBytes"] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()),
                ["keyDetails"] = "PKIX_ECDSA_P256_SHA_256",
                ["validFor"] = validFor.DeepClone(),
            },
            ["logId"] = new JsonObject { ["keyId"] = Convert.ToBase64String(SHA256.HashData(key.ExportSubjectPublicKeyInfo())) },
        };
        JsonObject Authority(string name, params X509Certificate2[] chain) => new()
        {
            ["subject"] = new JsonObject { ["organization"] = "triage.test", ["commonName"] = name },
            ["uri"] = BaseUrl,
            ["certChain"] = new JsonObject { ["certificates"] = new JsonArray(chain.Select(c => (JsonNode)new JsonObject { ["rawBytes"] = Convert.ToBase64String(c.RawData) }).ToArray()) },
            ["validFor"] = validFor.DeepClone(),
        };
        var root = new JsonObject
        {
            ["mediaType"] = "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            ["tlogs"] = new JsonArray(Log(_logKey)),
            ["certificateAuthorities"] = new JsonArray(Authority("fake-fulcio", _intermediate, _root)),
            ["ctlogs"] = new JsonArray(Log(_ctKey)),
            ["timestampAuthorities"] = new JsonArray(Authority("fake-tsa", _tsa, _tsaRoot)),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var path = context.Request.Url!.AbsolutePath;
                lock (Requests) Requests.Add(path);
                var (status, contentType, reply) = path switch
                {
                    "/api/v2/signingCert" => (201, "application/json", IssueCertificate(body.ToArray(), context.Request.Headers["Authorization"])),
                    "/api/v1/log/entries" => (201, "application/json", AddLogEntry(body.ToArray())),
                    "/api/v1/timestamp" => (200, "application/timestamp-reply", Timestamp(body.ToArray())),
                    _ => (404, "text/plain", Encoding.UTF8.GetBytes("not found")),
                };
                context.Response.StatusCode = status;
                context.Response.ContentType = contentType;
                await context.Response.OutputStream.WriteAsync(reply);
            }
            catch (Exception e)
            {
                context.Response.StatusCode = 500;
                await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(e.ToString()));
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    // ---- Fulcio ----

    private byte[] IssueCertificate(byte[] requestBody, string? authorization)
    {
        using var doc = JsonDocument.Parse(requestBody);
        var csrPem = Encoding.ASCII.GetString(Convert.FromBase64String(doc.RootElement.GetProperty("certificateSigningRequest").GetString()!));
        // Loading verifies the CSR's self-signature: proof of possession of the key being certified.
        var csr = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256);
        var token = authorization!["Bearer ".Length..];
        var claims = JsonDocument.Parse(Base64Url(token.Split('.')[1])).RootElement;
        var email = claims.GetProperty("email").GetString()!;
        var issuer = claims.GetProperty("iss").GetString()!;

        var leaf = new CertificateRequest(new X500DistinguishedName(""), csr.PublicKey, HashAlgorithmName.SHA384);
        leaf.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leaf.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TestPki.CodeSigning)], false));
        leaf.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(csr.PublicKey, false));
        leaf.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_intermediate, true, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddEmailAddress(email);
        leaf.CertificateExtensions.Add(san.Build(critical: true));
        leaf.CertificateExtensions.Add(TestPki.FulcioRawExtension("1.3.6.1.4.1.57264.1.1", issuer));
        leaf.CertificateExtensions.Add(TestPki.FulcioUtf8Extension("1.3.6.1.4.1.57264.1.8", issuer));

        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-1);
        var notAfter = notBefore.AddMinutes(11);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var generator = X509SignatureGenerator.CreateForECDsa(_intermediateKey);
        // Precertificate first: the CT log signs its TBS, then the final certificate carries that SCT.
        using var precertificate = leaf.Create(_intermediate.SubjectName, generator, notBefore, notAfter, serial);
        leaf.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.11129.2.4.2", SctListExtension(precertificate), false));
        using var certificate = leaf.Create(_intermediate.SubjectName, generator, notBefore, notAfter, serial);

        var response = new JsonObject
        {
            ["signedCertificateEmbeddedSct"] = new JsonObject
            {
                ["chain"] = new JsonObject { ["certificates"] = new JsonArray(TestPki.Pem(certificate), TestPki.Pem(_intermediate), TestPki.Pem(_root)) },
            },
        };
        return Encoding.UTF8.GetBytes(response.ToJsonString());
    }

    private byte[] SctListExtension(X509Certificate2 precertificate)
    {
        var tbs = new AsnReader(precertificate.RawData, AsnEncodingRules.DER).ReadSequence().ReadEncodedValue().ToArray();
        var timestamp = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var signed = new MemoryStream();
        signed.Write([0, 0]);
        signed.Write(BigEndian(timestamp, 8));
        signed.Write([0, 1]);
        signed.Write(SHA256.HashData(_intermediate.PublicKey.ExportSubjectPublicKeyInfo()));
        signed.Write(BigEndian((ulong)tbs.Length, 3));
        signed.Write(tbs);
        signed.Write([0, 0]);
        var signature = _ctKey.SignData(signed.ToArray(), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        using var sct = new MemoryStream();
        sct.WriteByte(0);
        sct.Write(SHA256.HashData(_ctKey.ExportSubjectPublicKeyInfo()));
        sct.Write(BigEndian(timestamp, 8));
        sct.Write([0, 0]); // no extensions
        sct.Write([4, 3]); // sha256, ecdsa
        sct.Write(BigEndian((ulong)signature.Length, 2));
        sct.Write(signature);
        var item = sct.ToArray();
        var list = new byte[4 + item.Length];
        BinaryPrimitives.WriteUInt16BigEndian(list, (ushort)(item.Length + 2));
        BinaryPrimitives.WriteUInt16BigEndian(list.AsSpan(2), (ushort)item.Length);
        item.CopyTo(list, 4);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(list);
        return writer.Encode();
    }

    // ---- Rekor ----

    private byte[] AddLogEntry(byte[] requestBody)
    {
        var proposed = JsonNode.Parse(requestBody)!;
        var kind = proposed["kind"]!.GetValue<string>();
        JsonNode entry = kind switch
        {
            "hashedrekord" => proposed,
            // Rekor stores DSSE entries in canonical form: hashes of envelope and payload plus the signatures.
            "dsse" => DsseEntry(proposed["spec"]!["proposedContent"]!),
            _ => throw new InvalidOperationException($"unsupported kind {kind}"),
        };
        var body = Encoding.UTF8.GetBytes(entry.ToJsonString());
        var integratedTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        long index, size;
        byte[] root;
        List<byte[]> path;
        lock (_logLock)
        {
            _leaves.Add(ReferenceMerkleTree.Leaf(body));
            index = _leaves.Count - 1;
            size = _leaves.Count;
            root = ReferenceMerkleTree.Root(_leaves);
            path = ReferenceMerkleTree.Path((int)index, _leaves);
        }
        var globalIndex = GlobalIndexOffset + index;
        var logIdHex = Convert.ToHexStringLower(LogId);
        var setPayload = $"{{\"body\":\"{Convert.ToBase64String(body)}\",\"integratedTime\":{integratedTime},\"logID\":\"{logIdHex}\",\"logIndex\":{globalIndex}}}";
        var set = _logKey.SignData(Encoding.UTF8.GetBytes(setPayload), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var note = $"{CheckpointName} - {TreeId}\n{size}\n{Convert.ToBase64String(root)}\n";
        var noteSignature = _logKey.SignData(Encoding.UTF8.GetBytes(note), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var checkpoint = $"{note}\n\u2014 {CheckpointName} {Convert.ToBase64String([.. LogId.AsSpan(0, 4), .. noteSignature])}\n";

        var response = new JsonObject
        {
            [Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))] = new JsonObject
            {
                ["body"] = Convert.ToBase64String(body),
                ["integratedTime"] = integratedTime,
                ["logID"] = logIdHex,
                ["logIndex"] = globalIndex,
                ["verification"] = new JsonObject
                {
                    ["inclusionProof"] = new JsonObject
                    {
                        ["checkpoint"] = checkpoint,
                        ["hashes"] = new JsonArray(path.Select(h => (JsonNode)Convert.ToHexStringLower(h)).ToArray()),
                        ["logIndex"] = index,
                        ["rootHash"] = Convert.ToHexStringLower(root),
                        ["treeSize"] = size,
                    },
                    ["signedEntryTimestamp"] = Convert.ToBase64String(set),
                },
            },
        };
        return Encoding.UTF8.GetBytes(response.ToJsonString());
    }

    private static JsonNode DsseEntry(JsonNode proposedContent)
    {
        var envelopeJson = proposedContent["envelope"]!.GetValue<string>();
        var envelope = JsonNode.Parse(envelopeJson)!;
        var payload = Convert.FromBase64String(envelope["payload"]!.GetValue<string>());
        var verifier = proposedContent["verifiers"]![0]!.GetValue<string>();
        return new JsonObject
        {
            ["apiVersion"] = "0.0.1",
            ["kind"] = "dsse",
            ["spec"] = new JsonObject
            {
                ["envelopeHash"] = new JsonObject { ["algorithm"] = "sha256", ["value"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(envelopeJson))) },
                ["payloadHash"] = new JsonObject { ["algorithm"] = "sha256", ["value"] = Convert.ToHexStringLower(SHA256.HashData(payload)) },
                ["signatures"] = new JsonArray(new JsonObject { ["signature"] = envelope["signatures"]![0]!["sig"]!.GetValue<string>(), ["verifier"] = verifier }),
            },
        };
    }

    // ---- TSA ----

    private byte[] Timestamp(byte[] requestBody)
    {
        if (!Rfc3161TimestampRequest.TryDecode(requestBody, out var request, out _)) throw new InvalidOperationException("bad timestamp request");
        var info = new Rfc3161TimestampTokenInfo(
            new Oid("1.3.6.1.4.1.57264.2"), request.HashAlgorithmId, request.GetMessageHash(),
            // Whole seconds: sigstore-js reads GeneralizedTime with no or exactly three fractional digits, and .NET would write up to seven.
            SerialNumber(), DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()), accuracyInMicroseconds: 1_000_000, isOrdering: false,
            nonce: request.GetNonce(), timestampAuthorityName: null, extensions: null);
        var cms = new SignedCms(new ContentInfo(new Oid("1.2.840.113549.1.9.16.1.4"), info.Encode()), detached: false);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, _tsa)
        {
            DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"),
            IncludeOption = request.RequestSignerCertificate ? X509IncludeOption.EndCertOnly : X509IncludeOption.None,
        };
        // RFC 5816 signingCertificateV2 (ESSCertIDv2 with the default SHA-256): binds the token to the TSA certificate.
        var ess = new AsnWriter(AsnEncodingRules.DER);
        using (ess.PushSequence())
        using (ess.PushSequence())
        using (ess.PushSequence())
            ess.WriteOctetString(SHA256.HashData(_tsa.RawData));
        signer.SignedAttributes.Add(new AsnEncodedData(new Oid("1.2.840.113549.1.9.16.2.47"), ess.Encode()));
        cms.ComputeSignature(signer);

        var response = new AsnWriter(AsnEncodingRules.DER);
        using (response.PushSequence())
        {
            using (response.PushSequence()) response.WriteInteger(0);
            response.WriteEncodedValue(cms.Encode());
        }
        return response.Encode();
    }

    /// <summary>A positive, minimally encoded DER integer: a random first byte could make it negative (high bit) or
    /// non-minimal (a leading zero), which the CMS encoder refuses about once in 256 tokens.</summary>
    private static byte[] SerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] = (byte)(0x01 | (serial[0] & 0x7F));
        return serial;
    }

    private static byte[] BigEndian(ulong value, int bytes)
    {
        var result = new byte[bytes];
        for (var i = bytes - 1; i >= 0; i--, value >>= 8) result[i] = (byte)value;
        return result;
    }

    private static byte[] Base64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener loop ends by exception when the listener closes.
        }
        foreach (var d in new IDisposable[] { _rootKey, _intermediateKey, _ctKey, _logKey, _tsaRootKey, _tsaKey, _root, _intermediate, _tsaRoot, _tsa, _stop })
            d.Dispose();
    }
}
