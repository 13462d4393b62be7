using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Installs;

/// <summary>Appends accepted platform events to the installation log, once per event id.</summary>
public sealed class InstallEventLog(LicenseManagerDbContext db, TimeProvider time, InstallEventSignal signal)
{
    /// <returns>True when the event was stored now; false when this event id was already stored.</returns>
    public async Task<bool> AppendAsync(InstallEventRequest request, string rawJson, CancellationToken ct)
    {
        if (await db.InstallEvents.AnyAsync(e => e.EventId == request.EventId, ct)) return false;

        var type = request.ParsedType;
        long? packageKey = type == InstallEventType.PackageVersionUploaded
            ? await db.Packages.Where(p => p.PackageId == request.Package!.PackageId).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct)
            : await db.PackageVersions.Where(v => v.VersionId == request.PackageVersionId).Select(v => (long?)v.PackageKey).FirstOrDefaultAsync(ct);

        db.InstallEvents.Add(new InstallEvent
        {
            EventId = request.EventId!,
            Type = type,
            OccurredAt = request.OccurredAt!.Value.UtcDateTime,
            ReceivedAt = time.GetUtcNow().UtcDateTime,
            Payload = rawJson,
            PackageVersionId = type == InstallEventType.PackageVersionUploaded ? request.PackageVersion!.VersionId : request.PackageVersionId,
            OrgId = request.Org?.Id,
            PackageKey = packageKey,
            State = InstallEventState.Pending,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same event id raced in on another request or node: already stored, answered the same way.
            if (await IsStoredAsync(request.EventId!, ct)) return false;
            throw;
        }
        signal.Nudge();
        return true;
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
