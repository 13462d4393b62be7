using Hangfire;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Installs;

/// <summary>
/// The sweep: processes any pending install events, whichever node stored them, and puts back in the queue any
/// Refresh Licenses whose job was lost (in-memory job storage restarted, a node died mid-run). Safe to run twice.
/// </summary>
public sealed class ProcessInstallEventsJob(InstallEventProcessor processor, LicenseManagerDbContext db, IBackgroundJobClient jobs, SingletonLeases leases, TimeProvider time)
{
    public const string LeaseName = "install-events-sweep";
    private static readonly TimeSpan QueuedTooLong = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunningTooLong = TimeSpan.FromMinutes(30);

    // One sweep at a time across the nodes through a singleton lease, not Hangfire's DisableConcurrentExecution:
    // its lock row outlives a killed node for the storage's lock timeout (10 minutes on PostgreSQL).
    [AutomaticRetry(Attempts = 0)] // the next run a minute later is the retry
    public async Task RunAsync(CancellationToken ct)
    {
        await leases.RunAsync(LeaseName, async leaseCt =>
        {
            await processor.ProcessPendingAsync(ct: leaseCt);
            await RequeueAbandonedRefreshesAsync(leaseCt);
        }, ct);
    }

    internal async Task<int> RequeueAbandonedRefreshesAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var (queuedBefore, startedBefore) = (now - QueuedTooLong, now - RunningTooLong);
        var abandoned = await db.LicenseRefreshes
            .Where(r => (r.State == RefreshState.Queued && r.RequestedAt < queuedBefore) || (r.State == RefreshState.Running && r.StartedAt < startedBefore))
            .Select(r => r.Id).ToListAsync(ct);
        foreach (var id in abandoned)
        {
            // Back to Queued with a fresh request time, so the next sweep doesn't queue it twice.
            var claimed = await db.LicenseRefreshes.Where(r => r.Id == id && r.State != RefreshState.Done && r.State != RefreshState.Failed)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, RefreshState.Queued).SetProperty(r => r.RequestedAt, now), ct);
            if (claimed == 1) jobs.Enqueue<RefreshLicensesJob>(j => j.RunAsync(id, CancellationToken.None));
        }
        return abandoned.Count;
    }
}
