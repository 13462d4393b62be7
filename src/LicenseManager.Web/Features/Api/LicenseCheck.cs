using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.Api;

/// <summary>The license as the check API and tokens show it.</summary>
public sealed record LicenseSummary(long Name, string Status, int? Seats, int? UsedLicenses, DateOnly? ExpirationDate, string PackageVersionNumber);

/// <summary>The answer of GET /api/v1/licenses/check.</summary>
public sealed record LicenseCheckAnswer(bool Licensed, string Code, LicenseSummary? License);

/// <summary>
/// isCurrentUserLicensed for the ISV's app: reads, never writes. Answers come from this node's memory for
/// <see cref="LicensingApiOptions.CheckCacheSeconds"/> (default 5 s): changes made through this node's API are
/// invalidated at once; a Modify License page save, an install event or a change on another node is seen within that bound.
/// The rule itself is <see cref="LicenseRules.Check"/>.
/// </summary>
public sealed class LicenseCheck(IServiceScopeFactory scopes, IOptions<LicensingApiOptions> options, TimeProvider time)
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 200_000 });

    internal sealed record Snapshot(long Key, LicenseStatus Status, int? Seats, DateOnly? ExpirationDate, LicenseSummary Summary);

    public async Task<LicenseCheckAnswer> CheckAsync(string packageId, string orgId, string? userId, CancellationToken ct)
    {
        var license = await SnapshotAsync(packageId, orgId, ct);
        bool? holdsSeat = null;
        if (license is { Seats: not null } && userId is not null) holdsSeat = await HoldsSeatAsync(license.Key, userId, ct);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var code = LicenseRules.Check(license?.Status, license?.Seats, license?.ExpirationDate, today, holdsSeat);
        return new LicenseCheckAnswer(code == LicenseCheckCode.OK, code.ToString(), license?.Summary);
    }

    /// <summary>Forgets what this node knows about a license (after a change made through this node).</summary>
    public void Invalidate(string packageId, string orgId, long? licenseKey = null, string? userId = null)
    {
        _cache.Remove(("license", packageId, orgId));
        if (licenseKey is { } key && userId is not null) _cache.Remove(("seat", key, userId));
    }

    internal Task<Snapshot?> SnapshotAsync(string packageId, string orgId, CancellationToken ct) =>
        Cached(("license", packageId, orgId), async db =>
        {
            var l = await db.Licenses.AsNoTracking()
                .Where(x => x.Package.PackageId == packageId && x.SubscriberOrgId == orgId)
                .Select(x => new { x.Id, x.Status, x.Seats, x.ExpirationDate, x.ReportedUsedLicenses, x.PackageVersionNumber })
                .FirstOrDefaultAsync(ct);
            if (l is null) return null;
            var shown = new License { Status = l.Status, Seats = l.Seats, ReportedUsedLicenses = l.ReportedUsedLicenses };
            return new Snapshot(l.Id, l.Status, l.Seats, l.ExpirationDate,
                new LicenseSummary(l.Id, l.Status.ToString(), l.Seats, shown.UsedLicensesShown, l.ExpirationDate, l.PackageVersionNumber));
        });

    private async Task<bool> HoldsSeatAsync(long licenseKey, string userId, CancellationToken ct) =>
        await Cached<object>(("seat", licenseKey, userId), async db =>
            (object?)await db.SeatAssignments.AnyAsync(s => s.LicenseKey == licenseKey && s.SubscriberUserId == userId, ct)) is true;

    private async Task<T?> Cached<T>(object key, Func<LicenseManagerDbContext, Task<T?>> load) where T : class
    {
        var seconds = options.Value.CheckCacheSeconds;
        if (seconds > 0 && _cache.TryGetValue(key, out T? hit)) return hit;
        await using var scope = scopes.CreateAsyncScope();
        var value = await load(scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>());
        if (seconds > 0)
            _cache.Set(key, value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(seconds) });
        return value;
    }
}
