using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Domain;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Operations;

/// <summary>The real app with settings for operations tests: a short queue lease and poll, and any other setting
/// (a connection string of its own included, which then wins over the fresh database).</summary>
public sealed class OperationsFactory(string provider, IDictionary<string, string?>? settings = null)
    : TriageWebFactory(provider, seedAdmin: true, WithQueueDefaults(settings))
{
    private static Dictionary<string, string?> WithQueueDefaults(IDictionary<string, string?>? settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["Triage:Queue:LeaseSeconds"] = "3",
            ["Triage:Queue:PollSeconds"] = "0.3",
            ["Triage:Queue:RetrySeconds"] = "30",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        return all;
    }

    /// <summary>The connection string the app really uses (a setting may have replaced the fresh database).</summary>
    public string AppConnectionString => Services.GetRequiredService<global::Triage.Web.Infrastructure.TriageConnection>().ConnectionString;

    /// <summary>An API client with a read+upload token of a new triager.</summary>
    public async Task<HttpClient> TriagerApiAsync(string email = "ops-triager@example.test")
    {
        await CreateUserAsync(email, TriageRole.Triager);
        return TokenClient(await CreateTokenAsync(email, TokenScopes.Read | TokenScopes.Upload));
    }

    /// <summary>Signs in through the real form without a cookie container and returns the Cookie header value that carries
    /// the sign-in ("triage.auth=…"), to be sent to this instance or another one.</summary>
    public async Task<string> SignInCookieAsync(string email, string password = Password)
    {
        var client = CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var login = await client.GetAsync("/account/login");
        var html = await login.Content.ReadAsStringAsync();
        var token = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        var post = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["_handler"] = "login", ["Input.Email"] = email, ["Input.Password"] = password,
            }),
        };
        post.Headers.Add("Cookie", Cookies(login));
        var signedIn = await client.SendAsync(post);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, signedIn.StatusCode);
        return Cookies(signedIn);
    }

    /// <summary>"name=value; name=value" of a response's Set-Cookie headers.</summary>
    public static string Cookies(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : []);

    /// <summary>A GET with a Cookie header.</summary>
    public async Task<HttpResponseMessage> GetWithCookieAsync(string path, string cookie)
    {
        var client = CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    public static ByteArrayContent Json(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
