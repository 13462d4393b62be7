using System.Security.Claims;
using LicenseManager.Core.Domain;

namespace LicenseManager.Web.Infrastructure;

/// <summary>The signed-in user (or API key) of the current request; the LMA itself outside a request.</summary>
public sealed class HttpActorAccessor(IHttpContextAccessor http) : IActorAccessor
{
    public const string DisplayNameClaim = "lma:display_name";

    public Actor Current
    {
        get
        {
            var user = http.HttpContext?.User;
            if (user?.Identity?.IsAuthenticated != true) return Actor.System;
            var name = user.FindFirstValue(DisplayNameClaim) ?? user.Identity.Name ?? "Unknown user";
            return new Actor(name, user.FindFirstValue(ClaimTypes.NameIdentifier));
        }
    }
}
