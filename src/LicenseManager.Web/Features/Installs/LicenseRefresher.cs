using System.Text;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Core.Domain.Lifecycle;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Installs;

/// <summary>
/// Refresh Licenses (guide): reconciles a package's installation log with its license records. Held installs are
/// retried through the processor (creating missing licenses); then every org's done events are replayed through the
/// same lifecycle the processor applies (<see cref="LicenseLifecycle.Reconcile"/>) and licenses that drifted from what
/// the platform said (installed or not, package version, org fields, used licenses) are corrected. Fields the ISV owns
/// (seats, expiration, Trial/Active/Suspended) are left alone.
/// </summary>
public sealed class LicenseRefresher(IServiceScopeFactory scopes, InstallEventProcessor processor, TimeProvider time, ILogger<LicenseRefresher> logger)
{
    private const int OrgChunk = 1000;
    private const int MaxDetailLines = 200;

    public async Task RunAsync(long refreshId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        var refresh = await db.LicenseRefreshes.FirstOrDefaultAsync(r => r.Id == refreshId, ct);
        if (refresh is null || refresh.State is RefreshState.Done) return; // a second run of a finished refresh changes nothing

        refresh.State = RefreshState.Running;
        refresh.StartedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        try
        {
            var (replayed, created, updated, details) = await ReconcileAsync(refresh.PackageKey, ct);
            refresh.EventsReplayed = replayed;
            refresh.LicensesCreated = created;
            refresh.LicensesUpdated = updated;
            refresh.Details = details;
            refresh.State = RefreshState.Done;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Refresh {RefreshId} failed", refreshId);
            refresh.State = RefreshState.Failed;
            refresh.Error = InstallEventProcessor.Truncate(e.GetBaseException().Message, 2048);
        }
        refresh.FinishedAt = time.GetUtcNow().UtcDateTime;
        // A failed refresh doesn't use up the week: Last License Refresh stays the last one that finished.
        var lastRefresh = refresh.State == RefreshState.Done
            ? refresh.FinishedAt
            : await db.LicenseRefreshes.Where(r => r.PackageKey == refresh.PackageKey && r.State == RefreshState.Done)
                .MaxAsync(r => r.FinishedAt, ct);
        await db.Packages.Where(p => p.Id == refresh.PackageKey)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastLicenseRefreshAt, lastRefresh), ct);
        await db.SaveChangesAsync(ct);
    }

    private async Task<(int Replayed, int Created, int Updated, string Details)> ReconcileAsync(long packageKey, CancellationToken ct)
    {
        var details = new StringBuilder();
        var lines = 0;
        void Note(string line)
        {
            if (lines++ < MaxDetailLines) details.AppendLine(line);
        }

        // 1. Installs held or pending for this package get another go, through the same processor.
        int before;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            before = await db.Licenses.CountAsync(l => l.PackageKey == packageKey, ct);
            await db.ReleaseHeldAsync(packageKey, ct);
        }
        await DrainAsync(packageKey, ct);

        // 2. Fold each org's log and correct what drifted, a chunk of orgs at a time.
        var replayed = 0;
        var updated = 0;
        var recreated = 0;
        string? lastOrg = null;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            var orgs = await db.InstallEvents.AsNoTracking()
                .Where(e => e.PackageKey == packageKey && e.OrgId != null && (lastOrg == null || string.Compare(e.OrgId, lastOrg) > 0))
                .Select(e => e.OrgId!).Distinct().OrderBy(o => o).Take(OrgChunk).ToListAsync(ct);
            if (orgs.Count == 0) break;
            var (first, last) = (orgs[0], orgs[^1]);
            lastOrg = last;

            var events = await db.InstallEvents.AsNoTracking()
                .Where(e => e.PackageKey == packageKey && e.State == InstallEventState.Done
                            && string.Compare(e.OrgId, first) >= 0 && string.Compare(e.OrgId, last) <= 0)
                .ToListAsync(ct);
            // Read untracked: most licenses match their log, and tracking a thousand of them per chunk only to find
            // nothing changed is most of a refresh's cost. The ones that drifted are loaded tracked below and corrected.
            var licenses = await db.Licenses.AsNoTracking()
                .Where(l => l.PackageKey == packageKey && string.Compare(l.SubscriberOrgId, first) >= 0 && string.Compare(l.SubscriberOrgId, last) <= 0)
                .ToDictionaryAsync(l => l.SubscriberOrgId, ct);
            var versions = await db.PackageVersions.Where(v => v.PackageKey == packageKey).ToDictionaryAsync(v => v.VersionId, ct);
            var package = await db.Packages.FirstAsync(p => p.Id == packageKey, ct);
            var missing = new List<long>();
            var drifted = new Dictionary<long, List<LicenseEvent>>();

            foreach (var org in events.GroupBy(e => e.OrgId!))
            {
                replayed += org.Count();
                if (!licenses.TryGetValue(org.Key, out var license))
                {
                    if (org.Any(e => e.Type == InstallEventType.Install) && !org.Any(e => e.HoldCode == HoldCodes.LicenseDeleted)) missing.AddRange(org.Select(e => e.Id));
                    continue;
                }
                var log = org.OrderBy(e => e.Id).Select(e => InstallEventRequest.Read(e).ToLicenseEvent(e, versions.GetValueOrDefault(e.PackageVersionId ?? ""))).ToList();
                // A dry run on the untracked copy: does the log disagree with this license?
                if (LicenseLifecycle.Reconcile(license, package.Defaults, log).Count > 0) drifted[license.Id] = log;
            }
            if (drifted.Count > 0)
            {
                var ids = drifted.Keys.ToList();
                foreach (var license in await db.Licenses.Include(l => l.PackageVersion).Where(l => ids.Contains(l.Id)).OrderBy(l => l.Id).ToListAsync(ct))
                {
                    var changes = LicenseLifecycle.Reconcile(license, package.Defaults, drifted[license.Id]);
                    if (changes.Count == 0) continue;
                    updated++;
                    Note($"License {license.Id} (org {license.SubscriberOrgId}): {string.Join(", ", changes)}");
                }
                await db.SaveChangesAsync(ct);
            }

            if (missing.Count > 0)
            {
                // The log says these orgs installed but their license is gone: replay their events to rebuild it.
                await db.InstallEvents.Where(e => missing.Contains(e.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.State, InstallEventState.Pending), ct);
                await DrainAsync(packageKey, ct);
                recreated += missing.Count;
            }
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            var created = await db.Licenses.CountAsync(l => l.PackageKey == packageKey, ct) - before;
            var stillHeld = await db.InstallEvents.CountAsync(e => e.PackageKey == packageKey && e.State == InstallEventState.Held, ct);
            if (created > 0) Note($"{created} license(s) created from installs that had no license.");
            if (stillHeld > 0) Note($"{stillHeld} install event(s) are still held: see the package's Troubleshooting page.");
            if (lines > MaxDetailLines) details.AppendLine($"… and {lines - MaxDetailLines} more.");
            return (replayed, Math.Max(created, 0), updated, details.ToString());
        }
    }

    /// <summary>
    /// Runs the processor until this package has no pending events. When the pump (or another node) is already
    /// processing, the call returns at once, so wait for it rather than reconcile beside it.
    /// </summary>
    private async Task DrainAsync(long packageKey, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromMinutes(10);
        while (true)
        {
            await processor.ProcessPendingAsync(ct: ct);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            if (!await db.EventsOfPackage(packageKey).AnyAsync(e => e.State == InstallEventState.Pending, ct))
                return;
            if (time.GetUtcNow() > deadline) throw new TimeoutException("Install events of this package were still being processed after 10 minutes; run the refresh again later.");
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }
}
