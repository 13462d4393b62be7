using System.Globalization;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Licenses;

/// <summary>The licenses list: the page, licenses.csv and the management API's GET /api/v1/licenses.</summary>
public static class LicenseList
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static readonly ListDefinition<License> Definition = new()
    {
        Name = "licenses",
        Title = "Licenses",
        Section = "Licenses",
        Source = db => db.Licenses.AsNoTracking(),
        Filter = (licenses, request, _) => LicenseFilter.From(request).Apply(licenses),
        DefaultSort = "name",
        DefaultDescending = true,
        Lookups = ListLookups.PackageNames | ListLookups.PackageChoices,
        Columns =
        [
            ListColumn<License>.Sorted("name", "License", l => l.Id, (l, _) => l.Id.ToString(Inv), csvHeader: "License Name", api: "name"),
            ListColumn<License>.Sorted("package", "Package", l => l.PackageKey, (l, names) => names.Package(l.PackageKey), api: "packageId"),
            ListColumn<License>.Sorted("version", "Version", l => l.PackageVersionKey, (l, _) => l.PackageVersionNumber,
                csvHeader: "Package Version Number", api: "packageVersionNumber"),
            ListColumn<License>.Sorted("orgId", "Subscriber Org ID", l => l.SubscriberOrgId, (l, _) => l.SubscriberOrgId, api: "subscriberOrgId"),
            ListColumn<License>.Sorted("org", "Org", l => l.OrgName, (l, _) => l.OrgName, csvHeader: "Org Name", api: "orgName"),
            ListColumn<License>.Sorted("status", "Status", l => l.Status, (l, _) => l.Status.ToString(), csvHeader: "License Status", api: "status"),
            ListColumn<License>.Sorted("seats", "Licensed Seats", l => l.Seats, (l, _) => Display.Seats(l.Seats), api: "seats"),
            ListColumn<License>.Sorted("used", "Used Licenses", l => l.ReportedUsedLicenses, (l, _) => Display.UsedLicenses(l), api: "usedLicenses"),
            ListColumn<License>.Sorted("expiration", "Expiration Date", l => l.ExpirationDate, (l, _) => Display.Expiration(l.ExpirationDate), api: "expirationDate"),
            ListColumn<License>.Sorted("installed", "Install Date", l => l.InstallDate, (l, _) => l.InstallDate.ToString("yyyy-MM-dd", Inv), api: "installDate"),
            ListColumn<License>.Plain("edition", "Org Edition", (l, _) => l.OrgEdition, api: "orgEdition"),
            ListColumn<License>.Plain("orgStatus", "Org Status", (l, _) => l.OrgStatus.ToString(), api: "orgStatus"),
            ListColumn<License>.Plain("orgExpiration", "Org Expiration Date", (l, _) => l.OrgExpirationDate?.ToString("yyyy-MM-dd", Inv)),
            ListColumn<License>.Plain("sandbox", "Sandbox", (l, _) => Display.YesNo(l.IsSandbox), api: "isSandbox"),
            ListColumn<License>.Plain("instance", "Instance", (l, _) => l.Instance, api: "instance"),
            ListColumn<License>.Plain("current", "Information Current As Of", (l, _) => l.InformationCurrentAsOf?.ToString("yyyy-MM-dd HH:mm:ss'Z'", Inv),
                api: "informationCurrentAsOf"),
        ],
        PageColumnNames = ["name", "package", "org", "orgId", "status", "seats", "used", "expiration", "installed", "version"],
    };
}
