using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Packages;
using Triage.Core.Runtime.Verdicts;
using Triage.Testing;

namespace Triage.Core.Tests.Runtime;

public class SlimReportParserTests
{
    private static async Task<SlimContainerReport> NginxCreport(ProfileCompleteness completeness = ProfileCompleteness.Complete)
    {
        await using var s = File.OpenRead(TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json"));
        return await SlimReportParser.ParseContainerReportAsync(s, completeness);
    }

    private static async Task<PackageFileIndex> NginxPackages()
    {
        await using var s = File.OpenRead(TestPaths.Local("Triage.Core.Tests", "Runtime", "nginx-distroless-stretch_trivy-list-all-pkgs.json"));
        return await PackageFileListParser.ParseAsync(s);
    }

    [FixtureFact]
    public async Task ParseContainerReport_NginxDistroless_KeptFilesAndUse()
    {
        var r = await NginxCreport();
        Assert.Equal(23, r.KeptFiles.Files.Count);
        Assert.Equal(14, r.KeptFiles.Links.Count);
        Assert.Equal("/lib/x86_64-linux-gnu/ld-2.24.so", r.KeptFiles.Links["/lib64/ld-linux-x86-64.so.2"]);
        Assert.Equal("/lib/x86_64-linux-gnu/libz.so.1.2.8", r.KeptFiles.Links["/lib/x86_64-linux-gnu/libz.so.1"]);
        Assert.Equal("/usr/sbin/nginx", r.MainProcess);
        Assert.Equal(2, r.ProcessCount);
        Assert.Null(r.Image);

        var nginx = r.Accesses.Files["/usr/sbin/nginx"];
        Assert.Equal(FileOps.Read | FileOps.Execute, nginx.Ops);
        Assert.Equal(4, nginx.Executions);
        Assert.Equal(FileOps.Write, r.Accesses.Files["/var/run/nginx.pid"].Ops);
        Assert.Equal(FileOps.Open, r.Accesses.Files["/etc/group"].Ops);
        Assert.Equal(23, r.Accesses.Files.Count);
        Assert.Equal(ProfileCompleteness.Complete, r.Accesses.Completeness);
    }

    [FixtureFact]
    public async Task Verdicts_NginxCreportAgainstPackageList_MatchExpected()
    {
        var evidence = new RuntimeEvidence().Add(await NginxCreport());
        var index = await NginxPackages();
        var verdicts = index.Packages.ToDictionary(p => p.Package.Name, p => VerdictEngine.Evaluate(new VerdictInput(p, ["CVE-2099-0001"]), evidence));

        foreach (var loaded in new[] { "libc6", "libssl1.1", "zlib1g", "libpcre3", "nginx" })
        {
            Assert.Equal(ReachabilityVerdict.Loaded, verdicts[loaded].Verdict);
            Assert.Equal(VerdictConfidence.High, verdicts[loaded].Confidence);
            Assert.Null(verdicts[loaded].ProposedJustification);
        }
        Assert.Contains("/usr/sbin/nginx (exec+read)", verdicts["nginx"].Sources.Single(s => s.Supports == ReachabilityVerdict.Loaded).Detail);

        // Removed entirely by slimming.
        foreach (var gone in new[] { "nginx-module-geoip", "libgeoip1", "ca-certificates", "netbase" })
        {
            Assert.Equal(ReachabilityVerdict.NotPresent, verdicts[gone].Verdict);
            Assert.Equal(ProposedJustification.ComponentNotPresent, verdicts[gone].ProposedJustification);
            Assert.True(verdicts[gone].NeedsConfirmation);
        }
        // Only configuration kept (/etc/ssl/openssl.cnf, read by libssl; a symlink into /etc): the code is gone.
        Assert.Equal(ReachabilityVerdict.NotPresent, verdicts["openssl"].Verdict);
        Assert.Equal(ProposedJustification.VulnerableCodeNotPresent, verdicts["openssl"].ProposedJustification);
        Assert.Equal(ReachabilityVerdict.NotPresent, verdicts["tzdata"].Verdict);
        // No file list: nothing can be said.
        Assert.Equal(ReachabilityVerdict.Unknown, verdicts["nginx-module-njs"].Verdict);
        Assert.Contains(verdicts["nginx-module-njs"].Notes, n => n.Contains("no file list"));
    }

    [FixtureFact]
    public async Task Verdicts_CreportMarkedPartial_StillProvesUseAndAbsence()
    {
        var evidence = new RuntimeEvidence().Add(await NginxCreport(ProfileCompleteness.Partial));
        var index = await NginxPackages();
        var verdicts = index.Packages.Select(p => VerdictEngine.Evaluate(new VerdictInput(p, []), evidence)).ToList();
        Assert.DoesNotContain(verdicts, v => v.Verdict == ReachabilityVerdict.PresentNotLoaded);
        Assert.Equal(5, verdicts.Count(v => v.Verdict == ReachabilityVerdict.Loaded));
    }

    [FixtureFact]
    public async Task ParseCommandReport_Sslyze_SizesAndStack()
    {
        await using var s = File.OpenRead(TestPaths.Fixture("runtime", "slim", "sslyze_slim.report.json"));
        var r = await SlimReportParser.ParseCommandReportAsync(s);
        Assert.Equal(("build", "done"), (r.Type, r.State));
        Assert.Equal("andreburgaud/sslyze:5.0.6", r.TargetReference);
        Assert.Equal("sha256:c8d8133e763c4b17e301a5cf60172b14328dba9710bc7ca85aab2acbf43bed84", r.OriginalImage!.ImageId);
        Assert.Equal("andreburgaud/sslyze", r.OriginalImage.Repository);
        Assert.Equal("5.0.6", r.OriginalImage.Tag);
        Assert.Equal(230211814, r.OriginalSize);
        Assert.Equal(74624052, r.MinifiedSize);
        Assert.Equal("andreburgaud/sslyze.slim", r.MinifiedImage);
        Assert.Equal(3.085, r.MinifiedBy!.Value, 3);
        Assert.Equal("creport.json", r.ContainerReportName);
        Assert.Equal(2, r.ImageStack.Count);
        Assert.Equal("python:3.10.8-slim-bullseye", r.ImageStack[0].FullName);
        Assert.Equal(15, r.ImageStack[0].Instructions);
        Assert.True(r.ImageStack[1].IsTopImage);
        Assert.Equal(r.ImageStack[0].Id, r.ImageStack[1].BaseImageId);
    }
}
