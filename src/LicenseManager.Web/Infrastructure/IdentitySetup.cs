using System.Security.Claims;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Infrastructure;

/// <summary>Authorization policies, named by what they allow.</summary>
public static class Policies
{
    public const string Read = "lma.read";
    public const string EditLicenses = "lma.edit-licenses";
    public const string ConvertLeads = "lma.convert-leads";
    public const string Administer = "lma.administer";
}

public static class IdentitySetup
{
    public const string MustChangePasswordClaim = "lma:must_change_password";

    public static IServiceCollection AddLmaIdentity(this IServiceCollection services)
    {
        services.AddIdentity<ApplicationUser, IdentityRole>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = true;
                o.Password.RequireLowercase = true;
                o.Password.RequireDigit = true;
                // Failed sign-ins are counted by PasswordSignIn (per email and client address, unknown emails too);
                // Identity's lockout end is still set for an account-wide lock, so the Users page shows it.
                o.Lockout.AllowedForNewUsers = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<LicenseManagerDbContext>()
            .AddDefaultTokenProviders()
            .AddSignInManager<LmaSignInManager>()
            .AddClaimsPrincipalFactory<LmaClaimsPrincipalFactory>();

        // A deactivated user or a changed role takes effect within a minute on every node.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/sign-in";
            o.LogoutPath = "/sign-out";
            o.AccessDeniedPath = "/access-denied";
            o.Cookie.Name = "lma.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            // API callers get status codes, not login redirects.
            o.Events.OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized);
            // A forbidden page answers 403 in place; the status code pages render the friendly Forbidden page.
            o.Events.OnRedirectToAccessDenied = ctx =>
            {
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Read, p => p.RequireRole(Roles.CanReadLicenses))
            .AddPolicy(Policies.EditLicenses, p => p.RequireRole(Roles.CanEditLicenses))
            .AddPolicy(Policies.ConvertLeads, p => p.RequireRole(Roles.CanConvertLeads))
            .AddPolicy(Policies.Administer, p => p.RequireRole(Roles.Administrator));
        return services;
    }

    private static Task RedirectOrStatus(RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
            ctx.Response.StatusCode = status;
        else
            ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}

/// <summary>Deactivated users cannot sign in, whatever their password.</summary>
public sealed class LmaSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(ApplicationUser user) => user.IsActive && await base.CanSignInAsync(user);

    public override async Task<ApplicationUser?> ValidateSecurityStampAsync(ClaimsPrincipal? principal)
    {
        var user = await base.ValidateSecurityStampAsync(principal);
        return user is { IsActive: true } ? user : null;
    }
}

public sealed class LmaClaimsPrincipalFactory(
    UserManager<ApplicationUser> userManager, RoleManager<IdentityRole> roleManager, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(HttpActorAccessor.DisplayNameClaim, string.IsNullOrWhiteSpace(user.DisplayName) ? user.Email ?? user.UserName ?? "" : user.DisplayName));
        if (user.MustChangePassword) identity.AddClaim(new Claim(IdentitySetup.MustChangePasswordClaim, "true"));
        return identity;
    }
}

/// <summary>Until a generated first-start password is changed, the only page is Change Password.</summary>
public sealed class MustChangePasswordMiddleware(RequestDelegate next)
{
    // The sign-in pages stay open: the user may sign out, or sign in as someone else, instead of changing it.
    private static readonly string[] SignInPaths = ["/sign-in", "/sign-out", "/change-password", "/access-denied"];

    public Task InvokeAsync(HttpContext context)
    {
        if (context.User.HasClaim(IdentitySetup.MustChangePasswordClaim, "true")
            && !SignInPaths.Any(p => context.Request.Path.StartsWithSegments(p))
            && !context.Request.Path.StartsWithSegments("/lib")
            && !context.Request.Path.StartsWithSegments("/css")
            && !context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.Redirect("/change-password");
            return Task.CompletedTask;
        }
        return next(context);
    }
}
