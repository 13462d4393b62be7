using System.Security.Claims;
using System.Text.Encodings.Web;
using LicenseManager.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.ApiKeys;

public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    ApiKeyUsage usage,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string FailureKey = "lma:api_key_failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return Fail("missing_api_key", "Send an API key as `Authorization: Bearer <key>`.");
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Fail("invalid_authorization", "The Authorization header must be `Bearer <key>`.");

        var record = await keys.FindAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (record is null) return Fail("invalid_api_key", "The API key is unknown or has been revoked.");

        usage.Touch(record.Id, time.GetUtcNow().UtcDateTime);
        var claims = new List<Claim>
        {
            new(ApiKeyAuth.KeyIdClaim, record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ApiKeyAuth.KeyNameClaim, record.Name),
            new(ClaimTypes.Name, "API key " + record.Name),
        };
        claims.AddRange(record.Scopes.Select(s => new Claim(ApiKeyAuth.ScopeClaim, s)));
        claims.AddRange(record.PackageIds.Select(p => new Claim(ApiKeyAuth.PackageClaim, p)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyAuth.Scheme));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, ApiKeyAuth.Scheme));
    }

    private AuthenticateResult Fail(string code, string detail)
    {
        Context.Items[FailureKey] = (code, detail);
        return AuthenticateResult.Fail(detail);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (code, detail) = Context.Items[FailureKey] as (string, string)? ?? ("missing_api_key", "Send an API key as `Authorization: Bearer <key>`.");
        Response.Headers.WWWAuthenticate = "Bearer";
        return Write(ApiProblem.Result(401, code, "A valid API key is required.", detail));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Write(ApiProblem.Result(403, "insufficient_scope", "This API key may not use this endpoint.",
            "The key lacks the scope this endpoint needs: `check` for license checks, seats and tokens, `manage` for the management API."));

    private Task Write(ObjectResult result)
    {
        Response.StatusCode = result.StatusCode!.Value;
        return Response.WriteAsJsonAsync(result.Value, result.Value!.GetType(), options: null, contentType: "application/problem+json", Context.RequestAborted);
    }
}
