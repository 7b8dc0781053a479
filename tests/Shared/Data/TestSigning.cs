using System.Security.Cryptography;
using System.Text;
using Triage.Core.Vex;
using Triage.Data.Signing;

namespace Triage.Testing;

/// <summary>Sigstore bundles made in tests with a fresh key nobody trusts yet: a DSSE in-toto statement over the document,
/// as Triage's own signed exports are, so they also serve as attestations.</summary>
public static class TestSigning
{
    /// <param name="PrivateKeyPem">For checking that no secret reaches logs or the audit trail.</param>
    /// <param name="PublicKeyPem">To trust the key as a signer.</param>
    public sealed record Signed(byte[] Bundle, string PrivateKeyPem, string PublicKeyPem);

    public static async Task<Signed> SignOpenVexAsync(byte[] document)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ec.ExportPkcs8PrivateKeyPem();
        var dir = Directory.CreateTempSubdirectory("triage-signing-").FullName;
        try
        {
            var keyFile = Path.Combine(dir, "key.pem");
            await File.WriteAllTextAsync(keyFile, pem);
            var signed = await new DocumentSigner("Data Source=unused.db", new SigningOptions { KeyPath = keyFile })
                .SignAsync(VexFormat.OpenVex, Encoding.UTF8.GetString(document));
            return new Signed(Encoding.UTF8.GetBytes(signed.BundleJson), pem, ec.ExportSubjectPublicKeyInfoPem());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
