using Hangfire;
using LicenseManager.Core.Data;
using LicenseManager.Web.Features.Packages;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Installs;

/// <summary>The weekly refresh of every associated package.</summary>
public sealed class WeeklyRefreshJob(LicenseManagerDbContext db, PackageCommands packages)
{
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(CancellationToken ct)
    {
        var keys = await db.Packages.Where(p => p.IsAssociated).Select(p => p.Id).ToListAsync(ct);
        foreach (var key in keys)
            await packages.RequestRefreshAsync(key, manual: false, ct);
    }
}
