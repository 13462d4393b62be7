using System.ComponentModel.DataAnnotations;

namespace LicenseManager.Web.Features.SignIn;

/// <summary>The "Lma:SignIn" section: lockout after failed sign-ins and the per-address limit on login attempts. Validated at start-up.</summary>
public sealed class SignInLimitOptions
{
    public const string Section = "Lma:SignIn";

    /// <summary>Failed sign-ins to one email from one client address that lock that address out of that email.</summary>
    [Range(1, 100)]
    public int FailuresPerAddress { get; set; } = 5;

    /// <summary>
    /// Failed sign-ins to one email from all addresses together that lock the email for everyone. At least twice
    /// <see cref="FailuresPerAddress"/>, so that one address alone can never lock an account for its owner.
    /// </summary>
    [Range(2, 10_000)]
    public int FailuresPerAccount { get; set; } = 20;

    /// <summary>How long failures are counted, and how long a lock lasts.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    public SignInRateLimitOptions RateLimit { get; set; } = new();

    public static string? Problem(SignInLimitOptions o) =>
        o.FailuresPerAccount < 2 * o.FailuresPerAddress
            ? $"{Section}:FailuresPerAccount must be at least twice FailuresPerAddress ({2 * o.FailuresPerAddress}), so that one client address can't lock an account."
            : o.RateLimit.PermitLimit is < 1 or > 100_000 || o.RateLimit.Window < TimeSpan.FromSeconds(1) || o.RateLimit.Window > TimeSpan.FromDays(1)
                ? $"{Section}:RateLimit: PermitLimit must be from 1 to 100000 and Window from 00:00:01 to 1.00:00:00."
                : null;
}
