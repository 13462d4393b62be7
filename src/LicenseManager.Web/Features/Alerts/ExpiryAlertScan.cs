using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>
/// The daily "license expires soon" scan. For each enabled rule it walks the licenses expiring from today to
/// today + N days (not Uninstalled, optionally one package) in keyset order over the indexed expiration date,
/// 1,000 at a time, and queues the emails not queued before: the outbox's unique (rule, license, "expires DATE")
/// key makes a second run on the same day, or the next day, queue nothing new for the same expiration date.
/// A license whose expiration date is moved gets a new occurrence, so it is reminded again.
/// A license already inside the window when a rule is switched on is reminded at the next scan.
/// </summary>
public sealed class ExpiryAlertScan(IServiceScopeFactory scopes, TimeProvider time, ILogger<ExpiryAlertScan> logger)
{
    public const string LeaseName = "alerts-expiry-scan";
    public const int BatchSize = 1000;
    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>What one scan did: whether it ran (another node may hold the scan), licenses in the rules' windows, emails queued.</summary>
    public sealed record Outcome(bool Ran, int Licenses, int Queued, TimeSpan Elapsed);

    /// <summary>Returns how many emails were queued.</summary>
    public async Task<int> RunAsync(CancellationToken ct = default) => (await ScanAsync(ct)).Queued;

    public async Task<Outcome> ScanAsync(CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var leaseScope = scopes.CreateAsyncScope();
        var leaseDb = leaseScope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        var lease = TimeSpan.FromMinutes(10);
        if (!await DbLease.TryAcquireAsync(leaseDb, LeaseName, _owner, lease, time.GetUtcNow().UtcDateTime, ct))
            return new Outcome(false, 0, 0, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        var queued = 0;
        var scanned = 0;
        try
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var rules = await leaseDb.AlertRules.AsNoTracking()
                .Where(r => r.IsEnabled && r.Trigger == AlertTrigger.LicenseExpiresSoon && r.DaysBefore != null)
                .OrderBy(r => r.Id).ToListAsync(ct);
            foreach (var rule in rules)
            {
                DateOnly? lastDate = null;
                long lastId = 0;
                while (!ct.IsCancellationRequested)
                {
                    var (count, batchQueued, last) = await QueueBatchAsync(rule, today, lastDate, lastId, ct);
                    queued += batchQueued;
                    scanned += count;
                    if (count < BatchSize) break;
                    (lastDate, lastId) = last;
                    await DbLease.TryAcquireAsync(leaseDb, LeaseName, _owner, lease, time.GetUtcNow().UtcDateTime, ct);
                }
            }
        }
        finally
        {
            await DbLease.ReleaseAsync(leaseDb, LeaseName, _owner, CancellationToken.None);
        }
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        logger.LogInformation("Expiry scan: {Licenses} licenses in the rules' windows, {Count} alert emails queued, in {Ms:F0} ms", scanned, queued, elapsed.TotalMilliseconds);
        return new Outcome(true, scanned, queued, elapsed);
    }

    private async Task<(int Count, int Queued, (DateOnly?, long) Last)> QueueBatchAsync(AlertRule rule, DateOnly today, DateOnly? lastDate, long lastId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        DateOnly? from = today, to = today.AddDays(rule.DaysBefore!.Value);
        var licenses = db.Licenses.AsNoTracking()
            .Where(l => l.ExpirationDate >= from && l.ExpirationDate <= to && l.Status != LicenseStatus.Uninstalled);
        if (rule.PackageKey is { } package) licenses = licenses.Where(l => l.PackageKey == package);
        if (lastDate is not null) licenses = licenses.Where(l => l.ExpirationDate > lastDate || (l.ExpirationDate == lastDate && l.Id > lastId));
        var batch = await licenses.OrderBy(l => l.ExpirationDate).ThenBy(l => l.Id)
            .Select(l => new { l.Id, l.ExpirationDate }).Take(BatchSize).ToListAsync(ct);
        if (batch.Count == 0) return (0, 0, (lastDate, lastId));

        var ids = batch.Select(l => l.Id).ToList();
        var existing = (await db.EmailMessages.AsNoTracking()
                .Where(m => m.RuleKey == rule.Id && ids.Contains(m.LicenseKey))
                .Select(m => new { m.LicenseKey, m.OccurrenceKey }).ToListAsync(ct))
            .Select(m => (m.LicenseKey, m.OccurrenceKey)).ToHashSet();
        var now = time.GetUtcNow().UtcDateTime;
        var queued = 0;
        foreach (var license in batch)
        {
            var occurrence = EmailMessage.ExpiryOccurrence(license.ExpirationDate!.Value);
            if (existing.Contains((license.Id, occurrence))) continue;
            db.EmailMessages.Add(new EmailMessage { RuleKey = rule.Id, LicenseKey = license.Id, OccurrenceKey = occurrence, Status = EmailStatus.Queued, NextAttemptAt = now });
            queued++;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (queued > 0)
        {
            // Someone queued some of these meanwhile (the lease expired under a slow scan): queue the rest one by one.
            db.ChangeTracker.Clear();
            queued = await QueueOneByOneAsync(rule.Id, batch.Select(l => (l.Id, EmailMessage.ExpiryOccurrence(l.ExpirationDate!.Value))), now, ct);
        }
        var lastRow = batch[^1];
        return (batch.Count, queued, (lastRow.ExpirationDate, lastRow.Id));
    }

    private async Task<int> QueueOneByOneAsync(long ruleKey, IEnumerable<(long License, string Occurrence)> rows, DateTime now, CancellationToken ct)
    {
        var queued = 0;
        foreach (var (license, occurrence) in rows)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            if (await db.EmailMessages.AnyAsync(m => m.RuleKey == ruleKey && m.LicenseKey == license && m.OccurrenceKey == occurrence, ct)) continue;
            db.EmailMessages.Add(new EmailMessage { RuleKey = ruleKey, LicenseKey = license, OccurrenceKey = occurrence, Status = EmailStatus.Queued, NextAttemptAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
                queued++;
            }
            catch (DbUpdateException) { /* queued by the other node */ }
        }
        return queued;
    }
}
