using System.Security.Claims;
using LicenseManager.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.ApiKeys;

/// <summary>The `Authorization: Bearer lma_...` scheme, used only by the /api/v1 licensing endpoints.</summary>
public static class ApiKeyAuth
{
    public const string Scheme = "ApiKey";
    public const string CheckPolicy = "api.check";
    public const string ManagePolicy = "api.manage";
    public const string KeyIdClaim = "lma:api_key_id";
    public const string KeyNameClaim = HttpActorAccessor.ApiKeyNameClaim;
    public const string ScopeClaim = "scope";
    /// <summary>The rate limiter policy of every endpoint an API key calls: partitioned by key.</summary>
    public const string RateLimitPolicy = "api-key";
    public const string PackageClaim = "lma:api_key_package";

    /// <summary>Whether the calling key may touch this package (a key with no package list may touch all).</summary>
    public static bool MayUsePackage(this ClaimsPrincipal user, string packageId)
    {
        // A plain loop: every check asks, and FindAll would build a list per request.
        var limited = false;
        foreach (var identity in user.Identities)
            foreach (var claim in identity.Claims)
            {
                if (!string.Equals(claim.Type, PackageClaim, StringComparison.OrdinalIgnoreCase)) continue; // as FindAll compares types
                if (string.Equals(claim.Value, packageId, StringComparison.Ordinal)) return true;
                limited = true;
            }
        return !limited;
    }

    /// <summary>The package ids the key is limited to; empty for every package.</summary>
    public static IReadOnlyList<string> AllowedPackages(this ClaimsPrincipal user) => [.. user.FindAll(PackageClaim).Select(c => c.Value)];
}
