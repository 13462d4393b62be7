using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Installs;

/// <summary>An accepted platform event on its way into the installation log: the parsed request and its body as received.</summary>
public sealed record AcceptedInstallEvent(InstallEventRequest Request, string RawJson);

/// <summary>Appends accepted platform events to the installation log, once per event id.</summary>
public sealed class InstallEventLog(LicenseManagerDbContext db, TimeProvider time, InstallEventSignal signal)
{
    /// <returns>True when the event was stored now; false when this event id was already stored.</returns>
    public async Task<bool> AppendAsync(InstallEventRequest request, string rawJson, CancellationToken ct) =>
        (await AppendAsync([new AcceptedInstallEvent(request, rawJson)], ct))[0];

    /// <summary>
    /// Stores a batch in one transaction (one commit for many requests: the ingest endpoint's group commit).
    /// Throws, storing nothing, when the batch can't be stored as a whole (say an event id in it was stored
    /// meanwhile by another node): the caller then stores it one event at a time.
    /// </summary>
    /// <returns>Per event, in order: true when stored now, false when its event id was already stored (or repeats an earlier one in the batch).</returns>
    public async Task<bool[]> AppendAsync(IReadOnlyList<AcceptedInstallEvent> events, CancellationToken ct)
    {
        var stored = new bool[events.Count];
        var eventIds = events.Select(e => e.Request.EventId!).Distinct().ToList();
        var known = (await db.InstallEvents.Where(e => eventIds.Contains(e.EventId)).Select(e => e.EventId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

        var versionIds = events.Where(e => e.Request.ParsedType != InstallEventType.PackageVersionUploaded)
            .Select(e => e.Request.PackageVersionId!).Distinct().ToList();
        var packageIds = events.Where(e => e.Request.ParsedType == InstallEventType.PackageVersionUploaded)
            .Select(e => e.Request.Package!.PackageId!).Distinct().ToList();
        var versionPackages = versionIds.Count == 0 ? new Dictionary<string, long>()
            : await db.PackageVersions.Where(v => versionIds.Contains(v.VersionId)).ToDictionaryAsync(v => v.VersionId, v => v.PackageKey, StringComparer.Ordinal, ct);
        var packages = packageIds.Count == 0 ? new Dictionary<string, long>()
            : await db.Packages.Where(p => packageIds.Contains(p.PackageId)).ToDictionaryAsync(p => p.PackageId, p => p.Id, StringComparer.Ordinal, ct);

        var now = time.GetUtcNow().UtcDateTime;
        for (var i = 0; i < events.Count; i++)
        {
            var (request, raw) = events[i];
            if (!known.Add(request.EventId!)) continue;
            var type = request.ParsedType;
            long? packageKey = type == InstallEventType.PackageVersionUploaded
                ? packages.TryGetValue(request.Package!.PackageId!, out var p) ? p : null
                : versionPackages.TryGetValue(request.PackageVersionId!, out var v) ? v : null;
            db.InstallEvents.Add(new InstallEvent
            {
                EventId = request.EventId!,
                Type = type,
                OccurredAt = request.OccurredAt!.Value.UtcDateTime,
                ReceivedAt = now,
                Payload = raw,
                PackageVersionId = type == InstallEventType.PackageVersionUploaded ? request.PackageVersion!.VersionId : request.PackageVersionId,
                OrgId = request.Org?.Id,
                PackageKey = packageKey,
                State = InstallEventState.Pending,
            });
            stored[i] = true;
        }
        if (!stored.Contains(true)) return stored;

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (events.Count == 1)
        {
            // The same event id raced in on another request or node: already stored, answered the same way.
            if (await IsStoredAsync(events[0].Request.EventId!, ct)) return [false];
            throw;
        }
        signal.Nudge();
        return stored;
    }

    private async Task<bool> IsStoredAsync(string eventId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.InstallEvents.AnyAsync(e => e.EventId == eventId, ct);
    }
}

/// <summary>
/// Wakes this node's processor as soon as an event is stored. Only a latency shortcut: the pump also polls,
/// and a recurring job sweeps, so an event stored on another node or before a restart is still processed.
/// </summary>
public sealed class InstallEventSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Nudge()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { /* already signalled: nudges coalesce */ }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
