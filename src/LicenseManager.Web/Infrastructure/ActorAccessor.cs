using System.Security.Claims;
using LicenseManager.Core.Domain;

namespace LicenseManager.Web.Infrastructure;

/// <summary>The signed-in user (or API key) of the current request; the LMA itself outside a request.</summary>
public sealed class HttpActorAccessor(IHttpContextAccessor http) : IActorAccessor
{
    public const string DisplayNameClaim = "lma:display_name";
    /// <summary>Set by the API key scheme: changes made with a key are attributed to "API key &lt;name&gt;".</summary>
    public const string ApiKeyNameClaim = "lma:api_key_name";

    public Actor Current
    {
        get
        {
            var user = http.HttpContext?.User;
            if (user?.Identity?.IsAuthenticated != true) return Actor.System;
            if (user.FindFirstValue(ApiKeyNameClaim) is { } keyName) return new Actor("API key " + keyName);
            var name = user.FindFirstValue(DisplayNameClaim) ?? user.Identity.Name ?? "Unknown user";
            return new Actor(name, user.FindFirstValue(ClaimTypes.NameIdentifier));
        }
    }
}
