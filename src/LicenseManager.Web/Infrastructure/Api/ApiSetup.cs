using LicenseManager.Web.Features.ApiKeys;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Scalar.AspNetCore;

namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>
/// What every /api/v1 endpoint shares: the "Lma:Api" options, the ProblemDetails shape of malformed requests, the
/// route misses of the API, and the OpenAPI document with its reference page. The features register their own
/// services and endpoints (ApiKeys, Licenses, Packages, Tokens, Installs).
/// </summary>
public static class ApiSetup
{
    public const string OpenApiPath = "/openapi/v1.json";
    public const string ReferencePath = "/api/docs";

    public static IServiceCollection AddLmaApi(this IServiceCollection services)
    {
        services.AddOptions<LicensingApiOptions>().BindConfiguration(LicensingApiOptions.Section).ValidateDataAnnotations()
            // Data annotations don't reach the nested section: check it here, still at start-up.
            .Validate(o => o.RateLimit.PermitLimit >= 1 && o.RateLimit.Window >= TimeSpan.FromSeconds(1) && o.RateLimit.Window <= TimeSpan.FromHours(1),
                "Lma:Api:RateLimit: PermitLimit must be at least 1 and Window from 00:00:01 to 01:00:00.")
            .ValidateOnStart();
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
        return services;
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
    private static readonly EnableRateLimitingAttribute KeyRateLimit = new(ApiKeyAuth.RateLimitPolicy);

    // The status code pages then write the API's ProblemDetails (Features/Errors).
    private static Task NoSuchEndpoint(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    /// <summary>The OpenAPI document and its reference page, open to anyone.</summary>
    public static WebApplication MapLmaApiReference(this WebApplication app)
    {
        app.MapOpenApi(OpenApiPath).AllowAnonymous();
        // No web fonts from Scalar's CDN: the reference loads nothing from other origins (HttpSecurity.ApiReferencePolicy).
        app.MapScalarApiReference(ReferencePath, o => o.WithTitle("LicenseManager API").WithOpenApiRoutePattern(OpenApiPath).DisableDefaultFonts())
            .AllowAnonymous();
        return app;
    }
}
