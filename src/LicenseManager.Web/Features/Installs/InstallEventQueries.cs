using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Installs;

public static class InstallEventQueries
{
    /// <summary>
    /// A package's events in the installation log: those already tied to it, and those naming one of its versions
    /// that were held before the package was known to them (PackageKey still empty).
    /// </summary>
    public static IQueryable<InstallEvent> EventsOfPackage(this LicenseManagerDbContext db, long packageKey)
    {
        var versionIds = db.PackageVersions.Where(v => v.PackageKey == packageKey).Select(v => v.VersionId);
        return db.InstallEvents.Where(e => e.PackageKey == packageKey || versionIds.Contains(e.PackageVersionId!));
    }

    /// <summary>Puts a package's held events back in the queue (Retry, association, Refresh Licenses).</summary>
    public static Task<int> ReleaseHeldAsync(this LicenseManagerDbContext db, long packageKey, CancellationToken ct) =>
        db.EventsOfPackage(packageKey).Where(e => e.State == InstallEventState.Held)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.State, InstallEventState.Pending), ct);
}
