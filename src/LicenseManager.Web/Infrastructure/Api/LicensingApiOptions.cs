using System.ComponentModel.DataAnnotations;

namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>The "Lma:Api" section: rate limits, caches and license tokens of the licensing API. Validated at start-up.</summary>
public sealed class LicensingApiOptions
{
    public const string Section = "Lma:Api";

    public ApiRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// How long a license check answer may be served from this node's memory. Also the bound on how stale a check can
    /// be after a change made on another node (or by the install processor); changes through this node's API are seen at once.
    /// </summary>
    [Range(0, 300)]
    public int CheckCacheSeconds { get; set; } = 5;

    /// <summary>How long a looked-up API key is trusted from memory: a revocation on another node takes effect within this time.</summary>
    [Range(0, 300)]
    public int KeyCacheSeconds { get; set; } = 15;

    /// <summary>How often the last-used times of API keys seen by this node are written to the database.</summary>
    [Range(1, 3600)]
    public int LastUsedFlushSeconds { get; set; } = 60;

    /// <summary>Lifetime of a signed license token: how long an ISV app may keep working offline on one token.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);
}
