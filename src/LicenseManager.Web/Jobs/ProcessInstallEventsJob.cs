using Hangfire;
using LicenseManager.Web.Features.Installs;

namespace LicenseManager.Web.Jobs;

/// <summary>The sweep: processes any pending install events, whichever node stored them. Safe to run twice.</summary>
public sealed class ProcessInstallEventsJob(InstallEventProcessor processor)
{
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)] // the next run a minute later is the retry
    public Task RunAsync(CancellationToken ct) => processor.ProcessPendingAsync(ct: ct);
}
