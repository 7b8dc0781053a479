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
        var shown = await InertOnEveryPageAsync(browser, Payloads,
            "/findings", $"/findings?q={Uri.EscapeDataString("CVE-2099-0001")}", $"/findings/{findingId}", $"/images/{artifactId}", "/images", "/");
        // Not vacuous: the pages did render the scanner text and the note (encoded). The package name is only checked for
        // never being live markup: it does not appear decoded in the server-rendered HTML of these pages.
        Assert.Contains(Desc, shown);
        Assert.Contains(Note, shown);
    }

    private const string SessionName = "<script>alert('xss-session')</script>";
    private const string FilterName = "<img src=x onerror=alert('xss-filter')>";
    private const string Pkg2 = "<body onload=alert('xss-pkg2')>";
    private static readonly string[] MorePayloads = [.. Payloads, SessionName, FilterName, Pkg2];

    /// <summary>The other pages that show stored text: sessions (a session and a saved queue named with a payload), the
    /// comparison and lineage of two versions of an image whose package names are payloads, the weekly review and its
    /// print view, the VEX page (a document whose author is a payload), administration (the audit log holds the names) and
    /// the runtime page. Each answers 200 and holds every payload only encoded.</summary>
    [Fact]
    public async Task Payloads_OnSessionsCompareLineageMetricsVexAdminAndRuntimePages_AreEncoded()
    {
        var repository = $"registry.example/xss/pages-{Guid.NewGuid():N}";
        var importer = app.Services.GetRequiredService<ReportImporter>();
        var first = await importer.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(Report(repository + ":1.0"))), "xss-1.json", new ImportOptions { ImportedBy = "test" });
        var second = await importer.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(Report(repository + ":2.0").Replace(Json(Pkg), Json(Pkg2), StringComparison.Ordinal))),
            "xss-2.json", new ImportOptions { ImportedBy = "test" });
        var artifactId = first.Artifacts[0].ArtifactId;
        long repositoryId;
        await using (var db = app.Db()) repositoryId = await db.Artifacts.Where(a => a.Id == artifactId).Select(a => a.RepositoryId).SingleAsync();

        var token = await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read | TokenScopes.Upload);
        var vex = $$"""
            { "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/xss-pages-{{Guid.NewGuid():N}}", "author": {{Json(Vex)}},
              "timestamp": "2026-11-01T00:00:00Z", "version": 1,
              "statements": [ { "vulnerability": { "name": "CVE-2099-0001" }, "products": [ { "@id": "{{repository}}:1.0" } ], "status": "under_investigation",
                "status_notes": {{Json(Vex)}} } ] }
            """;
        var vexResponse = await app.TokenClient(token).PostAsync("/api/v1/vex", new StringContent(vex, Encoding.UTF8, "application/json"));
        Assert.True(vexResponse.IsSuccessStatusCode, await vexResponse.Content.ReadAsStringAsync());

        var admin = await app.AccessForAsync(TriageWebFactory.AdminEmail);
        long sessionId;
        using (var scope = app.Services.CreateScope())
        {
            var sessions = scope.ServiceProvider.GetRequiredService<Triage.Web.Features.Sessions.SessionService>();
            var query = new Triage.Web.Features.Findings.FindingsQuery { Image = repository + ":1.0" };
            sessionId = await sessions.StartAsync(SessionName, query, admin);
            await sessions.SaveFilterAsync(FilterName, query, admin);
        }

        var browser = await app.SignedInClientAsync(TriageWebFactory.AdminEmail);
        var a = Uri.EscapeDataString(repository + ":1.0");
        var b = Uri.EscapeDataString(repository + ":2.0");
        var shown = await InertOnEveryPageAsync(browser, MorePayloads,
            "/sessions", $"/sessions/{sessionId}", $"/compare?a={a}&b={b}", $"/lineage/{repositoryId}", "/metrics", "/metrics/print",
            "/vex", "/admin", "/runtime", "/findings?group=package", "/findings?group=vulnerability", $"/images/{second.Artifacts[0].ArtifactId}");
        // Not vacuous: the session's name, a title and the package names reached these pages (encoded).
        Assert.Contains(SessionName, shown);
        Assert.Contains(Title, shown);
        Assert.Contains(Pkg2, shown);
    }

    /// <summary>Each page answers 200 and holds no payload as markup; returns the payloads some page showed (encoded).</summary>
    private static async Task<HashSet<string>> InertOnEveryPageAsync(HttpClient browser, string[] payloads, params string[] paths)
    {
        var shown = new HashSet<string>();
        foreach (var path in paths)
        {
            var response = await browser.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            var html = await response.Content.ReadAsStringAsync();
            foreach (var payload in payloads)
            {
                Assert.False(html.Contains(payload, StringComparison.OrdinalIgnoreCase), $"{path} holds {payload} as markup");
                if (WebUtility.HtmlDecode(html).Contains(payload, StringComparison.Ordinal)) shown.Add(payload);
            }
            Assert.DoesNotContain("alert('xss-", StripEncoded(html));
        }
        return shown;
    }

    /// <summary>The HTML with text nodes and attribute values that are safely encoded removed is what a browser would run;
    /// an unencoded alert( left in it would be live.</summary>
    private static string StripEncoded(string html) =>
        System.Text.RegularExpressions.Regex.Replace(html, "&lt;[^<]*", "");
}
