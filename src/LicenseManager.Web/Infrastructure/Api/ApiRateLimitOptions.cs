using System.ComponentModel.DataAnnotations;

namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>"Lma:Api:RateLimit": the per-key request limit of the licensing API.</summary>
public sealed class ApiRateLimitOptions
{
    /// <summary>Requests one API key may make per window, on each node.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 600;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
