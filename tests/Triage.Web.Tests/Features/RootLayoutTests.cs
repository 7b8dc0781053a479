using System.Net;
using System.Text.Json;
using Triage.Core.Ingest;
using Triage.Testing;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features;

/// <summary>The root wwwroot/ and appsettings.json are the ones the app really uses (docs/decisions/001-root-layout.md).</summary>
public sealed class RootLayoutTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    [Theory]
    [InlineData("app.css")]
    [InlineData("triage.js")]
    [InlineData("favicon.png")]
    public async Task RootWebRootFile_IsServedByteForByte_Anonymously(string file)
    {
        var served = await app.CreateClient().GetByteArrayAsync("/" + file);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(TestPaths.RepoRoot, "wwwroot", file)), served);
    }

    [Fact]
    public async Task RootAppSettings_ImportLimit_IsWhatTheImportPageAnnounces()
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(TestPaths.RepoRoot, "appsettings.json")));
        var limit = json.RootElement.GetProperty("Triage").GetProperty("Import").GetProperty("MaxReportBytes").GetInt64();
        var client = await app.SignedInClientAsync(TriageWebFactory.AdminEmail);
        var html = await client.GetStringAsync("/import");
        Assert.Contains($"up to {CaptureStream.FormatBytes(limit)} each", html);
    }

    [Fact]
    public async Task UnknownPage_SignedIn_IsAReadableNotFound()
    {
        var client = await app.SignedInClientAsync(TriageWebFactory.AdminEmail);
        var response = await client.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is nothing at this address", await response.Content.ReadAsStringAsync());
    }
}
