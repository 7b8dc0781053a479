using Triage.Core.Ingest;
using Triage.Core.Runtime.Packages;
using Triage.Testing;

namespace Triage.Core.Tests.Runtime;

public class PackageFileListParserTests
{
    private static async Task<PackageFileIndex> Local(string name)
    {
        await using var s = File.OpenRead(TestPaths.Local("Triage.Core.Tests", "Runtime", name));
        return await PackageFileListParser.ParseAsync(s);
    }

    [FixtureFact]
    public async Task Parse_TrivyListAllPkgs_RealNginxImage_InstalledFiles()
    {
        await using var s = File.OpenRead(TestPaths.Fixture("matched", "nginx-latest-debian13", "trivy.json"));
        var index = await PackageFileListParser.ParseAsync(s);
        Assert.Equal(PackageListFormat.TrivyJson, index.Format);
        Assert.Equal(151, index.Packages.Count);
        var zlib = index.Find(new PackageRef("deb", "debian", "zlib1g", "1.3.dfsg+really1.3.1"))!;
        Assert.Equal(FileListOrigin.Listed, zlib.Origin);
        Assert.Contains("/usr/lib/x86_64-linux-gnu/libz.so.1.3.1", zlib.Files);
        // nginx.org packages come without InstalledFiles: nothing to map.
        var nginx = index.Packages.Single(p => p.Package.Name == "nginx");
        Assert.Equal(FileListOrigin.None, nginx.Origin);
    }

    [Fact]
    public async Task Parse_OwnNginxList_FindsByPurlAndByDebianFullVersion()
    {
        var index = await Local("nginx-distroless-stretch_trivy-list-all-pkgs.json");
        Assert.Equal(12, index.Packages.Count);
        Assert.NotNull(index.Find(new PackageRef("deb", null, "zlib1g", "x", "pkg:deb/debian/zlib1g@1:1.2.8.dfsg-5?arch=amd64")));
        Assert.NotNull(index.Find(new PackageRef("deb", null, "libssl1.1", "1.1.0f-3+deb9u2")));
        Assert.NotNull(index.Find(new PackageRef("deb", null, "zlib1g", "1:1.2.8.dfsg-5")));
        Assert.Null(index.Find(new PackageRef("deb", null, "zlib1g", "9.9")));
    }

    [Fact]
    public async Task Parse_Syft_OsFilesAndManifestLocations()
    {
        var index = await Local("syft_small.json");
        Assert.Equal(PackageListFormat.SyftJson, index.Format);
        var ssl = index.Packages.Single(p => p.Package.Name == "libssl3");
        Assert.Equal(FileListOrigin.Listed, ssl.Origin);
        Assert.Equal(2, ssl.Files.Count);
        var express = index.Packages.Single(p => p.Package.Name == "express");
        Assert.Equal(["/app/node_modules/express"], express.Roots);
        Assert.True(express.ProvesAbsence);
        // Found through a lockfile only: fall back to the node_modules convention.
        var lodash = index.Packages.Single(p => p.Package.Name == "lodash");
        Assert.Equal(FileListOrigin.WellKnownPath, lodash.Origin);
        Assert.Equal(new PathConvention("node_modules", "lodash"), lodash.Conventions.Single());
        var log4j = index.Packages.Single(p => p.Package.Name == "log4j-core");
        Assert.Equal(["/opt/app/app.jar"], log4j.Files);
    }

    [Fact]
    public async Task Parse_CycloneDx_OccurrencesPropertiesAndNestedComponents()
    {
        var index = await Local("cyclonedx_small.json");
        Assert.Equal(PackageListFormat.CycloneDx, index.Format);
        Assert.Equal(3, index.Packages.Count);
        var requests = index.Packages.Single(p => p.Package.Name == "requests");
        Assert.False(requests.ProvesAbsence); // module directory name may differ from the distribution name
        Assert.Equal(["/usr/lib/python3.11/site-packages/requests-2.31.0.dist-info"], requests.Roots);
        var jwt = index.Packages.Single(p => p.Package.Name == "github.com/golang-jwt/jwt");
        Assert.Equal(["/usr/local/bin/api"], jwt.Files);
        Assert.True(jwt.ProvesAbsence);
    }

    [Fact]
    public void PackageDatabases_DpkgListAndApkInstalled()
    {
        var dpkg = PackageDatabases.FromDpkgList(new PackageRef("deb", "debian", "zlib1g", "1.2.13"), "/.\n/usr\n/usr/lib/x86_64-linux-gnu/libz.so.1.2.13\n/usr/lib/x86_64-linux-gnu/libz.so.1\n");
        Assert.Contains("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", dpkg.Files);
        var apk = PackageDatabases.FromApkInstalled("P:musl\nV:1.2.4-r2\nF:lib\nR:ld-musl-x86_64.so.1\nR:libc.musl-x86_64.so.1\n\nP:zlib\nV:1.3-r0\nF:lib\nR:libz.so.1.3\n");
        Assert.Equal(["musl", "zlib"], apk.Select(a => a.Package.Name));
        Assert.Equal(["/lib/ld-musl-x86_64.so.1", "/lib/libc.musl-x86_64.so.1"], apk[0].Files);
    }

    [Fact]
    public async Task Parse_UnknownDocument_NotAScanReport()
    {
        var ex = await Assert.ThrowsAsync<ReportFormatException>(() => PackageFileListParser.ParseAsync(Streams.Of("""{"hello":1}""")));
        Assert.Equal(ReportErrorCode.NotAScanReport, ex.Code);
    }
}
