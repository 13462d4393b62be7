using Hangfire;
using LicenseManager.Web.Infrastructure;

namespace LicenseManager.Web.Features.Dashboard;

/// <summary>
/// Every minute: recomputes the dashboard snapshots whose refresh period has passed (<see cref="DashboardSnapshots.RefreshAsync"/>).
/// One node at a time through a singleton lease; a second run in the same period computes nothing.
/// </summary>
public sealed class DashboardSnapshotJob(DashboardSnapshots snapshots, SingletonLeases leases)
{
    public const string LeaseName = "dashboard-snapshot";

    [AutomaticRetry(Attempts = 0)] // the next run a minute later is the retry
    public Task RunAsync(CancellationToken ct) => leases.RunAsync(LeaseName, snapshots.RefreshAsync, ct);
}
