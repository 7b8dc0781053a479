namespace Triage.Web.Infrastructure.Security;

/// <summary>
/// Headers on every response. The Content-Security-Policy admits only this origin's scripts (no inline script, no eval):
/// blazor.web.js, MudBlazor's script and triage.js are files; the circuit connects back over a WebSocket to this host only
/// (<c>ws://host</c> and <c>wss://host</c> of the request, spelled out because older browsers do not let 'self' cover
/// WebSocket schemes; any other host is refused, so injected markup cannot open a socket to elsewhere).
/// Styles allow 'unsafe-inline' because MudBlazor writes style attributes and a theme &lt;style&gt; block; that lets a
/// page be restyled, never run code. frame-ancestors 'none' (and X-Frame-Options for old browsers) forbids framing.
/// The one inline script, Blazor's import map, carries a per-request nonce (<see cref="Nonce"/>).
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next, SecurityOptions options, Access.OidcSettings oidc)
{
    private readonly string _csp = BuildPolicy(oidc);
    private const string NonceKey = "triage:csp-nonce";

    /// <summary>The nonce of this response's policy, for the page's inline import map.</summary>
    public static string? Nonce(HttpContext? context) => context?.Items[NonceKey] as string;
    private readonly string _hsts = $"max-age={options.HstsMaxAgeDays * 86400}; includeSubDomains";

    public static string BuildPolicy(Access.OidcSettings oidc)
    {
        // The sign-in form may hand over to the identity provider (a redirect after a form post).
        var formAction = "'self'";
        if (oidc.IsConfigured && Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority))
            formAction += " " + authority.GetLeftPart(UriPartial.Authority);
        return string.Join("; ",
            "default-src 'self'",
            "script-src 'self' {nonce}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self' {sockets}",
            "object-src 'none'",
            "base-uri 'self'",
            $"form-action {formAction}",
            "frame-ancestors 'none'");
    }

    /// <summary>The WebSocket sources of this host, or nothing when the Host header is not a plain host[:port] (it is
    /// echoed into a header, so nothing that could end the directive or start another is let through).</summary>
    public static string Sockets(HostString host)
    {
        var value = host.HasValue ? host.Value! : "";
        if (value.Length is 0 or > 255) return "";
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']')) return "";
        return $"ws://{value} wss://{value}";
    }

    public Task InvokeAsync(HttpContext context)
    {
        var nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        context.Response.OnStarting(() =>
        {
            var h = context.Response.Headers;
            h.ContentSecurityPolicy = _csp.Replace("{nonce}", $"'nonce-{nonce}'", StringComparison.Ordinal)
                .Replace("{sockets}", Sockets(context.Request.Host), StringComparison.Ordinal);
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            if (context.Request.IsHttps) h.StrictTransportSecurity = _hsts;
            return Task.CompletedTask;
        });
        return next(context);
    }
}
