using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Domain;
using Triage.Data.Import;
using Triage.Web.Features.Decisions;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Security;

/// <summary>
/// Script and HTML in scanner text (a description, a title, a package name), in a VEX statement and in a decision note
/// stay inert on the findings grid, the finding page and the image page: the server-rendered HTML holds them encoded,
/// never as markup.
/// </summary>
public sealed class XssTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    private const string Desc = "<script>alert('xss-desc')</script>";
    private const string Title = "<img src=x onerror=alert('xss-title')>";
    private const string Pkg = "<svg/onload=alert('xss-pkg')>";
    private const string Vex = "<script>alert('xss-vex')</script>";
    private const string Note = "<iframe src=javascript:alert('xss-note')>";
    private static readonly string[] Payloads = [Desc, Title, Pkg, Vex, Note];

    private static string Report(string image) => $$"""
        {
          "SchemaVersion": 2,
          "ArtifactName": "{{image}}",
          "ArtifactType": "container_image",
          "Metadata": { "OS": { "Family": "debian", "Name": "12.8" } },
          "Results": [ { "Target": "x (debian 12.8)", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": [ {
            "VulnerabilityID": "CVE-2099-0001", "PkgName": {{Json(Pkg)}}, "InstalledVersion": "1.0", "Severity": "CRITICAL",
            "Title": {{Json(Title)}}, "Description": {{Json(Desc)}} } ] } ]
        }
        """;

    private static string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    [Fact]
    public async Task Payloads_InScannerTextVexAndNotes_AreEncodedOnEveryPage()
    {
        var image = $"registry.example/xss/app-{Guid.NewGuid():N}:1.0";
        var importer = app.Services.GetRequiredService<ReportImporter>();
        var summary = await importer.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(Report(image))), "xss.json", new ImportOptions { ImportedBy = "test" });
        var artifactId = summary.Artifacts[0].ArtifactId;
        long findingId;
        await using (var db = app.Db()) findingId = await db.Findings.Where(f => f.ArtifactId == artifactId).Select(f => f.Id).SingleAsync();

        // A VEX statement whose impact statement is a payload, through the API as a pipeline would send it.
        var token = await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read | TokenScopes.Upload);
        var vex = $$"""
            { "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/xss", "author": {{Json(Vex)}}, "timestamp": "2026-11-01T00:00:00Z", "version": 1,
              "statements": [ { "vulnerability": { "name": "CVE-2099-0001" }, "products": [ { "@id": "{{image}}" } ], "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path", "impact_statement": {{Json(Vex)}} } ] }
            """;
        var vexResponse = await app.TokenClient(token).PostAsync("/api/v1/vex", new StringContent(vex, Encoding.UTF8, "application/json"));
        Assert.True(vexResponse.IsSuccessStatusCode, await vexResponse.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", vexResponse.Headers.GetValues("X-Content-Type-Options").Single());

        // A decision made on the finding page with a payload as its note.
        var admin = await app.AccessForAsync(TriageWebFactory.AdminEmail);
        await app.Services.GetRequiredService<IDecisionStore>().DecideAsync(new FindingDecision
        {
            FindingIds = [findingId], Scope = DecisionScopeKind.Repository, Status = DecisionStatus.NotAffected,
            Justification = Triage.Core.Vex.VexJustification.VulnerableCodeNotInExecutePath,
            Notes = Note, AuthorId = admin.UserId, AuthorName = admin.Name, AuthorSees = admin.Images,
        });

        var browser = await app.SignedInClientAsync(TriageWebFactory.AdminEmail);
        var shown = new HashSet<string>();
        foreach (var path in new[] { "/findings", $"/findings?q={Uri.EscapeDataString("CVE-2099-0001")}", $"/findings/{findingId}", $"/images/{artifactId}", "/images", "/" })
        {
            var response = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            foreach (var payload in Payloads)
            {
                Assert.False(html.Contains(payload, StringComparison.OrdinalIgnoreCase), $"{path} holds {payload} as markup");
                if (WebUtility.HtmlDecode(html).Contains(payload, StringComparison.Ordinal)) shown.Add(payload);
            }
            Assert.DoesNotContain("alert('xss-", StripEncoded(html));
        }
        // Not vacuous: the pages did render the scanner text and the note (encoded). The package name is only checked for
        // never being live markup: it does not appear decoded in the server-rendered HTML of these pages.
        Assert.Contains(Desc, shown);
        Assert.Contains(Note, shown);
    }

    /// <summary>The HTML with text nodes and attribute values that are safely encoded removed is what a browser would run;
    /// an unencoded alert( left in it would be live.</summary>
    private static string StripEncoded(string html) =>
        System.Text.RegularExpressions.Regex.Replace(html, "&lt;[^<]*", "");
}
