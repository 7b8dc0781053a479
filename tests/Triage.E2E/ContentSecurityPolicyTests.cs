using Microsoft.Playwright;
using Triage.E2E.Pages;
using Triage.Testing;

namespace Triage.E2E;

/// <summary>The pages work in Chromium under the app's Content-Security-Policy: the circuit goes live, and neither the
/// console nor a securitypolicyviolation listener reports a blocked script, style, connection or frame.</summary>
[Collection(AppCollection.Name)]
public sealed class ContentSecurityPolicyTests(AppFixture app)
{
    [FixtureFact]
    public async Task Pages_WorkUnderTheCsp_WithNoViolations()
    {
        var page = await app.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || m.Text.Contains("Refused to", StringComparison.Ordinal))
                problems.Add($"console {m.Type}: {m.Text}");
        };
        page.PageError += (_, e) => problems.Add("page error: " + e);
        await page.AddInitScriptAsync("window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));");

        var login = new LoginPage(page);
        await login.SignInAsync(AppFixture.AdminEmail, AppFixture.Password);
        var csp = (await page.Context.APIRequest.GetAsync(app.BaseUrl + "/account/login")).Headers["content-security-policy"];
        Assert.Contains("script-src 'self'", csp);

        foreach (var path in new[] { "/", "/findings", "/images", "/import", "/sessions", "/tokens", "/admin" })
        {
            await login.GotoAsync(path);   // waits until the circuit is interactive: blazor.web.js ran and its WebSocket connected
            var violations = await page.EvaluateAsync<string[]>("window.__csp");
            problems.AddRange(violations.Select(v => $"{path}: {v}"));
        }
        // Interactive behaviour under the policy: a MudBlazor tab switch needs the circuit and MudBlazor's script.
        await login.GotoAsync("/admin");
        await page.GetByText("Audit log").ClickAsync();
        await page.Locator("#audit-table").WaitForAsync();
        await Assertions.Expect(page.Locator("#audit-table tr[data-action='auth.signed_in']").First).ToBeVisibleAsync();
        await login.ShotAsync("30-admin-audit-log");
        problems.AddRange((await page.EvaluateAsync<string[]>("window.__csp")).Select(v => "/admin audit: " + v));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
