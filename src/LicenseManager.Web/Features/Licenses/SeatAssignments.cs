using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Licenses;

/// <summary>
/// Seat assignment (PackageLicense / UserPackageLicense): which subscriber users hold a seat of a license.
/// Used Licenses of the license is kept equal to the number assigned in the same transaction, and the license's
/// version check serialises concurrent assignments, so two callers can't both take the last seat.
/// </summary>
public sealed class SeatAssignments(LicenseManagerDbContext db, LicenseCheck check, TimeProvider time)
{
    public enum Result { Assigned, AlreadyHeld, Revoked, NotHeld, LicenseNotFound, Refused, Busy }

    public sealed record Outcome(Result Result, SeatAssignment? Seat = null, RuleViolation? Violation = null);

    public sealed record SeatList(LicenseSummary License, int? AvailableSeats, IReadOnlyList<SeatAssignment> Holders);

    private const int Attempts = 5;

    public async Task<SeatList?> ListAsync(string packageId, string orgId, CancellationToken ct)
    {
        var license = await FindAsync(packageId, orgId, tracked: false, ct);
        if (license is null) return null;
        var holders = await db.SeatAssignments.AsNoTracking().Where(s => s.LicenseKey == license.Id)
            .OrderBy(s => s.SubscriberUserId).Take(100_000).ToListAsync(ct);
        return new SeatList(Summary(license), LicenseRules.AvailableSeats(license), holders);
    }

    public async Task<SeatAssignment?> FindSeatAsync(string packageId, string orgId, string userId, CancellationToken ct) =>
        await db.SeatAssignments.AsNoTracking()
            .Where(s => s.SubscriberUserId == userId && db.Licenses.Any(l => l.Id == s.LicenseKey && l.SubscriberOrgId == orgId && l.Package.PackageId == packageId))
            .FirstOrDefaultAsync(ct);

    public async Task<bool> LicenseExistsAsync(string packageId, string orgId, CancellationToken ct) =>
        await db.Licenses.AnyAsync(l => l.Package.PackageId == packageId && l.SubscriberOrgId == orgId, ct);

    public async Task<Outcome> AssignAsync(string packageId, string orgId, string userId, CancellationToken ct)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            db.ChangeTracker.Clear();
            var license = await FindAsync(packageId, orgId, tracked: true, ct);
            if (license is null) return new(Result.LicenseNotFound);
            var held = await db.SeatAssignments.AsNoTracking().FirstOrDefaultAsync(s => s.LicenseKey == license.Id && s.SubscriberUserId == userId, ct);
            if (held is not null) return new(Result.AlreadyHeld, held);

            var assigned = await db.SeatAssignments.CountAsync(s => s.LicenseKey == license.Id, ct);
            if (LicenseRules.ValidateSeatAssignment(license, assigned) is { } violation) return new(Result.Refused, Violation: violation);

            var seat = new SeatAssignment
            {
                LicenseKey = license.Id, SubscriberUserId = userId, AssignedAt = time.GetUtcNow().UtcDateTime, AssignedBy = db.Actor.Name,
            };
            db.SeatAssignments.Add(seat);
            license.SeatsAssignedByApi = true;
            license.ReportedUsedLicenses = assigned + 1;
            if (await TrySaveAsync(ct))
            {
                check.Invalidate(packageId, orgId, license.Id, userId);
                return new(Result.Assigned, seat);
            }
        }
        return new(Result.Busy);
    }

    public async Task<Outcome> RevokeAsync(string packageId, string orgId, string userId, CancellationToken ct)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            db.ChangeTracker.Clear();
            var license = await FindAsync(packageId, orgId, tracked: true, ct);
            if (license is null) return new(Result.LicenseNotFound);
            var held = await db.SeatAssignments.FirstOrDefaultAsync(s => s.LicenseKey == license.Id && s.SubscriberUserId == userId, ct);
            if (held is null) return new(Result.NotHeld);

            var assigned = await db.SeatAssignments.CountAsync(s => s.LicenseKey == license.Id, ct);
            db.SeatAssignments.Remove(held);
            license.SeatsAssignedByApi = true;
            if (license.Status != LicenseStatus.Uninstalled) license.ReportedUsedLicenses = assigned - 1;
            if (await TrySaveAsync(ct))
            {
                check.Invalidate(packageId, orgId, license.Id, userId);
                return new(Result.Revoked, held);
            }
        }
        return new(Result.Busy);
    }

    /// <summary>False when another request changed the license (or took the same seat) first: the caller tries again.</summary>
    private async Task<bool> TrySaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException) { return false; }
        catch (DbUpdateException) { return false; } // unique (license, user): a concurrent assignment of the same user
    }

    private Task<License?> FindAsync(string packageId, string orgId, bool tracked, CancellationToken ct)
    {
        var licenses = tracked ? db.Licenses : db.Licenses.AsNoTracking();
        return licenses.FirstOrDefaultAsync(l => l.Package.PackageId == packageId && l.SubscriberOrgId == orgId, ct);
    }

    public static LicenseSummary Summary(License l) =>
        new(l.Id, l.Status.ToString(), l.Seats, l.UsedLicensesShown, l.ExpirationDate, l.PackageVersionNumber);
}
