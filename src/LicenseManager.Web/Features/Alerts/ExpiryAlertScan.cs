using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>
/// The daily "license expires soon" scan. For each enabled rule, and each expiration date from today to
/// today + N days, one set-based statement queues a reminder for every license expiring that day (not Uninstalled,
/// optionally one package) that has none queued yet: the database does the work over the indexed expiration date,
/// so a scan costs a few statements per rule whatever the number of licenses. The outbox's unique
/// (rule, license, "expires DATE") key makes a second run on the same day, or the next day, queue nothing new for
/// the same expiration date. A license whose expiration date is moved gets a new occurrence, so it is reminded again.
/// A license already inside the window when a rule is switched on is reminded at the next scan.
/// </summary>
public sealed class ExpiryAlertScan(IServiceScopeFactory scopes, SingletonLeases leases, TimeProvider time, ILogger<ExpiryAlertScan> logger)
{
    public const string LeaseName = "alerts-expiry-scan";

    /// <summary>What one scan did: whether it ran (another node may hold the scan), licenses in the rules' windows, emails queued.</summary>
    public sealed record Outcome(bool Ran, int Licenses, int Queued, TimeSpan Elapsed);

    /// <summary>Returns how many emails were queued.</summary>
    public async Task<int> RunAsync(CancellationToken ct = default) => (await ScanAsync(ct)).Queued;

    public async Task<Outcome> ScanAsync(CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var queued = 0;
        var inWindow = 0;
        var run = await leases.RunAsync(LeaseName, async leaseCt =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var rules = await db.AlertRules.AsNoTracking()
                .Where(r => r.IsEnabled && r.Trigger == AlertTrigger.LicenseExpiresSoon && r.DaysBefore != null)
                .OrderBy(r => r.Id).ToListAsync(leaseCt);
            var who = scope.ServiceProvider.GetService<IActorAccessor>()?.Current.Name ?? Actor.System.Name;
            foreach (var rule in rules)
            {
                // The window's bounds and the status left out come from the license rules; the statements take them as parameters.
                var window = LicenseRules.ExpiryWindowFor(today, rule.DaysBefore!.Value);
                DateOnly? from = window.From, to = window.To;
                var excluded = LicenseRules.NotRemindedOfExpiry;
                var licenses = db.Licenses.Where(l => l.ExpirationDate >= from && l.ExpirationDate <= to && l.Status != excluded);
                if (rule.PackageKey is { } package) licenses = licenses.Where(l => l.PackageKey == package);
                inWindow += await licenses.CountAsync(leaseCt);
                foreach (var day in window.Days)
                    queued += await QueueDayAsync(db, rule, day, who, leaseCt);
            }
        }, ct);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (run == LeaseRun.NotAcquired) return new Outcome(false, 0, 0, elapsed);
        logger.LogInformation("Expiry scan{Partly}: {Licenses} licenses in the rules' windows, {Count} alert emails queued, in {Ms:F0} ms",
            run == LeaseRun.Lost ? " (stopped: lease lost)" : "", inWindow, queued, elapsed.TotalMilliseconds);
        return new Outcome(true, inWindow, queued, elapsed);
    }

    /// <summary>Queues the rule's reminder for every license expiring on <paramref name="day"/> that has none yet.</summary>
    private async Task<int> QueueDayAsync(LicenseManagerDbContext db, AlertRule rule, DateOnly day, string who, CancellationToken ct)
    {
        var occurrence = EmailMessage.ExpiryOccurrence(day);
        var now = time.GetUtcNow().UtcDateTime;
        // SQLite and PostgreSQL skip what is queued already with ON CONFLICT on the outbox's unique key: each row costs
        // one probe of that index whatever the table's statistics say (a NOT EXISTS join planned on stale statistics
        // of a just-filled outbox scans it once per license). SQL Server has no ON CONFLICT: NOT EXISTS there.
        var onConflict = !db.Database.IsSqlServer();
        var packageFilter = rule.PackageKey is null ? "" : """ AND l."PackageKey" = {5}""";
        var skipQueued = onConflict
            ? " ON CONFLICT DO NOTHING"
            : """ AND NOT EXISTS (SELECT 1 FROM "EmailMessages" m WHERE m."RuleKey" = {0} AND m."LicenseKey" = l."Id" AND m."OccurrenceKey" = {1})""";
        var sql = """
            INSERT INTO "EmailMessages" ("RuleKey", "LicenseKey", "OccurrenceKey", "Status", "Attempts", "NextAttemptAt",
                                         "CreatedAt", "CreatedBy", "LastModifiedAt", "LastModifiedBy")
            SELECT {0}, l."Id", {1}, {2}, 0, {3}, {3}, {4}, {3}, {4}
            FROM "Licenses" l
            WHERE l."ExpirationDate" = {6} AND l."Status" <> {7}
            """ + packageFilter + skipQueued;
        object[] parameters = [rule.Id, occurrence, (int)EmailStatus.Queued, now, who, rule.PackageKey ?? 0L, day, (int)LicenseRules.NotRemindedOfExpiry];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Plain SQL (EF has no INSERT ... SELECT); the values are parameters.
                return await db.Database.ExecuteSqlRawAsync(sql, parameters, ct);
            }
            catch (System.Data.Common.DbException) when (attempt < 3)
            {
                // Someone queued some of these meanwhile (another node's scan that took over a lost lease hit the unique
                // key): the next attempt skips what is queued now.
            }
        }
    }
}
