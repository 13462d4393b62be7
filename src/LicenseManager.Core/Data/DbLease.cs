using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Core.Data;

/// <summary>Acquire, renew and release a <see cref="JobLease"/> with single statements that work on every provider.</summary>
public static class DbLease
{
    public static async Task<bool> TryAcquireAsync(LicenseManagerDbContext db, string name, string owner, TimeSpan duration, DateTime now, CancellationToken ct = default)
    {
        var expires = now + duration;
        var taken = await db.JobLeases
            .Where(l => l.Name == name && (l.ExpiresAt < now || l.Owner == owner))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, owner).SetProperty(l => l.ExpiresAt, expires), ct);
        if (taken == 1) return true;
        if (await db.JobLeases.AnyAsync(l => l.Name == name, ct)) return false;
        try
        {
            db.JobLeases.Add(new JobLease { Name = name, Owner = owner, ExpiresAt = expires });
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another node created it first.
            db.ChangeTracker.Clear();
            return false;
        }
    }

    public static Task ReleaseAsync(LicenseManagerDbContext db, string name, string owner, CancellationToken ct = default) =>
        db.JobLeases.Where(l => l.Name == name && l.Owner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, DateTime.UnixEpoch), ct);
}
