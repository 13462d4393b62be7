using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>
/// Matches queued license status changes (written by the DbContext with the change) against the enabled
/// "uninstalled" and "status changed" rules, and queues one email per (rule, license, change). The new outbox rows
/// and the removal of the status changes are one transaction, so running this twice queues nothing twice.
/// </summary>
public sealed class StatusChangeAlerts(IServiceScopeFactory scopes, SingletonLeases leases, TimeProvider time)
{
    public const string LeaseName = "alerts-status-changes";
    private const int BatchSize = 500;

    /// <summary>Returns how many emails were queued.</summary>
    public async Task<int> QueuePendingAsync(CancellationToken ct = default)
    {
        var queued = 0;
        await leases.RunAsync(LeaseName, async leaseCt =>
        {
            while (!leaseCt.IsCancellationRequested)
            {
                var (changes, count) = await QueueBatchAsync(leaseCt);
                queued += count;
                if (changes < BatchSize) break;
            }
        }, ct);
        return queued;
    }

    private async Task<(int Changes, int Queued)> QueueBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changes = await db.LicenseStatusChanges.OrderBy(c => c.Id).Take(BatchSize).ToListAsync(ct);
        if (changes.Count == 0) return (0, 0);

        var triggers = changes.Select(c => AlertRule.TriggerFor(c.ToStatus)).OfType<AlertTrigger>().Distinct().ToList();
        var rules = await db.AlertRules.AsNoTracking().Where(r => r.IsEnabled && triggers.Contains(r.Trigger)).ToListAsync(ct);
        var queued = 0;
        if (rules.Count > 0)
        {
            var licenseKeys = changes.Select(c => c.LicenseKey).Distinct().ToList();
            var packages = await db.Licenses.AsNoTracking().Where(l => licenseKeys.Contains(l.Id))
                .Select(l => new { l.Id, l.PackageKey }).ToDictionaryAsync(l => l.Id, l => l.PackageKey, ct);
            var wanted = (from c in changes
                          where packages.ContainsKey(c.LicenseKey)
                          from r in rules
                          where AlertRule.StatusOf(r.Trigger) == c.ToStatus && (r.PackageKey is null || r.PackageKey == packages[c.LicenseKey])
                          select (Rule: r.Id, License: c.LicenseKey, Occurrence: EmailMessage.StatusChangeOccurrence(c.Id))).ToList();
            var ruleKeys = wanted.Select(w => w.Rule).Distinct().ToList();
            var occurrences = wanted.Select(w => w.Occurrence).Distinct().ToList();
            var existing = (await db.EmailMessages.AsNoTracking()
                    .Where(m => ruleKeys.Contains(m.RuleKey) && occurrences.Contains(m.OccurrenceKey))
                    .Select(m => new { m.RuleKey, m.LicenseKey, m.OccurrenceKey }).ToListAsync(ct))
                .Select(m => (m.RuleKey, m.LicenseKey, m.OccurrenceKey)).ToHashSet();
            var now = time.GetUtcNow().UtcDateTime;
            foreach (var w in wanted.Where(w => !existing.Contains(w)))
            {
                db.EmailMessages.Add(new EmailMessage { RuleKey = w.Rule, LicenseKey = w.License, OccurrenceKey = w.Occurrence, Status = EmailStatus.Queued, NextAttemptAt = now });
                queued++;
            }
        }
        db.LicenseStatusChanges.RemoveRange(changes);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (changes.Count, queued);
    }
}
