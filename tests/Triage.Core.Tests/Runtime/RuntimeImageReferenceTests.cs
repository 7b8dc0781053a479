using Triage.Core.Runtime;

namespace Triage.Core.Tests.Runtime;

public class RuntimeImageReferenceTests
{
    private const string Hex = "2b74eca0f25e946e9a1dc4b94b9da067b1fec4244364d266283dfbbab546a629";

    [Theory]
    [InlineData("docker-pullable://metallb/speaker@sha256:" + Hex, "metallb/speaker", null, "sha256:" + Hex)]
    [InlineData("quay.io/org/app:1.2@sha256:" + Hex, "quay.io/org/app", "1.2", "sha256:" + Hex)]
    [InlineData("localhost:5000/app:dev", "localhost:5000/app", "dev", null)]
    [InlineData("nginx", "nginx", null, null)]
    public void Parse_References_SplitsRepositoryTagAndDigest(string text, string? repo, string? tag, string? digest)
    {
        var r = RuntimeImageReference.Parse(text);
        Assert.Equal(repo, r.Repository);
        Assert.Equal(tag, r.Tag);
        Assert.Equal(digest, r.Digest);
    }

    [Fact]
    public void Parse_BareDigestFromRuntime_IsImageId()
    {
        var r = RuntimeImageReference.Parse("sha256:" + Hex);
        Assert.Null(r.Digest);
        Assert.Equal("sha256:" + Hex, r.ImageId);
        Assert.Equal("sha256:" + Hex, RuntimeImageReference.Parse("sha256:" + Hex, bareDigestIsImageId: false).Digest);
    }
}
