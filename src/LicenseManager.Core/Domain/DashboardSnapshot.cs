namespace LicenseManager.Core.Domain;

/// <summary>
/// The dashboard's figures for one scope (all packages or one, with or without test orgs) as a job computed them,
/// so a page request reads one row instead of aggregating whole tables. Derived data: rebuilt by the job, not exported.
/// </summary>
public class DashboardSnapshot
{
    /// <summary>"all" or "package:{key}", with ":customers" when sandbox and trial orgs are left out.</summary>
    public string Scope { get; set; } = "";
    /// <summary>Start of the refresh period the figures were computed for: one computation per scope and period.</summary>
    public DateTime Period { get; set; }
    public DateTime ComputedAt { get; set; }
    /// <summary>Every figure, as JSON (the shape of the web project's DashboardFigures).</summary>
    public string Figures { get; set; } = "";
}
