using Triage.Core.Tests.Vex.Support;
using Triage.Testing;

namespace Triage.Core.Tests.Vex;

public class SchemaSmokeTests
{
    [FixtureFact]
    public void Schemas_AcceptOfficialExamples_AndRejectBrokenOnes()
    {
        var openvex = File.ReadAllText(TestPaths.Fixture("vex", "openvex", "vexctl_v020-1.vex.json"));
        Assert.Contains("version", string.Join(";", VexSchemas.ValidateOpenVex(openvex))); // the vexctl sample lacks the required version
        var csaf = File.ReadAllText(TestPaths.Fixture("vex", "csaf", "csaf20_2022-evd-uc-01-na-001.json"));
        Assert.Empty(VexSchemas.ValidateCsaf20(csaf));
        Assert.NotEmpty(VexSchemas.ValidateCsaf20(csaf.Replace("\"csaf_version\": \"2.0\"", "\"csaf_version\": \"9\"")));
        var cdx = """{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"vulnerabilities":[{"id":"CVE-1","analysis":{"state":"nope"}}]}""";
        Assert.NotEmpty(VexSchemas.ValidateCycloneDx16(cdx));
        Assert.Empty(VexSchemas.ValidateCycloneDx16(cdx.Replace("nope", "in_triage")));
    }
}
