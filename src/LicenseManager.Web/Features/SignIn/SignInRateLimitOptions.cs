using System.ComponentModel.DataAnnotations;

namespace LicenseManager.Web.Features.SignIn;

/// <summary>"Lma:SignIn:RateLimit": login attempts per client address.</summary>
public sealed class SignInRateLimitOptions
{
    /// <summary>Login attempts (right or wrong, any email) one client address may make per window, on each node.</summary>
    [Range(1, 100_000)]
    public int PermitLimit { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}
