using System.Globalization;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Packages;

/// <summary>The packages list: the page and packages.csv.</summary>
public static class PackageList
{
    public static readonly ListDefinition<Package> Definition = new()
    {
        Name = "packages",
        Title = "Packages",
        Section = "Packages",
        Source = db => db.Packages.AsNoTracking(),
        Filter = (packages, r, _) =>
        {
            if (r.Text("q") is { } q) packages = packages.Where(p => p.Name.StartsWith(q) || p.PackageId == q);
            if (r.Bool("associated") is { } associated) packages = packages.Where(p => p.IsAssociated == associated);
            return packages;
        },
        DefaultSort = "name",
        DefaultDescending = false,
        Columns =
        [
            ListColumn<Package>.Sorted("name", "Package Name", p => p.Name, (p, _) => p.Name),
            ListColumn<Package>.Sorted("packageId", "Package ID", p => p.PackageId, (p, _) => p.PackageId),
            ListColumn<Package>.Plain("developer", "Developer Name", (p, _) => p.DeveloperName),
            ListColumn<Package>.Plain("developerOrgId", "Developer Org ID", (p, _) => p.DeveloperOrgId),
            ListColumn<Package>.Sorted("latest", "Latest Version", p => p.LatestVersion, (p, _) => p.LatestVersion),
            ListColumn<Package>.Sorted("released", "Release Date", p => p.ReleaseDate, (p, _) => p.ReleaseDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ListColumn<Package>.Plain("associated", "Associated", (p, _) => Display.YesNo(p.IsAssociated)),
            ListColumn<Package>.Plain("leadManager", "Lead Manager"),
        ],
        PageColumnNames = ["name", "packageId", "latest", "released", "associated", "leadManager"],
    };
}
