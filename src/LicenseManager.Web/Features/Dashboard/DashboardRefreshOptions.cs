using System.ComponentModel.DataAnnotations;

namespace LicenseManager.Web.Features.Dashboard;

/// <summary>The "Lma:Dashboard" section: how often the dashboard's figures are recomputed. Validated at start-up.</summary>
public sealed class DashboardRefreshOptions
{
    public const string Section = "Lma:Dashboard";

    /// <summary>
    /// The figures are recomputed once per period of this length (the job looks every minute), so the page shows
    /// figures at most about this old. From one minute to one day.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A snapshot this old means no job has refreshed it: the page computes the figures itself once.</summary>
    public TimeSpan StaleAfter => RefreshInterval * 3;
}
