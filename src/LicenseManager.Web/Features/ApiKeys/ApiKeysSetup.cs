using System.Globalization;
using System.Threading.RateLimiting;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Features.ApiKeys;

/// <summary>API keys: the key store, the `Bearer lma_...` scheme with its scope policies, last-used times, and the per-key rate limit.</summary>
public static class ApiKeysSetup
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(LicensingApiOptions.Section).Get<LicensingApiOptions>() ?? new LicensingApiOptions();

        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<ApiKeyUsage>();
        services.AddSingleton<ApiKeyUsageFlush>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiKeyUsageFlush>());

        // A second scheme, used only where a policy names it: the cookie stays the default for pages.
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuth.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyAuth.CheckPolicy, p => p.AddAuthenticationSchemes(ApiKeyAuth.Scheme).RequireAuthenticatedUser().RequireClaim(ApiKeyAuth.ScopeClaim, ApiScopes.Check))
            .AddPolicy(ApiKeyAuth.ManagePolicy, p => p.AddAuthenticationSchemes(ApiKeyAuth.Scheme).RequireAuthenticatedUser().RequireClaim(ApiKeyAuth.ScopeClaim, ApiScopes.Manage));

        // Per key and per node: with N nodes behind a load balancer a key may make up to N times the limit.
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(ApiKeyAuth.RateLimitPolicy, context =>
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
        return services;
    }
}
