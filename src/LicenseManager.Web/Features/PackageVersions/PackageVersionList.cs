using System.Globalization;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.PackageVersions;

/// <summary>The package versions list: the page and package-versions.csv.</summary>
public static class PackageVersionList
{
    public static readonly ListDefinition<PackageVersion> Definition = new()
    {
        Name = "package-versions",
        Title = "Package Versions",
        Section = "PackageVersions",
        Source = db => db.PackageVersions.AsNoTracking(),
        Filter = (versions, q, _) =>
        {
            if (q.PackageId("package") is { } package) versions = versions.Where(v => v.Package.PackageId == package);
            if (q.Bool("beta") is { } beta) versions = versions.Where(v => v.Beta == beta);
            if (q.Text("q") is { } text) versions = versions.Where(v => v.Name.StartsWith(text) || v.VersionId == text);
            return versions;
        },
        DefaultSort = "released",
        DefaultDescending = true,
        Lookups = ListLookups.PackageNames | ListLookups.PackageChoices,
        Columns =
        [
            ListColumn<PackageVersion>.Sorted("name", "Package Version Name", v => v.Name, (v, _) => v.Name),
            ListColumn<PackageVersion>.Sorted("package", "Package", v => v.PackageKey, (v, names) => names.Package(v.PackageKey)),
            // Sorted as versions sort (1.10 after 1.9), shown as the version number.
            ListColumn<PackageVersion>.Sorted("version", "Version", v => v.VersionSortKey, (v, _) => v.VersionNumber),
            ListColumn<PackageVersion>.Sorted("versionId", "Version ID", v => v.VersionId, (v, _) => v.VersionId),
            ListColumn<PackageVersion>.Plain("beta", "Beta", (v, _) => Display.YesNo(v.Beta)),
            ListColumn<PackageVersion>.Sorted("released", "Release Date", v => v.ReleaseDate, (v, _) => v.ReleaseDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        ],
        PageColumnNames = ["name", "package", "version", "versionId", "released", "beta"],
    };
}
