using Triage.Data.Queries;
using Triage.Data.Vex;
using Triage.Testing;
using static Triage.Data.Tests.Vex.VexImportTeamScopeTests;
using static Triage.Data.Tests.Vex.VexWorld;

namespace Triage.Data.Tests.Vex;

/// <summary>
/// A document's details read by a team member: what an admin's import found on another team's image is not shown (only
/// that the statement names such an image), on both providers. Admins and the CLI see every message.
/// </summary>
public class VexDocumentDetailsVisibilityTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Details_ForAMemberOfAnotherTeam_HideWhatTheAdminsImportFoundOnTheImage(string provider)
    {
        var w = await WorldAsync(provider);
        // An admin's import: CVE-2024-0009 is on none of the images, so each product is reported with the image it names.
        var report = await w.Imports.ImportAsync(Document(
                Statement("CVE-2024-0009", Oci(Own, D1)),
                Statement("CVE-2024-0009", Oci(Others, D2)),
                Statement("CVE-2024-0009", Oci(Nobodys, D3))),
            "vendor.openvex.json");
        var id = report.Document.Id;
        var admin = await w.Imports.DocumentAsync(id);
        Assert.Equal(3, admin!.Issues.Count);
        Assert.All(admin.Issues, i => Assert.Equal("vulnerability_unknown", i.Code));
        Assert.Contains(admin.Issues, i => i.Message.Contains(Others, StringComparison.Ordinal));

        var memberOfA = await w.Imports.DocumentAsync(id, new ImageVisibility([TeamA]));
        Assert.Equal(
            [("vulnerability_unknown", true), ("not_your_image", false), ("vulnerability_unknown", true)],
            memberOfA!.Issues.Select(i => (i.Code, i.Message.Contains("registry.example", StringComparison.Ordinal))));
        Assert.Equal(VexIssueVisibility.HiddenMessage, memberOfA.Issues[1].Message);
        Assert.Equal(admin.Issues[1].Product, memberOfA.Issues[1].Product);

        var memberOfB = await w.Imports.DocumentAsync(id, new ImageVisibility([TeamB]));
        Assert.Equal(["not_your_image", "vulnerability_unknown", "vulnerability_unknown"], memberOfB!.Issues.Select(i => i.Code));
        Assert.DoesNotContain(memberOfB.Issues, i => i.Message.Contains(Own, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Vulnerability CVE-1 is not among the findings of registry.example/b/app@sha256:22, registry.example/a/app@sha256:11.", true)]
    [InlineData("No image in repository registry.example/b/app with tag 1.", true)]
    [InlineData("No image with digest sha256:22 in repository registry.example/b/app.", true)]
    [InlineData("Package pkg:apk/busybox is not in registry.example/a/app@sha256:11.", false)]
    [InlineData("No image in repository registry.example/b/app-two.", false)]
    public void NamesAny_FindsARepositoryAsAWordOrBeforeItsDigest(string message, bool expected) =>
        Assert.Equal(expected, VexIssueVisibility.NamesAny(message, new HashSet<string>(["registry.example/b/app"], StringComparer.OrdinalIgnoreCase)));
}
