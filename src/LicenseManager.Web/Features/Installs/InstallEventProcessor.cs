using System.Diagnostics;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Core.Domain.Lifecycle;
using LicenseManager.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Installs;

/// <summary>
/// Turns pending installation-log rows into packages, versions, leads and licenses, in batches.
/// Each batch is one transaction that also marks its rows done or held, so a crash or a second run changes
/// nothing twice; a batch that fails is retried event by event so one bad event holds only itself.
/// One processor runs at a time across all nodes (a <see cref="SingletonLeases"/> lease, taken over within seconds when its holder dies).
/// </summary>
public sealed class InstallEventProcessor(IServiceScopeFactory scopes, SingletonLeases leases, SqliteWriteGate gate, TimeProvider time, ILogger<InstallEventProcessor> logger)
{
    public const string LeaseName = "install-event-processor";
    public const int DefaultBatchSize = 500;
    // The singleton lease keeps other nodes out; this keeps a second caller in this process (the pump and the
    // sweep job) from waiting on the lease beside the first.
    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>
    /// Processes pending events until none are left. Returns how many were processed (done or held), or 0 when
    /// another caller (here or on another node) is already processing: it keeps going until the queue is empty.
    /// </summary>
    public async Task<int> ProcessPendingAsync(int batchSize = DefaultBatchSize, CancellationToken ct = default)
    {
        if (!await _running.WaitAsync(0, ct)) return 0;
        try
        {
            // Nothing pending: no lease to take (the pump asks every few seconds on every node).
            await using (var scope = scopes.CreateAsyncScope())
                if (!await scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>().InstallEvents.AnyAsync(e => e.State == InstallEventState.Pending, ct))
                    return 0;
            var total = 0;
            await leases.RunAsync(LeaseName, async leaseCt => total = await ProcessUnderLeaseAsync(batchSize, leaseCt, n => total = n), ct);
            return total;
        }
        finally
        {
            _running.Release();
        }
    }

    /// <param name="ct">Fires when the lease is lost (or the caller gives up): the batch in flight rolls back.</param>
    private async Task<int> ProcessUnderLeaseAsync(int batchSize, CancellationToken ct, Action<int> progress)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        var total = 0;
        while (!ct.IsCancellationRequested)
        {
            var ids = await db.InstallEvents.AsNoTracking()
                .Where(e => e.State == InstallEventState.Pending)
                .OrderBy(e => e.Id).Select(e => e.Id).Take(batchSize).ToListAsync(ct);
            if (ids.Count == 0) break;

            if (await TryApplyAsync(ids, ct) is not null)
                foreach (var id in ids) // isolate the event that broke the batch
                    if (await TryApplyAsync([id], ct) is { } error) await HoldAsFailedAsync(id, error, ct);

            total += ids.Count;
            progress(total);
        }
        return total;
    }

    /// <returns>Null when the events were applied and committed; otherwise what went wrong (nothing was committed).</returns>
    /// <remarks>
    /// Reads and applies first, then writes in a short transaction: on SQLite the write lock is held only while the
    /// result is saved, so the ingest endpoint's appends are not held up behind the whole batch. Reading before the
    /// transaction is safe: only this processor (under its lease) changes pending events, and a license a page changed
    /// meanwhile fails the save on its version (concurrency token), which retries the events one by one on fresh data.
    /// </remarks>
    private async Task<Exception?> TryApplyAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        try
        {
            var started = Stopwatch.GetTimestamp();
            var batch = await db.InstallEvents.Where(e => ids.Contains(e.Id) && e.State == InstallEventState.Pending).ToListAsync(ct);
            if (batch.Count == 0) return null;
            var applier = new InstallEventApplier(db, time.GetUtcNow().UtcDateTime);
            await applier.ApplyAsync(batch, ct);
            var applied = Stopwatch.GetElapsedTime(started);
            var written = 0;
            var stages = new double[3];
            using (db.Database.IsSqlite() ? await gate.EnterAsync(ct) : null)
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                // New leads and licenses and the batch's log rows set-based, then the rest (changed licenses with
                // their history, packages, versions) through EF, then the held events this batch freed.
                var stage = Stopwatch.GetTimestamp();
                written = await InstallBatchWriter.WriteAsync(db, ct);
                stages[0] = Stopwatch.GetElapsedTime(stage).TotalMilliseconds;
                stage = Stopwatch.GetTimestamp();
                await db.SaveChangesAsync(ct);
                stages[1] = Stopwatch.GetElapsedTime(stage).TotalMilliseconds;
                stage = Stopwatch.GetTimestamp();
                await applier.ReleaseWaitingAsync(ct);
                await tx.CommitAsync(ct);
                stages[2] = Stopwatch.GetElapsedTime(stage).TotalMilliseconds;
            }
            // Per-stage timings for profiling (Logging:LogLevel:LicenseManager.Web.Features.Installs=Debug).
            logger.LogDebug("Applied {Count} install events in {Total:F0} ms: read and applied {Applied:F0} ms, set-based write of {Written} rows {Bulk:F0} ms, " +
                            "EF {Ef:F0} ms, release and commit {Commit:F0} ms", batch.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                applied.TotalMilliseconds, written, stages[0], stages[1], stages[2]);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Install event batch of {Count} failed; {Next}", ids.Count, ids.Count > 1 ? "retrying one by one" : "holding the event");
            return e;
        }
    }

    private async Task HoldAsFailedAsync(long id, Exception error, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        var reason = Truncate($"Processing failed: {error.GetBaseException().Message}", 1024);
        await db.InstallEvents.Where(e => e.Id == id && e.State == InstallEventState.Pending).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.State, InstallEventState.Held)
            .SetProperty(e => e.HoldCode, HoldCodes.Failed)
            .SetProperty(e => e.HoldReason, reason)
            .SetProperty(e => e.Attempts, e => e.Attempts + 1)
            .SetProperty(e => e.ProcessedAt, time.GetUtcNow().UtcDateTime), ct);
    }

    internal static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}

