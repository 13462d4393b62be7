namespace LicenseManager.Web.Features.Tokens;

/// <summary>Signed license tokens: the signing keys (created at start-up, kept in the database) and the public JWKS.</summary>
public static class TokensSetup
{
    public const string JwksPath = "/.well-known/jwks.json";

    public static IServiceCollection AddTokens(this IServiceCollection services)
    {
        services.AddSingleton<SigningKeys>();
        services.AddHostedService<SigningKeyInitializer>();
        services.AddSingleton<LicenseTokens>();
        return services;
    }

    /// <summary>The public keys an ISV app verifies tokens with, offline; anyone may read them.</summary>
    public static WebApplication MapJsonWebKeySet(this WebApplication app)
    {
        app.MapGet(JwksPath, async (SigningKeys keys, HttpContext http, CancellationToken ct) =>
            {
                http.Response.Headers.CacheControl = "public, max-age=300";
                return Results.Json(await keys.PublishedAsync(ct), contentType: "application/jwk-set+json");
            })
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
