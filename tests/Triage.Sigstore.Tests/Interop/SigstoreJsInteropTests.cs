using Triage.Sigstore.Signing;
using Triage.Sigstore.Tests.Support;

namespace Triage.Sigstore.Tests.Interop;

/// <summary>
/// Bundles we sign are accepted by the reference implementation, npm <c>sigstore</c> 4.1.1 (installed on first use
/// into a cache folder), and tampered ones are rejected by it, so the oracle is known to be able to say no.
/// </summary>
public sealed class SigstoreJsInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("triage-sigstore-interop-").FullName;
    private readonly KeyPairSigner _key = KeyPairSigner.Generate();

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [NodeFact]
    public async Task KeyedOpenVexAttestation_IsAcceptedBySigstoreJs()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement(), _key);

        var (accepted, output) = await SigstoreJsOracle.VerifyAsync(Write("vex.sigstore.json", bundle.ToJson()), "--key", Write("key.pub", _key.ExportPublicKeyPem()));

        Assert.True(accepted, output);
    }

    [NodeFact]
    public async Task KeyedOpenVexAttestation_FlippedPayloadByte_IsRejectedBySigstoreJs()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement(), _key);
        var payload = bundle.DsseEnvelope!.Payload.ToArray();
        payload[10] ^= 0x01;
        var tampered = bundle with { DsseEnvelope = bundle.DsseEnvelope with { Payload = payload } };

        var (accepted, output) = await SigstoreJsOracle.VerifyAsync(Write("vex.sigstore.json", tampered.ToJson()), "--key", Write("key.pub", _key.ExportPublicKeyPem()));

        Assert.False(accepted, output);
        Assert.Contains("SIGNATURE_ERROR", output, StringComparison.Ordinal);
    }

    [NodeFact]
    public async Task KeyedArtifactSignature_IsAcceptedBySigstoreJs_AndRejectedForAnotherArtifact()
    {
        var bundle = await new SigstoreSigner().SignArtifactAsync(new MemoryStream(Fixtures.Artifact), _key);
        var bundlePath = Write("blob.sigstore.json", bundle.ToJson());
        var keyPath = Write("key.pub", _key.ExportPublicKeyPem());
        var artifact = Path.Combine(_dir, "artifact");
        await File.WriteAllBytesAsync(artifact, Fixtures.Artifact);
        var other = Write("other", "not the artifact");

        var (accepted, output) = await SigstoreJsOracle.VerifyAsync(bundlePath, "--key", keyPath, "--artifact", artifact);
        var (acceptedOther, _) = await SigstoreJsOracle.VerifyAsync(bundlePath, "--key", keyPath, "--artifact", other);

        Assert.True(accepted, output);
        Assert.False(acceptedOther);
    }

    [NodeFact]
    public async Task KeylessAttestationFromFakeDeployment_IsAcceptedBySigstoreJsUnderItsTrustedRoot()
    {
        using var server = new FakeSigstoreServer();
        using var http = new HttpClient();
        var signer = new SigstoreSigner(new SigningServices
        {
            CertificateAuthority = new HttpFulcioClient(http, server.BaseUri),
            TransparencyLog = new HttpRekorClient(http, server.BaseUri),
            TimestampAuthority = new HttpTimestampAuthority(http, server.TimestampUrl),
        });
        var bundle = await signer.SignInTotoKeylessAsync(Fixtures.OpenVexStatement(), FakeSigstoreServer.IdentityToken("signer@triage.test", "https://oidc.triage.test"));
        var bundlePath = Write("keyless.sigstore.json", bundle.ToJson());
        var rootPath = Write("trusted_root.json", server.TrustedRootJson());

        var (accepted, output) = await SigstoreJsOracle.VerifyAsync(bundlePath, "--trusted-root", rootPath,
            "--identity", "signer@triage.test", "--issuer", "https://oidc.triage.test");
        var (acceptedOther, _) = await SigstoreJsOracle.VerifyAsync(bundlePath, "--trusted-root", rootPath,
            "--identity", "mallory@triage.test", "--issuer", "https://oidc.triage.test");

        Assert.True(accepted, output);
        Assert.False(acceptedOther);
    }
}
