using Hangfire;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>The daily "license expires soon" scan, then a send. Idempotent per (rule, license, expiration date).</summary>
public sealed class ExpiryAlertScanJob(ExpiryAlertScan scan, AlertEmailSender sender)
{
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(CancellationToken ct)
    {
        await scan.RunAsync(ct);
        await sender.SendDueAsync(ct);
    }
}
