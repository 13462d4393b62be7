using System.Linq.Expressions;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Lists;

namespace LicenseManager.Web.Features.Licenses;

/// <summary>The licenses list's filters: shared by the list view, its CSV export, the dashboard links and the management API.</summary>
public sealed record LicenseFilter
{
    public LicenseStatus? Status { get; init; }
    /// <summary>The 18-character Package ID people see (not the internal key).</summary>
    public string? PackageId { get; init; }
    /// <summary>The 18-character Version ID people see (not the internal key).</summary>
    public string? VersionId { get; init; }
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

    /// <summary>The filters from a list request; each that doesn't parse leaves its error in <paramref name="r"/> and is not applied.</summary>
    public static LicenseFilter From(ListRequest r) => new()
    {
        Status = r.Enum<LicenseStatus>("status"),
        PackageId = r.PackageId("package"),
        VersionId = r.VersionId("version"),
        ExpiresAfter = r.Date("expiresAfter"),
        ExpiresBefore = r.Date("expiresBefore"),
        Sandbox = r.Bool("sandbox"),
        Edition = r.Text("edition", 64),
        OrgStatus = r.Enum<OrgStatus>("orgStatus"),
        SeatsKind = r.OneOf("seats", "site", "seats"),
        MinSeats = r.Int("minSeats", 0, LicenseRules.MaxSeats),
        MaxSeats = r.Int("maxSeats", 0, LicenseRules.MaxSeats),
        Search = r.Text("q"),
        LeadKey = r.Number("lead"),
        AccountKey = r.Number("account"),
        ContactKey = r.Number("contact"),
        HideTestOrgs = r.Bool("hideTestOrgs") == true,
        OverSeats = r.Bool("overSeats") == true,
    };

    public IQueryable<License> Apply(IQueryable<License> licenses)
    {
        if (Status is { } status) licenses = licenses.Where(l => l.Status == status);
        if (PackageId is { } package) licenses = licenses.Where(l => l.Package.PackageId == package);
        if (VersionId is { } version) licenses = licenses.Where(l => l.PackageVersion.VersionId == version);
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
            if (long.TryParse(q, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)) licenses = licenses.Where(l => l.Id == number);
            else if (Ids.IsOrgId(q)) licenses = licenses.Where(l => l.SubscriberOrgId == q);
            else licenses = licenses.Where(l => l.OrgName.StartsWith(q));
        }
        return licenses;
    }

}
