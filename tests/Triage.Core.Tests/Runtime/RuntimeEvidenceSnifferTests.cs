using Triage.Core.Ingest;
using Triage.Core.Runtime;
using Triage.Testing;

namespace Triage.Core.Tests.Runtime;

public class RuntimeEvidenceSnifferTests
{
    [FixtureTheory]
    [InlineData("runtime/k8s/kubelet_pods.json", RuntimeEvidenceKind.KubernetesPods)]
    [InlineData("runtime/k8s/trivy-operator_vulnerabilityreport_many.json", RuntimeEvidenceKind.TrivyOperatorReport)]
    [InlineData("runtime/slim/nginx-distroless_creport.json", RuntimeEvidenceKind.SlimContainerReport)]
    [InlineData("runtime/slim/sslyze_slim.report.json", RuntimeEvidenceKind.SlimCommandReport)]
    [InlineData("runtime/govulncheck/defectdojo_govulncheck_v114_stream.json", RuntimeEvidenceKind.Govulncheck)]
    [InlineData("runtime/govulncheck/defectdojo_govulncheck_v100_array.json", RuntimeEvidenceKind.Govulncheck)]
    [InlineData("runtime/govulncheck/defectdojo_govulncheck_v101_no_vulns.json", RuntimeEvidenceKind.Govulncheck)]
    [InlineData("runtime/govulncheck/defectdojo_govulncheck_legacy_many_vulns.json", RuntimeEvidenceKind.Govulncheck)]
    [InlineData("matched/nginx-latest-debian13/trivy.json", RuntimeEvidenceKind.PackageFileList)]
    public async Task ReadAsync_SharedFixtures_DetectedFromContent(string path, RuntimeEvidenceKind kind)
    {
        await using var s = File.OpenRead(TestPaths.Fixture(path.Split('/')));
        var doc = await RuntimeEvidenceReader.ReadAsync(s);
        Assert.Equal(kind, doc.Kind);
    }

    [Theory]
    [InlineData("file-access_partial.jsonl", RuntimeEvidenceKind.FileAccessJsonLines)]
    [InlineData("file-access_complete.jsonl", RuntimeEvidenceKind.FileAccessJsonLines)]
    [InlineData("syft_small.json", RuntimeEvidenceKind.PackageFileList)]
    [InlineData("cyclonedx_small.json", RuntimeEvidenceKind.PackageFileList)]
    public async Task ReadAsync_OwnFixtures_DetectedFromContent(string name, RuntimeEvidenceKind kind)
    {
        await using var s = File.OpenRead(TestPaths.Local("Triage.Core.Tests", "Runtime", name));
        Assert.Equal(kind, (await RuntimeEvidenceReader.ReadAsync(s)).Kind);
    }

    [Fact]
    public async Task ReadAsync_KubectlListWithItemsBeforeKind_IsPodList()
    {
        var json = """{"apiVersion":"v1","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"n"},"status":{}}],"kind":"List"}""";
        var doc = await RuntimeEvidenceReader.ReadAsync(TrickleStream.Of(json, 5));
        Assert.Equal(RuntimeEvidenceKind.KubernetesPods, doc.Kind);
    }

    [Theory]
    [InlineData("", ReportErrorCode.Empty)]
    [InlineData("{\"kind\":\"Deployment\"}", ReportErrorCode.NotAScanReport)]
    [InlineData("[1,2,3]", ReportErrorCode.NotAScanReport)]
    [InlineData("{\"a\": tru }", ReportErrorCode.InvalidJson)]
    public void Sniff_Unrecognised_TypedError(string text, ReportErrorCode code)
    {
        var ex = Assert.Throws<ReportFormatException>(() => RuntimeEvidenceSniffer.Sniff(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.Equal(code, ex.Code);
    }
}