/// <summary>
/// Applies a batch of events to the tracked entities of one DbContext (Refresh Licenses rebuilds missing licenses
/// through it too). What an event does to a license is <see cref="LicenseLifecycle.Apply"/>; this class finds the
/// license, holds what can't apply yet, creates the lead of a new license and keeps packages and versions.
/// Idempotent: applying an event whose effect is already there changes nothing.
/// </summary>
internal sealed class InstallEventApplier(LicenseManagerDbContext db, DateTime now)
{
    private readonly Dictionary<string, PackageVersion?> _versions = new();
    private readonly Dictionary<(long Package, string Org), License?> _licenses = new();
    private readonly HashSet<(long Package, string Org)> _blocked = new();
    private readonly Dictionary<string, Package> _packagesById = new();
    private readonly HashSet<(long Package, string Org)> _installed = new();
    // Held events this batch frees, set back to pending by ReleaseWaitingAsync inside the write transaction.
    private readonly List<long> _release = new();
    private readonly List<string> _uploadedVersions = new();

    public async Task ApplyAsync(IReadOnlyList<InstallEvent> batch, CancellationToken ct)
    {
        await PreloadAsync(batch, ct);
        // Uploads first: a version is a catalogue fact, and an install or upgrade in the same batch may name it
        // even when the upload's timestamp is later. Then org events in the order they happened.
        foreach (var e in batch.OrderBy(e => e.Type == InstallEventType.PackageVersionUploaded ? 0 : 1).ThenBy(e => e.OccurredAt).ThenBy(e => e.Id))
        {
            e.Attempts++;
            e.ProcessedAt = now;
            var request = InstallEventRequest.Read(e);
            if (e.Type == InstallEventType.PackageVersionUploaded)
                await ApplyUploadAsync(e, request, ct);
            else
                ApplyOrgEvent(e, request);
        }
        await FindWaitingAsync(batch, ct);
    }

