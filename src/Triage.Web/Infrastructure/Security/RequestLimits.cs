using Microsoft.AspNetCore.Http.Features;
using Triage.Core.Ingest;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Infrastructure.Security;

/// <summary>
/// A default body limit for every endpoint that declares none (forms, decisions, anything added later): over it, 413.
/// Report and VEX uploads declare their own (<see cref="OwnBodyLimit"/>) and raise the server's limit themselves.
/// Runs after routing, so it sees the endpoint.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, SecurityOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<OwnBodyLimit>() is null)
        {
            var limit = options.MaxRequestBodyBytes;
            if (context.Request.ContentLength > limit)
            {
                await TooLargeAsync(context, limit);
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
            // A chunked body without Content-Length is counted as it is read (TestServer and proxies do not all enforce the feature).
            if (context.Request.ContentLength is null && context.Request.Body.CanRead && !HttpMethods.IsGet(context.Request.Method))
                context.Request.Body = new LimitedReadStream(context.Request.Body, limit);
        }
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            await TooLargeAsync(context, options.MaxRequestBodyBytes);
        }
    }

    private static Task TooLargeAsync(HttpContext context, long limit) =>
        ApiProblems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "too_large", "Request too large",
            $"the request body is larger than the limit of {Core.Ingest.CaptureStream.FormatBytes(limit)}");
}

/// <summary>Endpoint metadata: this endpoint enforces a body limit of its own (uploads of reports and documents).</summary>
public sealed class OwnBodyLimit
{
    public static readonly OwnBodyLimit Instance = new();
}

public static class OwnBodyLimitExtensions
{
    /// <summary>The endpoint sets its own body limit (it raises IHttpMaxRequestBodySizeFeature itself).</summary>
    public static TBuilder WithOwnBodyLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(OwnBodyLimit.Instance);
}

/// <summary>Throws 413 (as Kestrel does) once more than the limit has been read. The body stays the server's to dispose.</summary>
internal sealed class LimitedReadStream(Stream inner, long limit) : CountingReadStream(inner, ownsInner: false)
{
    protected override void OnRead(long total)
    {
        if (total > limit) throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
    }
}
