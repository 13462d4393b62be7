using System.ComponentModel.DataAnnotations;

namespace LicenseManager.Web.Features.Packages;

/// <summary>The "Lma:Refresh" section: how often Refresh Licenses may be asked for. Validated at start-up.</summary>
public sealed class RefreshOptions
{
    public const string Section = "Lma:Refresh";

    /// <summary>The guide allows a manual refresh once per week per package; zero lets it be asked for at any time.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "90.00:00:00")]
    public TimeSpan MinimumInterval { get; set; } = TimeSpan.FromDays(7);
}
