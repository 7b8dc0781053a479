namespace Triage.Web.Infrastructure.Security;

/// <summary>Triage:Security in configuration.</summary>
public sealed class SecurityOptions
{
    /// <summary>Largest request body of an endpoint that sets no limit of its own (report and VEX uploads set theirs).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;
    /// <summary>HSTS max-age, sent only on HTTPS requests (directly or, with <see cref="ForwardedHeaders"/>, behind a TLS proxy).</summary>
    public int HstsMaxAgeDays { get; set; } = 365;
    /// <summary>Trust X-Forwarded-For/-Proto from a reverse proxy (set it only when one is in front of every instance).</summary>
    public bool ForwardedHeaders { get; set; }
}

/// <summary>Triage:RateLimits in configuration: fixed one-minute windows, 429 with Retry-After beyond them.</summary>
public sealed class RateLimitOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>Requests per minute to /api/* for one API token (or one address without a token).</summary>
    public int ApiPerMinute { get; set; } = 1200;
    /// <summary>Uploads (POST/PUT to /api/*) per minute for one token or address, on top of <see cref="ApiPerMinute"/>.</summary>
    public int UploadsPerMinute { get; set; } = 120;
    /// <summary>Sign-in and setup form posts per minute from one address.</summary>
    public int SignInPerMinute { get; set; } = 30;
    /// <summary>With ConnectionStrings:Redis the windows are counted there under this prefix (shared by every instance; give
    /// each deployment sharing one Redis its own).</summary>
    public string RedisKeyPrefix { get; set; } = "triage:rl";
}
