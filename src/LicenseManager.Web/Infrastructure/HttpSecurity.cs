using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Infrastructure;

/// <summary>
/// The security headers every response carries, and the cookie flags. Headers are set as the response starts, so
/// pages, API answers, static files, status code pages and the exception page all get them, whatever wrote the body.
/// </summary>
public static class HttpSecurity
{
    /// <summary>
    /// The app's policy: only its own scripts, styles and fonts (all under wwwroot; no inline script or style, no
    /// event-handler attributes), data: images for Bootstrap's icons, never framed.
    /// </summary>
    public const string AppPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The third-party pages we serve but don't write get their own policy, each loosened only where its vendor's
    /// code needs it and otherwise the app's (never framed, nothing from other origins). The API reference (Scalar)
    /// starts from an inline module script, styles its components inline and evaluates code at run time; it is public
    /// and shows only the public OpenAPI document, and sends no cookie-authenticated request. Its web fonts from
    /// Scalar's CDN are turned off (ApiSetup), so it loads nothing from elsewhere.
    /// </summary>
    public const string ApiReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The jobs dashboard (Hangfire, administrators only): its own scripts are files; it writes inline styles.</summary>
    public const string JobsDashboardPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddHttpSecurity(this IServiceCollection services)
    {
        // Secure whenever the request came over HTTPS (plain HTTP on a developer's machine keeps working).
        services.AddAntiforgery(o =>
        {
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SuppressXFrameOptionsHeader = true; // DENY below, on every response, not SAMEORIGIN on some
        });
        services.Configure<CookieTempDataProviderOptions>(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.ConfigureApplicationCookie(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return services;
    }

    /// <summary>First in the pipeline, so even the exception handler's and the status code pages' answers pass through it.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, string apiReferencePath, string jobsDashboardPath) =>
        app.Use((context, next) =>
        {
            // Chosen by the path asked for: an error page re-executed for it keeps the same policy.
            var path = context.Request.Path;
            var policy = path.StartsWithSegments(apiReferencePath) ? ApiReferencePolicy
                : path.StartsWithSegments(jobsDashboardPath) ? JobsDashboardPolicy
                : AppPolicy;
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                return Task.CompletedTask;
            });
            return next(context);
        });
}
