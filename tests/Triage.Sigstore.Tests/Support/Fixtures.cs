using System.Security.Cryptography;
using System.Text;
using Triage.Sigstore.InToto;

namespace Triage.Sigstore.Tests.Support;

/// <summary>Small inputs shared by the signing tests.</summary>
public static class Fixtures
{
    public const string ImageDigest = "sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1";

    /// <summary>A minimal OpenVEX document, as the VEX export would embed it.</summary>
    public const string OpenVexDocument = """
        {"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://triage.test/vex/1","author":"triage tests","timestamp":"2026-11-28T00:00:00Z","version":1,
         "statements":[{"vulnerability":{"name":"CVE-2024-0001"},"products":[{"@id":"pkg:oci/app@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"}],
         "status":"not_affected","justification":"component_not_present"}]}
        """;

    public static InTotoStatement OpenVexStatement(string predicateType = InTotoStatement.OpenVexPredicateType) =>
        InTotoStatement.Create(predicateType, [InTotoSubject.Sha256("registry.triage.test/app", ImageDigest)], OpenVexDocument);

    public static byte[] Artifact { get; } = Encoding.UTF8.GetBytes("an artifact to sign\n");

    public static string ArtifactSha256 => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Artifact));
}
