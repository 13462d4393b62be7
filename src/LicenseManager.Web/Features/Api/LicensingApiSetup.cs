using System.Globalization;
using System.Threading.RateLimiting;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Scalar.AspNetCore;

namespace LicenseManager.Web.Features.Api;

/// <summary>Wires the licensing API: API key scheme, scopes, per-key rate limits, check cache, seats, tokens, JWKS, OpenAPI.</summary>
public static class LicensingApiSetup
{
    public const string RateLimitPolicy = "api-key";
    public const string OpenApiPath = "/openapi/v1.json";
    public const string ReferencePath = "/api/docs";

    public static WebApplicationBuilder AddLicensingApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<LicensingApiOptions>().BindConfiguration(LicensingApiOptions.Section).ValidateDataAnnotations()
            // Data annotations don't reach the nested section: check it here, still at start-up.
            .Validate(o => o.RateLimit.PermitLimit >= 1 && o.RateLimit.Window >= TimeSpan.FromSeconds(1) && o.RateLimit.Window <= TimeSpan.FromHours(1),
                "Lma:Api:RateLimit: PermitLimit must be at least 1 and Window from 00:00:01 to 01:00:00.")
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(LicensingApiOptions.Section).Get<LicensingApiOptions>() ?? new LicensingApiOptions();

        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<ApiKeyUsage>();
        services.AddSingleton<ApiKeyUsageFlush>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiKeyUsageFlush>());
        services.AddSingleton<LicenseCheck>();
        services.AddScoped<SeatAssignments>();
        services.AddSingleton<SigningKeys>();
        services.AddHostedService<SigningKeyInitializer>();
        services.AddSingleton<LicenseTokens>();

        // A second scheme, used only where a policy names it: the cookie stays the default for pages.
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuth.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyAuth.CheckPolicy, p => p.AddAuthenticationSchemes(ApiKeyAuth.Scheme).RequireAuthenticatedUser().RequireClaim(ApiKeyAuth.ScopeClaim, ApiScopes.Check))
            .AddPolicy(ApiKeyAuth.ManagePolicy, p => p.AddAuthenticationSchemes(ApiKeyAuth.Scheme).RequireAuthenticatedUser().RequireClaim(ApiKeyAuth.ScopeClaim, ApiScopes.Manage));

        // Per key and per node: with N nodes behind a load balancer a key may make up to N times the limit.
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(RateLimitPolicy, context =>
            {
                var key = context.User.FindFirst(ApiKeyAuth.KeyIdClaim)?.Value ?? "anonymous";
                var time = context.RequestServices.GetRequiredService<TimeProvider>();
                return RateLimitPartition.Get(key, _ => new ApiKeyWindowLimiter(options.RateLimit.PermitLimit, options.RateLimit.Window, time));
            });
            o.OnRejected = async (context, ct) =>
            {
                // The seconds left in this key's window, rounded up: a client that waits that long is let through.
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.RateLimit.Window;
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                var response = context.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var problem = (ProblemDetails)ApiProblem.Result(429, "rate_limited", "Too many requests for this API key.",
                    $"This key may make {options.RateLimit.PermitLimit} requests per {options.RateLimit.Window.TotalSeconds:0} s on each server. Retry after {seconds} s.").Value!;
                await response.WriteAsJsonAsync(problem, problem.GetType(), options: null, contentType: "application/problem+json", ct);
            };
        });

        // Malformed bodies and parameters of API controllers: the API's ProblemDetails shape, with a stable code.
        services.Configure<ApiBehaviorOptions>(o => o.InvalidModelStateResponseFactory = context =>
            ApiProblem.Result(400, "validation_failed", "The request has invalid values.", null,
                context.ModelState.Where(e => e.Value?.Errors.Count > 0).ToDictionary(
                    e => e.Key.TrimStart('$', '.'),
                    e => e.Value!.Errors.Select(x => string.IsNullOrEmpty(x.ErrorMessage) ? "The value is not valid." : x.ErrorMessage).ToArray())));

        services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true;
            o.AddApiContract();
        });
        return builder;
    }

    /// <summary>
    /// Call between UseRouting and UseAuthentication. A request under /api/v1 that matches no endpoint, or matches one
    /// only by its path (the router's 405 endpoint for a wrong method, MVC's 415 endpoint for a body it doesn't take),
    /// carries no authorization rule of its own, so the app's fallback policy (a signed-in user) would answer 401 even
    /// with a valid key. These get the API's rule instead: a valid key of any scope, then the honest 404, 405 or 415;
    /// a missing, unknown or revoked key still gets 401, so callers without a key learn nothing about the routes.
    /// The ingest endpoint is authenticated by its signature, not a key: its misses need no key.
    /// </summary>
    public static IApplicationBuilder UseApiRouteMisses(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/api/v1")) return next(context);
        var endpoint = context.GetEndpoint();
        if (endpoint is not null && (endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null))
            return next(context);
        // A key's misses count against its rate limit like its other requests.
        object[] rules = context.Request.Path.StartsWithSegments("/api/v1/install-events") ? [new AllowAnonymousAttribute()] : [AnyValidKey, KeyRateLimit];
        context.SetEndpoint(endpoint is null
            ? new Endpoint(NoSuchEndpoint, new EndpointMetadataCollection(rules), "404 no such API endpoint")
            : new Endpoint(endpoint.RequestDelegate, new EndpointMetadataCollection([.. endpoint.Metadata, .. rules]), endpoint.DisplayName));
        return next(context);
    });

    private static readonly AuthorizeAttribute AnyValidKey = new() { AuthenticationSchemes = ApiKeyAuth.Scheme };
    private static readonly EnableRateLimitingAttribute KeyRateLimit = new(RateLimitPolicy);

    // The status code pages then write the API's ProblemDetails (Features/Errors).
    private static Task NoSuchEndpoint(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    /// <summary>Call after UseAuthorization: the rate limiter partitions by the API key that authorization authenticated.</summary>
    public static WebApplication UseLicensingApi(this WebApplication app)
    {
        app.UseRateLimiter();
        app.MapGet("/.well-known/jwks.json", async (SigningKeys keys, HttpContext http, CancellationToken ct) =>
            {
                http.Response.Headers.CacheControl = "public, max-age=300";
                return Results.Json(await keys.PublishedAsync(ct), contentType: "application/jwk-set+json");
            })
            .AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi(OpenApiPath).AllowAnonymous();
        // No web fonts from Scalar's CDN: the reference loads nothing from other origins (HttpSecurity.ApiReferencePolicy).
        app.MapScalarApiReference(ReferencePath, o => o.WithTitle("LicenseManager API").WithOpenApiRoutePattern(OpenApiPath).DisableDefaultFonts())
            .AllowAnonymous();
        return app;
    }
}
