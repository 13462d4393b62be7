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
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.RateLimit.PermitLimit,
                    Window = options.RateLimit.Window,
                    QueueLimit = 0,
                });
            });
            o.OnRejected = async (context, ct) =>
            {
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
        app.MapScalarApiReference(ReferencePath, o => o.WithTitle("LicenseManager API").WithOpenApiRoutePattern(OpenApiPath)).AllowAnonymous();
        return app;
    }
}
