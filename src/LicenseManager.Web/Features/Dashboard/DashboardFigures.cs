using LicenseManager.Core.Domain;

namespace LicenseManager.Web.Features.Dashboard;

/// <summary>What the dashboard covers: all packages or one, with or without sandbox and trial orgs.</summary>
/// <param name="PackageKey">null for all packages.</param>
/// <param name="HideTestOrgs">Leave out licenses of sandbox orgs and of orgs whose Org Status is Trial (query string <c>hideTestOrgs=true</c>).</param>
public sealed record DashboardScope(long? PackageKey, bool HideTestOrgs)
{
    public const string HideTestOrgsKey = "hideTestOrgs";
}

/// <summary>Every figure of the dashboard, computed together for one scope and one day.</summary>
public sealed record DashboardFigures
{
    public required DashboardScope Scope { get; init; }
    public required DateOnly Today { get; init; }
    /// <summary>Monday of the current week (UTC): "this week" runs from it to the Sunday after.</summary>
    public required DateOnly WeekStart { get; init; }
    public required DateTime ComputedAt { get; init; }
    public string? PackageName { get; init; }
    /// <summary>The scope's Package ID, as the list filters take it.</summary>
    public string? PackageId { get; init; }

    public required IReadOnlyList<WeekInstalls> InstallsPerWeek { get; init; }
    public int Installs => InstallsPerWeek.Sum(w => w.Installs);
    public int Uninstalls => InstallsPerWeek.Sum(w => w.Uninstalls);
    public int NetGrowth => Installs - Uninstalls;

    public required IReadOnlyDictionary<LicenseStatus, int> LicensesByStatus { get; init; }

    /// <summary>Active licenses expiring from today through today + 30, 60 and 90 days (each window includes the shorter ones).</summary>
    public required IReadOnlyList<RenewalWindow> Renewals { get; init; }

    /// <summary>Trial licenses not yet past their expiration date.</summary>
    public required int ActiveTrials { get; init; }
    /// <summary>Trial licenses expiring from today through Sunday of this week.</summary>
    public required int TrialsEndingThisWeek { get; init; }
    public required IReadOnlyList<MonthConversion> TrialConversion { get; init; }

    public required IReadOnlyList<PackageSeats> Seats { get; init; }
    public required int LicensesOverSeats { get; init; }
    /// <summary>The licenses furthest over their seat count (at most 10).</summary>
    public required IReadOnlyList<OverSeatLicense> MostOverSeats { get; init; }

    public required IReadOnlyList<OwnerLeads> LeadsByOwner { get; init; }

    public required IReadOnlyList<HeldInstalls> HeldInstalls { get; init; }
    public required int PendingInstallEvents { get; init; }
    /// <summary>null until email alerts exist: rendered as "—".</summary>
    public required int? FailedEmails { get; init; }
    public required IReadOnlyList<PackageRefresh> Refreshes { get; init; }
}

public sealed record WeekInstalls(DateOnly WeekStart, int Installs, int Uninstalls)
{
    public int Net => Installs - Uninstalls;
}

public sealed record RenewalWindow(int Days, DateOnly Until, int Count);

/// <summary>
/// Trials decided in a month: converted (Trial → Active) or lost (Trial → Suspended or Uninstalled, or the
/// expiration date passed while still a Trial). The rate is converted / decided; null when nothing was decided.
/// </summary>
public sealed record MonthConversion(DateOnly Month, int Converted, int Lost)
{
    public int Decided => Converted + Lost;
    public double? Rate => Decided == 0 ? null : (double)Converted / Decided;
}

/// <summary>Licensed vs used seats of a package's installed licenses with a seat count; site licenses counted apart.</summary>
public sealed record PackageSeats(long PackageKey, string PackageName, long LicensedSeats, long UsedSeats, int SeatLicenses, int SiteLicenses);

public sealed record OverSeatLicense(long LicenseId, long PackageKey, string OrgName, int Seats, int Used)
{
    public int Available => Seats - Used;
}

/// <summary>Leads from package installations: created this week and not yet converted (all time), per owner (null = the LMA).</summary>
public sealed record OwnerLeads(string? OwnerId, string OwnerName, int NewThisWeek, int NotConverted);

/// <summary>Held install events of a package (null when the package isn't known yet) with one reason code.</summary>
public sealed record HeldInstalls(long? PackageKey, string PackageName, string HoldCode, string SampleReason, int Count);

public sealed record PackageRefresh(long PackageKey, string PackageName, bool IsAssociated, DateTime? LastRefreshAt);
