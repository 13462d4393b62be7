using System.Linq.Expressions;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Lists;

namespace LicenseManager.Web.Features.Licenses;

/// <summary>The licenses list's filters: shared by the list view, its CSV export, the dashboard links and the management API.</summary>
public sealed record LicenseFilter
{
    public LicenseStatus? Status { get; init; }
    public long? PackageKey { get; init; }
    public long? VersionKey { get; init; }
    public DateOnly? ExpiresAfter { get; init; }
    public DateOnly? ExpiresBefore { get; init; }
    public bool? Sandbox { get; init; }
    public string? Edition { get; init; }
    public OrgStatus? OrgStatus { get; init; }
    /// <summary>"site" for Site License, "seats" for a seat count.</summary>
    public string? SeatsKind { get; init; }
    public int? MinSeats { get; init; }
    public int? MaxSeats { get; init; }
    public string? Search { get; init; }
    public long? LeadKey { get; init; }
    public long? AccountKey { get; init; }
    public long? ContactKey { get; init; }
    /// <summary>Leave out sandbox orgs and orgs whose Org Status is Trial (the dashboard's toggle).</summary>
    public bool HideTestOrgs { get; init; }
    /// <summary>Only installed licenses whose used licenses exceed their seats (negative available seats).</summary>
    public bool OverSeats { get; init; }

    /// <summary>A paying customer's org: not a sandbox, and not a trial org.</summary>
    public static readonly Expression<Func<License, bool>> IsCustomerOrg = l => !l.IsSandbox && l.OrgStatus != Core.Domain.OrgStatus.Trial;

    /// <summary><see cref="LicenseRules.AvailableSeats"/> below zero, as a query.</summary>
    public static readonly Expression<Func<License, bool>> IsOverSeats =
        l => l.Status != LicenseStatus.Uninstalled && l.Seats != null && l.ReportedUsedLicenses > l.Seats;

    public static LicenseFilter From(IQueryCollection q) => new()
    {
        Status = q.Enum<LicenseStatus>("status"),
        PackageKey = q.Long("package"),
        VersionKey = q.Long("version"),
        ExpiresAfter = q.Date("expiresAfter"),
        ExpiresBefore = q.Date("expiresBefore"),
        Sandbox = q.Bool("sandbox"),
        Edition = q.Text("edition", 64),
        OrgStatus = q.Enum<OrgStatus>("orgStatus"),
        SeatsKind = q.Text("seats") is "site" or "seats" ? q.Text("seats") : null,
        MinSeats = q.Int("minSeats"),
        MaxSeats = q.Int("maxSeats"),
        Search = q.Text("q"),
        LeadKey = q.Long("lead"),
        AccountKey = q.Long("account"),
        ContactKey = q.Long("contact"),
        HideTestOrgs = q.Bool("hideTestOrgs") == true,
        OverSeats = q.Bool("overSeats") == true,
    };

    public IQueryable<License> Apply(IQueryable<License> licenses)
    {
        if (Status is { } status) licenses = licenses.Where(l => l.Status == status);
        if (PackageKey is { } package) licenses = licenses.Where(l => l.PackageKey == package);
        if (VersionKey is { } version) licenses = licenses.Where(l => l.PackageVersionKey == version);
        if (ExpiresAfter is { } after) licenses = licenses.Where(l => l.ExpirationDate >= after);
        if (ExpiresBefore is { } before) licenses = licenses.Where(l => l.ExpirationDate <= before);
        if (Sandbox is { } sandbox) licenses = licenses.Where(l => l.IsSandbox == sandbox);
        if (Edition is { } edition) licenses = licenses.Where(l => l.OrgEdition == edition);
        if (OrgStatus is { } orgStatus) licenses = licenses.Where(l => l.OrgStatus == orgStatus);
        if (SeatsKind == "site") licenses = licenses.Where(l => l.Seats == null);
        if (SeatsKind == "seats") licenses = licenses.Where(l => l.Seats != null);
        if (MinSeats is { } min) licenses = licenses.Where(l => l.Seats >= min);
        if (MaxSeats is { } max) licenses = licenses.Where(l => l.Seats <= max);
        if (LeadKey is { } lead) licenses = licenses.Where(l => l.LeadKey == lead);
        if (AccountKey is { } account) licenses = licenses.Where(l => l.AccountKey == account);
        if (ContactKey is { } contact) licenses = licenses.Where(l => l.ContactKey == contact);
        if (HideTestOrgs) licenses = licenses.Where(IsCustomerOrg);
        if (OverSeats) licenses = licenses.Where(IsOverSeats);
        if (Search is { } q)
        {
            if (long.TryParse(q, out var number)) licenses = licenses.Where(l => l.Id == number);
            else if (q.Length == 15 && q.All(char.IsAsciiLetterOrDigit)) licenses = licenses.Where(l => l.SubscriberOrgId == q);
            else licenses = licenses.Where(l => l.OrgName.StartsWith(q));
        }
        return licenses;
    }

    public static readonly IReadOnlyList<SortColumn<License>> Columns =
    [
        SortColumn.For<License, long>("name", "License", l => l.Id),
        SortColumn.For<License, long>("package", "Package", l => l.PackageKey),
        SortColumn.For<License, string>("org", "Org", l => l.OrgName),
        SortColumn.For<License, string>("orgId", "Subscriber Org ID", l => l.SubscriberOrgId),
        SortColumn.For<License, LicenseStatus>("status", "Status", l => l.Status),
        SortColumn.For<License, int?>("seats", "Licensed Seats", l => l.Seats),
        SortColumn.For<License, int?>("used", "Used Licenses", l => l.ReportedUsedLicenses),
        SortColumn.For<License, DateOnly?>("expiration", "Expiration Date", l => l.ExpirationDate),
        SortColumn.For<License, DateTime>("installed", "Install Date", l => l.InstallDate),
        SortColumn.For<License, long>("version", "Package Version", l => l.PackageVersionKey),
    ];
}
