using LicenseManager.Web.Features.Licenses;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Api;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LicenseManager.Web.Features.Tokens;

/// <summary>
/// Signed license tokens (compact JWS, ES256): the license as the check API sees it, signed so the ISV's app can
/// verify it offline against the JWKS and keep working while the LMA is unreachable.
/// </summary>
public sealed class LicenseTokens(SigningKeys keys, IOptions<LicensingApiOptions> options, IOptions<LmaOptions> lma, TimeProvider time)
{
    public const string DefaultIssuer = "LicenseManager";

    public sealed record IssuedToken(string Token, string TokenType, DateTime ExpiresAt, string KeyId);

    public string Issuer => lma.Value.PublicBaseUrl?.TrimEnd('/') ?? DefaultIssuer;

    public async Task<IssuedToken> IssueAsync(string packageId, string orgId, LicenseCheckAnswer answer, CancellationToken ct)
    {
        var (kid, credentials) = await keys.CurrentAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now + options.Value.TokenLifetime;
        var license = answer.License!;
        // Absent "seats" means Site License; absent "license_exp" means the license does not expire.
        var claims = new Dictionary<string, object>
        {
            ["sub"] = orgId,
            ["org"] = orgId,
            ["pkg"] = packageId,
            ["lic"] = license.Name,
            ["status"] = license.Status,
            ["licensed"] = answer.Licensed,
            ["code"] = answer.Code,
            ["site_license"] = license.Seats is null,
            ["pkg_version"] = license.PackageVersionNumber,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (license.Seats is { } seats) claims["seats"] = seats;
        if (license.ExpirationDate is { } date) claims["license_exp"] = date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = packageId,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            Claims = claims,
            SigningCredentials = credentials,
        });
        return new IssuedToken(token, "JWT", expires, kid);
    }
}
