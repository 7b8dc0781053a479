using System.Security.Cryptography;
using Microsoft.Playwright;
using Triage.Core.Vex;
using Triage.E2E.Pages;
using Triage.Testing;

namespace Triage.E2E;

/// <summary>The decision dialog and the VEX page in a real browser: decide with the dialog, export signed, import a signed
/// document, see its signature status, the signing tab. Screenshots to look at.</summary>
[Collection(AppCollection.Name)]
public sealed class VexPageTests(AppFixture app)
{
    [FixtureFact]
    public async Task DecisionDialog_ThenVexPage_ExportSigned_ImportSigned_Signing()
    {
        var page = await app.NewPageAsync();
        var login = new LoginPage(page);
        await login.SignInAsync(AppFixture.AdminEmail, AppFixture.Password);
        var import = new ImportPage(page);
        await import.OpenAsync();
        // A report of its own (TriageFlowTests imports alpine), so the outcome is known whatever the order of the tests.
        var item = await import.UploadAsync(TestPaths.Fixture("matched", "eck-operator-wolfi", "trivy.json"));
        Assert.Equal("done", await item.GetAttributeAsync("data-state"));

        // The decision dialog, opened with its shortcut in a session.
        var session = new SessionPage(page);
        await session.StartAsync("VEX dialog");
        await session.PressAsync("n");
        var dialog = page.Locator(".mud-dialog");
        await dialog.WaitForAsync();
        await Assertions.Expect(dialog.Locator("#decision-justification")).ToBeVisibleAsync();
        await session.ShotAsync("20-decision-dialog");
        await dialog.Locator("textarea#decision-impact, #decision-impact textarea").First.FillAsync("the vulnerable code is not reachable from the entry point");
        await Assertions.Expect(dialog.Locator("#dialog-submit")).ToBeEnabledAsync();
        await session.ShotAsync("21-decision-dialog-filled");
        await dialog.Locator("#dialog-submit").ClickAsync();
        await Assertions.Expect(session.Decision).ToContainTextAsync("Not affected", new() { Timeout = 5_000 });
        await session.ShotAsync("22-session-decided");

        // The VEX page: export signed.
        var vex = new FindingsPage(page);
        await vex.GotoAsync("/vex");
        await page.GetByText("Sign (Sigstore bundle)").ClickAsync();
        var mark = app.ServerLog.Mark;
        await page.Locator("#vex-export").ClickAsync();
        await app.ExpectOutcomeAsync(page, "#vex-export-result", "#vex-export-error", mark, "23-vex-export-timeout");
        await Assertions.Expect(page.Locator("#vex-signed-by")).ToContainTextAsync("in-toto statement (https://openvex.dev/ns)");
        await Assertions.Expect(page.Locator("#vex-bundle-download")).ToBeVisibleAsync();
        await vex.ShotAsync("23-vex-export-signed");

        // Import: a real OpenVEX file with a bundle signed by a key nobody trusts → imported, signature "not checked".
        var dir = Directory.CreateTempSubdirectory("triage-e2e-vex-").FullName;
        var doc = Path.Combine(dir, "vendor.openvex.json");
        File.Copy(TestPaths.Fixture("vex", "openvex", "vexctl_images.vex.json"), doc);
        string publicKey;
        using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            publicKey = ec.ExportSubjectPublicKeyInfoPem();
            var keyFile = Path.Combine(dir, "key.pem");
            await File.WriteAllTextAsync(keyFile, ec.ExportPkcs8PrivateKeyPem());
            var signed = await new Triage.Data.Signing.DocumentSigner("Data Source=unused.db", new Triage.Data.Signing.SigningOptions { KeyPath = keyFile })
                .SignAsync(VexFormat.OpenVex, await File.ReadAllTextAsync(doc));
            await File.WriteAllTextAsync(doc + ".sigstore.json", signed.BundleJson);
        }
        await page.GetByRole(AriaRole.Tab, new() { Name = "Import" }).ClickAsync();
        // MudFileUpload adds a fresh input after each selection: the last input of each picker is the live one.
        await page.Locator("#vex-import-file input[type=file]").Last.SetInputFilesAsync(doc);
        // The circuit reads the picked file before it names it: slow on a loaded machine.
        await Assertions.Expect(page.Locator("#vex-import-file-name")).ToContainTextAsync("vendor.openvex.json", new() { Timeout = 20_000 });
        await page.Locator("#vex-import-bundle input[type=file]").Last.SetInputFilesAsync(doc + ".sigstore.json");
        await Assertions.Expect(page.Locator("#vex-import-bundle-name")).ToContainTextAsync("vendor.openvex.json.sigstore.json", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("#vex-import")).ToBeEnabledAsync();
        mark = app.ServerLog.Mark;
        await page.Locator("#vex-import").ClickAsync();
        await app.ExpectOutcomeAsync(page, "#vex-import-result", "#vex-import-error", mark, "24-vex-import-timeout");
        await vex.ShotAsync("24-vex-import-signed");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Documents" }).ClickAsync();
        await page.Locator("#vex-documents tbody tr").First.WaitForAsync();
        await vex.ShotAsync("25-vex-documents");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Authors" }).ClickAsync();
        await vex.ShotAsync("26-vex-authors");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Signing" }).ClickAsync();
        await page.Locator("#signing-public-key-download").WaitForAsync();
        await vex.ShotAsync("27-vex-signing");

        // Trusting the key that signed the imported document checks the stored signatures again: it is now verified.
        await page.Locator("input#signer-author, #signer-author input").First.FillAsync("*");
        await page.Locator("textarea#signer-key, #signer-key textarea").First.FillAsync(publicKey);
        await page.Locator("#signer-add").ClickAsync();
        await Assertions.Expect(page.Locator("#signing-recheck")).ToContainTextAsync("vendor.openvex.json: not_checked → verified", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#trusted-signers")).ToContainTextAsync("*");
        await vex.ShotAsync("28-vex-signing-recheck");
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }
}
