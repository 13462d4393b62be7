using Hangfire;

namespace LicenseManager.Web.Features.Installs;

/// <summary>Runs one queued Refresh Licenses. Safe to run twice: a finished refresh is not run again.</summary>
public sealed class RefreshLicensesJob(LicenseRefresher refresher)
{
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task RunAsync(long refreshId, CancellationToken ct) => refresher.RunAsync(refreshId, ct);
}
