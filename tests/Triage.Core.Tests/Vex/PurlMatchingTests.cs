using Triage.Core.Identity;
using Triage.Core.Vex;

namespace Triage.Core.Tests.Vex;

/// <summary>How VEX reads purls with the shared <see cref="Purl"/>: the forms VEX documents use, and go-vex matching.</summary>
public class PurlMatchingTests
{
    [Theory]
    [InlineData("pkg:oci/alpine@sha256%3A6baf43584bcb78f2e5847d1de515f23499913ac9f12bdf834811a3145eb11ca1", "oci", null, "alpine", "sha256:6baf43584bcb78f2e5847d1de515f23499913ac9f12bdf834811a3145eb11ca1")]
    [InlineData("pkg:golang/github.com/aquasecurity/trivy", "golang", "github.com/aquasecurity", "trivy", null)]
    [InlineData("pkg:deb/ubuntu/libstdc%2B%2B6@12.3.0-1ubuntu1~22.04?arch=amd64", "deb", "ubuntu", "libstdc++6", "12.3.0-1ubuntu1~22.04")]
    public void Parse_VexDocumentForms(string text, string type, string? ns, string name, string? version)
    {
        var p = Purl.Parse(text);
        Assert.Equal(type, p.Type);
        Assert.Equal(ns, p.Namespace);
        Assert.Equal(name, p.Name);
        Assert.Equal(version, p.Version);
    }

    [Fact]
    public void SameAs_ComparesCanonicalSpellings()
    {
        var a = Purl.Parse("pkg:oci/trivy?repository_url=index.docker.io%2Faquasec%2Ftrivy&tag=latest");
        var b = Purl.Parse("pkg:oci/trivy?tag=latest&repository_url=index.docker.io/aquasec/trivy");
        Assert.True(a.SameAs(b));
        Assert.Equal("index.docker.io/aquasec/trivy", a.Qualifier("repository_url"));
        Assert.Equal("pkg:oci/alpine@sha256%3Aabc", Purl.Parse("pkg:oci/alpine@sha256:abc").ToString());
        Assert.Equal("pkg:apk/alpine/busybox@1", Purl.Parse("pkg:apk/alpine/busybox@1?arch=x86_64").WithoutQualifiers().ToString());
    }

    [Theory]
    [InlineData("nginx")]
    [InlineData("registry.k8s.io/kube-apiserver:v1.26.0")]
    public void TryParse_ImageNamesAreNotPurls(string text) => Assert.False(Purl.TryParse(text, out _));

    [Theory]
    [InlineData("pkg:apk/alpine/busybox", "pkg:apk/alpine/busybox@1.36.1-r20?arch=x86_64", true)]
    [InlineData("pkg:apk/alpine/busybox@1.36.1-r20", "pkg:apk/alpine/busybox@1.36.1-r20?arch=x86_64&distro=3.19.9", true)]
    [InlineData("pkg:apk/alpine/busybox@1.36.1-r19", "pkg:apk/alpine/busybox@1.36.1-r20", false)]
    [InlineData("pkg:apk/alpine/busybox?arch=x86_64", "pkg:apk/alpine/busybox@1", false)]
    [InlineData("pkg:apk/alpine/busybox?arch=x86_64", "pkg:apk/alpine/busybox@1?arch=x86_64", true)]
    [InlineData("pkg:apk/alpine/busybox?arch=aarch64", "pkg:apk/alpine/busybox@1?arch=x86_64", false)]
    [InlineData("pkg:apk/alpine/busybox", "pkg:apk/wolfi/busybox@1", false)]
    [InlineData("pkg:oci/alpine@sha256:AB", "pkg:oci/alpine@sha256:ab", true)]
    [InlineData("pkg:pypi/Django_Rest", "pkg:pypi/django-rest@3.0", true)]
    [InlineData("pkg:golang/github.com/Foo/bar", "pkg:golang/github.com/foo/bar@v1", false)]
    [InlineData("pkg:oci/trivy?repository_url=GHCR.io/aquasecurity/trivy/", "pkg:oci/trivy@sha256:1?repository_url=ghcr.io/aquasecurity/trivy", true)]
    public void Covers_GeneralToSpecific(string vexSide, string target, bool expected) =>
        Assert.Equal(expected, Purl.Parse(vexSide).Covers(Purl.Parse(target)));
}

public class VersRangeTests
{
    [Theory]
    [InlineData("vers:semver/<2.6.7.5", "2.6.7", true)]
    [InlineData("vers:semver/<2.6.7.5", "2.6.7.5", false)]
    [InlineData("vers:semver/>=2.9.0|<2.9.5", "2.9.4", true)]
    [InlineData("vers:semver/>=2.9.0|<2.9.5", "2.9.5", false)]
    [InlineData("vers:semver/>=2.9.0|<2.9.5", "2.8.9", false)]
    [InlineData("vers:all/*", "anything", true)]
    [InlineData("vers:deb/>=1.0|<1.2|!=1.1", "1.1", false)]
    [InlineData("vers:deb/1.0|1.5", "1.5", true)]
    [InlineData("vers:deb/>=1.0~rc1", "1.0", true)]
    [InlineData("vers:deb/>=1.0", "1.0~rc1", false)]
    public void Contains_EvaluatesConstraints(string range, string version, bool expected)
    {
        Assert.True(VersRange.TryParse(range, out var r, out var err), err);
        Assert.Equal(expected, r.Contains(version));
    }

    [Fact]
    public void Subcomponent_WithRange_IgnoresItsOwnVersionAndUsesTheRange()
    {
        VersRange.TryParse("vers:apk/>=1.36.1-r15|<1.36.1-r29", out var r, out _);
        var sub = new VexSubcomponent(Purl.Parse("pkg:apk/alpine/busybox"), r);
        Assert.True(sub.Covers(Purl.Parse("pkg:apk/alpine/busybox@1.36.1-r20?arch=x86_64")));
        Assert.False(sub.Covers(Purl.Parse("pkg:apk/alpine/busybox@1.36.1-r29")));
    }
}
