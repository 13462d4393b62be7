using Hangfire;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Features.Packages;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Jobs;

/// <summary>Runs one queued Refresh Licenses. Safe to run twice: a finished refresh is not run again.</summary>
public sealed class RefreshLicensesJob(LicenseRefresher refresher)
{
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task RunAsync(long refreshId, CancellationToken ct) => refresher.RunAsync(refreshId, ct);
}

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
