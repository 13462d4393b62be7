using LicenseManager.Core.Data;
using LicenseManager.Web.Infrastructure.Api;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.ApiKeys;

public sealed class ApiKeyUsageFlush(ApiKeyUsage usage, IServiceScopeFactory scopes, IOptions<LicensingApiOptions> options, ILogger<ApiKeyUsageFlush> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.LastUsedFlushSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushSafelyAsync(stoppingToken);
        }
        catch (OperationCanceledException) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushSafelyAsync(cancellationToken); // a clean shutdown loses nothing
    }

    private async Task FlushSafelyAsync(CancellationToken ct)
    {
        try { await FlushAsync(ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not record API key last-used times; they will be retried at the next flush");
        }
    }

    /// <summary>Writes the times seen since the last flush; never moves a last-used time backwards (several nodes flush).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var seen = usage.Drain();
        if (seen.Count == 0) return;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            foreach (var (id, at) in seen)
                await db.ApiKeys.Where(k => k.Id == id && (k.LastUsedAt == null || k.LastUsedAt < at))
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, at), ct);
        }
        catch
        {
            foreach (var (id, at) in seen) usage.Touch(id, at);
            throw;
        }
    }
}
