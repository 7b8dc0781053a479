using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Triage.Sigstore.InToto;
using Triage.Sigstore.Tests.Support;

namespace Triage.Sigstore.Tests.Formats;

public sealed class InTotoStatementTests
{
    [Fact]
    public void Create_ThenParse_KeepsSubjectsTypeAndPredicateVerbatim()
    {
        var statement = Fixtures.OpenVexStatement();

        var parsed = InTotoStatement.Parse(statement.ToJsonBytes());

        Assert.Equal(InTotoStatement.TypeV1, parsed.Type);
        Assert.Equal(InTotoStatement.OpenVexPredicateType, parsed.PredicateType);
        Assert.Equal("registry.triage.test/app", Assert.Single(parsed.Subjects).Name);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Fixtures.OpenVexDocument), JsonNode.Parse(parsed.PredicateJson!)));
        Assert.True(parsed.HasSubjectDigest(HashAlgorithmName.SHA256, Convert.FromHexString(Fixtures.ImageDigest[7..])));
        Assert.False(parsed.HasSubjectDigest(HashAlgorithmName.SHA512, Convert.FromHexString(Fixtures.ImageDigest[7..])));
    }

    [Fact]
    public void Parse_CosignV01Statement_IsAccepted()
    {
        var json = """{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"x","digest":{"sha256":"AB"}}],"predicateType":"https://openvex.dev/ns","predicate":{}}""";

        var statement = InTotoStatement.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(InTotoStatement.TypeV01, statement.Type);
        Assert.True(statement.HasSubjectDigest(HashAlgorithmName.SHA256, [0xab]), "hex digests compare case-insensitively");
    }

    [Theory]
    [InlineData("""{"_type":"https://example.com/Statement","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"p"}""", "_type")]
    [InlineData("""{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}""", "subject")]
    [InlineData("""{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{}}],"predicateType":"p"}""", "subject[0].digest")]
    [InlineData("""{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"ab"}}]}""", "predicateType")]
    public void Parse_InvalidStatement_ThrowsTypedError(string json, string path)
    {
        var e = Assert.Throws<SigstoreFormatException>(() => InTotoStatement.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(SigstoreDocument.InTotoStatement, e.Document);
        Assert.Equal(path, e.JsonPath);
    }

    [Fact]
    public void Create_InvalidInput_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => InTotoStatement.Create("p", [], "{}"));
        Assert.Throws<ArgumentException>(() => InTotoSubject.Sha256("x", "not-hex"));
        Assert.Throws<SigstoreFormatException>(() => InTotoStatement.Create("p", [InTotoSubject.Sha256("x", Fixtures.ImageDigest)], "[1,2]"));
        Assert.Throws<SigstoreFormatException>(() => InTotoStatement.Create("p", [InTotoSubject.Sha256("x", Fixtures.ImageDigest)], "{oops"));
    }
}
