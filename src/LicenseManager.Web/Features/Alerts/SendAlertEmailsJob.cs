using Hangfire;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>
/// The outbox sweep, every minute: queues emails for license status changes, then sends whatever is due
/// (including retries and rows left pending by a restart). Safe to run twice and on several nodes: each step holds
/// its own singleton lease (no Hangfire distributed lock, which a killed node would leave behind for minutes).
/// </summary>
public sealed class SendAlertEmailsJob(StatusChangeAlerts statusChanges, AlertEmailSender sender)
{
    [AutomaticRetry(Attempts = 0)] // the next run a minute later is the retry
    public async Task RunAsync(CancellationToken ct)
    {
        await statusChanges.QueuePendingAsync(ct);
        await sender.SendDueAsync(ct);
    }
}