    /// <summary>
    /// Sets the held events this batch freed back to pending; call inside the transaction that saves the batch, after
    /// saving it. Installs that arrived before their version was uploaded, and events of an org that waited for its
    /// install (held as unknown license, or behind one), go back to the queue.
    /// </summary>
    public async Task ReleaseWaitingAsync(CancellationToken ct)
    {
        foreach (var version in _uploadedVersions)
            await db.InstallEvents
                .Where(h => h.State == InstallEventState.Held && h.HoldCode == HoldCodes.UnknownPackageVersion && h.PackageVersionId == version)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.State, InstallEventState.Pending), ct);
        foreach (var chunk in _release.Chunk(1000))
            await db.InstallEvents.Where(h => chunk.Contains(h.Id) && h.State == InstallEventState.Held)
                .ExecuteUpdateAsync(x => x.SetProperty(h => h.State, InstallEventState.Pending), ct);
    }

    /// <summary>
    /// Events of an org that waited for its install (held as unknown license, or behind one) go back to the queue
    /// once the install has given the org a license: those in this batch at once, the stored ones by <see cref="ReleaseWaitingAsync"/>.
    /// </summary>
    private async Task FindWaitingAsync(IReadOnlyList<InstallEvent> batch, CancellationToken ct)
    {
        if (_installed.Count == 0) return;
        foreach (var e in batch.Where(e => e.State == InstallEventState.Held && e.HoldCode is HoldCodes.UnknownLicense or HoldCodes.WaitingForEarlierEvent
                                           && (e.Package?.Id ?? e.PackageKey) is { } p && _installed.Contains((p, e.OrgId!))))
            e.State = InstallEventState.Pending;
        // One query for the whole batch (not one per license: on a server each is a round trip), then exactly the
        // (package, org) pairs that were installed.
        var packageKeys = _installed.Select(k => k.Package).Distinct().ToList();
        var orgIds = _installed.Select(k => k.Org).Distinct().ToList();
        var waiting = (await db.InstallEvents.AsNoTracking()
                .Where(h => h.State == InstallEventState.Held && (h.HoldCode == HoldCodes.UnknownLicense || h.HoldCode == HoldCodes.WaitingForEarlierEvent)
                            && h.PackageKey != null && packageKeys.Contains(h.PackageKey.Value) && orgIds.Contains(h.OrgId!))
                .Select(h => new { h.Id, h.PackageKey, h.OrgId }).ToListAsync(ct))
            .Where(h => _installed.Contains((h.PackageKey!.Value, h.OrgId!)))
            .Select(h => h.Id);
        _release.AddRange(waiting);
    }

    private async Task PreloadAsync(IReadOnlyList<InstallEvent> batch, CancellationToken ct)
    {
        var versionIds = batch.Where(e => e.PackageVersionId is not null).Select(e => e.PackageVersionId!).Distinct().ToList();
        var versions = await db.PackageVersions.Include(v => v.Package).ThenInclude(p => p.LeadManager)
            .Where(v => versionIds.Contains(v.VersionId)).ToListAsync(ct);
        foreach (var v in versions) _versions[v.VersionId] = v;

        var packageKeys = versions.Select(v => v.PackageKey).Distinct().ToList();
        var orgIds = batch.Where(e => e.OrgId is not null).Select(e => e.OrgId!).Distinct().ToList();
        if (packageKeys.Count > 0 && orgIds.Count > 0)
        {
            var licenses = await db.Licenses.Where(l => packageKeys.Contains(l.PackageKey) && orgIds.Contains(l.SubscriberOrgId)).ToListAsync(ct);
            foreach (var l in licenses) _licenses[(l.PackageKey, l.SubscriberOrgId)] = l;
            // Events must apply in order per org: an org with an earlier held event waits behind it.
            // Events held only because no install had arrived yet don't block the install that creates the license.
            var held = await db.InstallEvents.AsNoTracking()
                .Where(h => h.State == InstallEventState.Held && h.HoldCode != HoldCodes.UnknownLicense
                            && h.PackageKey != null && packageKeys.Contains(h.PackageKey.Value) && orgIds.Contains(h.OrgId!))
                .Select(h => new { h.PackageKey, h.OrgId }).Distinct().ToListAsync(ct);
            foreach (var h in held) _blocked.Add((h.PackageKey!.Value, h.OrgId!));
        }
    }

    private async Task ApplyUploadAsync(InstallEvent e, InstallEventRequest r, CancellationToken ct)
    {
        var p = r.Package!;
        if (!_packagesById.TryGetValue(p.PackageId!, out var package))
        {
            package = await db.Packages.Include(x => x.LeadManager).FirstOrDefaultAsync(x => x.PackageId == p.PackageId, ct);
            if (package is null)
            {
                package = new Package { PackageId = p.PackageId!, ReleaseDate = r.PackageVersion!.ReleaseDate ?? DateOnly.FromDateTime(e.OccurredAt) };
                db.Packages.Add(package);
            }
            _packagesById[p.PackageId!] = package;
        }
        package.Name = p.Name!;
        package.DeveloperName = p.DeveloperName!;
        package.DeveloperOrgId = p.DeveloperOrgId!;

        var v = r.PackageVersion!;
        if (!_versions.TryGetValue(v.VersionId!, out var version) || version is null)
            version = await db.PackageVersions.FirstOrDefaultAsync(x => x.VersionId == v.VersionId, ct);
        if (version is null)
        {
            version = new PackageVersion { VersionId = v.VersionId!, Package = package };
            db.PackageVersions.Add(version);
        }
        version.Name = v.Name!;
        version.VersionNumber = v.Version!;
        version.VersionSortKey = PackageVersion.SortKeyOf(v.Version!) ?? 0;
        version.Beta = v.Beta ?? false;
        version.ReleaseDate = v.ReleaseDate ?? DateOnly.FromDateTime(e.OccurredAt);
        _versions[version.VersionId] = version;

        await UpdateLatestVersionAsync(package, version, ct);
        Done(e, package);

        // Installs that arrived before this version was known can go now (same transaction as the upload).
        _uploadedVersions.Add(version.VersionId);
    }

    private async Task UpdateLatestVersionAsync(Package package, PackageVersion uploaded, CancellationToken ct)
    {
        // Versions already saved plus those uploaded earlier in this batch (tracked, not yet saved).
        var saved = package.Id == 0
            ? []
            : await db.PackageVersions.AsNoTracking().Where(x => x.PackageKey == package.Id)
                .Select(x => new { x.VersionId, x.VersionNumber, x.VersionSortKey, x.Beta }).ToListAsync(ct);
        var tracked = db.ChangeTracker.Entries<PackageVersion>().Select(e => e.Entity).Where(v => v.Package == package || (package.Id != 0 && v.PackageKey == package.Id));
        var all = saved.Select(x => (x.VersionId, x.VersionNumber, x.VersionSortKey, x.Beta))
            .Where(x => tracked.All(t => t.VersionId != x.VersionId))
            .Concat(tracked.Select(v => (v.VersionId, v.VersionNumber, v.VersionSortKey, v.Beta)))
            .ToList();
        var latest = all.Where(x => !x.Beta).OrderByDescending(x => x.VersionSortKey).FirstOrDefault();
        if (latest.VersionNumber is null) latest = all.OrderByDescending(x => x.VersionSortKey).First();
        package.LatestVersion = latest.VersionNumber;
    }

    private void ApplyOrgEvent(InstallEvent e, InstallEventRequest r)
    {
        if (!_versions.TryGetValue(e.PackageVersionId!, out var version) || version is null)
        {
            Hold(e, HoldCodes.UnknownPackageVersion,
                $"Package version {e.PackageVersionId} is unknown: no package-version-uploaded event has been received for it.");
            return;
        }
        var package = version.Package;
        e.Package = package;
        var key = (package.Id, e.OrgId!);
        if (!package.IsAssociated)
        {
            Hold(e, HoldCodes.PackageNotAssociated,
                $"Package {package.Name} is not associated with the LMA yet. Associate it, or run Refresh Licenses after associating, to create this license.");
            _blocked.Add(key);
            return;
        }
        if (_blocked.Contains(key))
        {
            Hold(e, HoldCodes.WaitingForEarlierEvent, $"Waiting for an earlier held event of org {e.OrgId} for this package.");
            return;
        }

        _licenses.TryGetValue(key, out var license);
        if (license is null && e.Type == InstallEventType.Install && package.LeadManager is { IsActive: false } manager)
        {
            Hold(e, HoldCodes.LeadManagerInactive, $"Lead manager {DisplayName(manager)} is not an active user.");
            _blocked.Add(key);
            return;
        }
        var result = LicenseLifecycle.Apply(license, package.Defaults, r.ToLicenseEvent(e, version), describe: false);
        if (result.License is null)
        {
            // Released when the org's install arrives (see ReleaseWaitingAsync).
            Hold(e, HoldCodes.UnknownLicense, $"No license exists yet for org {e.OrgId}: no install of {package.Name} has been received from it.");
            return;
        }
        license = result.License;
        if (result.Created)
        {
            license.AttachLead(NewLead(r, package));
            db.Licenses.Add(license);
        }
        if (e.Type == InstallEventType.Install)
        {
            _licenses[key] = license;
            _installed.Add(key);
        }
        e.License = license;
        Done(e, package);
    }

    private static Lead NewLead(InstallEventRequest r, Package package)
    {
        var installer = r.Installer!;
        return new Lead
        {
            FirstName = installer.FirstName,
            LastName = installer.LastName!,
            Company = string.IsNullOrWhiteSpace(installer.Company) ? r.Org!.Name! : installer.Company,
            Email = installer.Email,
            Phone = installer.Phone,
            State = installer.State,
            Country = installer.Country,
            LeadSource = Lead.PackageInstallationSource,
            OwnerId = package.LeadManagerId,
        };
    }

    private static string DisplayName(ApplicationUser user) =>
        string.IsNullOrWhiteSpace(user.DisplayName) ? user.Email ?? user.UserName ?? user.Id : user.DisplayName;

    private void Done(InstallEvent e, Package package)
    {
        e.State = InstallEventState.Done;
        e.HoldCode = null;
        e.HoldReason = null;
        e.Package = package;
    }

    private static void Hold(InstallEvent e, string code, string reason)
    {
        e.State = InstallEventState.Held;
        e.HoldCode = code;
        e.HoldReason = InstallEventProcessor.Truncate(reason, 1024);
    }
}
