namespace LicenseManager.Web.Features.Installs;

/// <summary>
/// Keeps this node's processor running: wakes on a nudge from the ingest endpoint (a new license appears within
/// a second) and polls every few seconds for events stored on another node or left pending by a restart.
/// </summary>
public sealed class InstallEventPump(InstallEventProcessor processor, InstallEventSignal signal, ILogger<InstallEventPump> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(3);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await processor.ProcessPendingAsync(ct: stoppingToken);
                await signal.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database may be briefly unreachable; the events stay pending and are picked up on the next pass.
                logger.LogError(e, "Install event processing pass failed; retrying shortly");
                await Task.Delay(PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
