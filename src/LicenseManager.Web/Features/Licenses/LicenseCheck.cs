using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Api;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.Licenses;

/// <summary>The license as the check API and tokens show it.</summary>
public sealed record LicenseSummary(long Name, string Status, int? Seats, int? UsedLicenses, DateOnly? ExpirationDate, string PackageVersionNumber);

/// <summary>The answer of GET /api/v1/licenses/check.</summary>
public sealed record LicenseCheckAnswer(bool Licensed, string Code, LicenseSummary? License);

/// <summary>
/// isCurrentUserLicensed for the ISV's app: reads, never writes. Answers come from this node's memory for
/// <see cref="LicensingApiOptions.CheckCacheSeconds"/> (default 5 s). A change saved on this node (Modify License page or
/// API, seat assignment or revocation, license deletion) drops what this node remembers of that license at once; a change
/// saved on another node, or by the install processor, is seen within that bound. Signed tokens never use the cache
/// (<see cref="ReadCurrentAsync"/>). The rule itself is <see cref="LicenseRules.Check"/>.
/// </summary>
public sealed class LicenseCheck(LicenseCheckReads reads, IOptions<LicensingApiOptions> options, TimeProvider time)
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 200_000 });

    /// <summary>
    /// Counts invalidations. A check that read the database before an invalidation and would remember its answer after
    /// it could otherwise put the old state back in the cache for a whole period; such an answer is served, not kept.
    /// </summary>
    private long _generation;

    internal sealed record Snapshot(long Key, LicenseStatus Status, int? Seats, DateOnly? ExpirationDate, LicenseSummary Summary);

    public async Task<LicenseCheckAnswer> CheckAsync(string packageId, string orgId, string? userId, CancellationToken ct)
    {
        var cacheSeconds = options.Value.CheckCacheSeconds;
        var generation = Volatile.Read(ref _generation);
        var licenseKey = ("license", packageId, orgId);
        Snapshot? license = null;
        bool? holdsSeat = null;
        var licenseKnown = cacheSeconds > 0 && _cache.TryGetValue(licenseKey, out license);
        var seatKnown = licenseKnown && (license is not { Seats: not null } || userId is null || TryGetSeat(license.Key, userId, out holdsSeat));
        if (!seatKnown)
        {
            // On a license miss, one read for the license and this user's seat together.
            if (!licenseKnown)
            {
                var row = await reads.FindLicenseAsync(packageId, orgId, userId ?? "", ct);
                license = row is null ? null : ToSnapshot(row);
                Remember(licenseKey, license, cacheSeconds, generation);
                if (row is { Seats: not null } && userId is not null) Remember(("seat", row.Id, userId), (object)row.HoldsSeat, cacheSeconds, generation);
                holdsSeat = row?.HoldsSeat;
            }
            else
            {
                holdsSeat = await reads.HoldsSeatAsync(license!.Key, userId!, ct);
                Remember(("seat", license.Key, userId!), (object)holdsSeat.Value, cacheSeconds, generation);
            }
        }
        if (license is not { Seats: not null } || userId is null) holdsSeat = null;
        return Answer(license, holdsSeat);
    }

    /// <summary>
    /// The license as the database has it now, for the org (no user): what a signed token states. Never served from
    /// the cache, since a token outlives it by hours; the fresh answer then replaces this node's cached one.
    /// </summary>
    public async Task<LicenseCheckAnswer> ReadCurrentAsync(string packageId, string orgId, CancellationToken ct)
    {
        var generation = Volatile.Read(ref _generation);
        var row = await reads.FindLicenseAsync(packageId, orgId, "", ct);
        var license = row is null ? null : ToSnapshot(row);
        Remember(("license", packageId, orgId), license, options.Value.CheckCacheSeconds, generation);
        return Answer(license, holdsSeat: null);
    }

    private LicenseCheckAnswer Answer(Snapshot? license, bool? holdsSeat)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var code = LicenseRules.Check(license?.Status, license?.Seats, license?.ExpirationDate, today, holdsSeat);
        return new LicenseCheckAnswer(code == LicenseCheckCode.OK, code.ToString(), license?.Summary);
    }

    private bool TryGetSeat(long licenseKey, string userId, out bool? holdsSeat)
    {
        holdsSeat = null;
        if (!_cache.TryGetValue(("seat", licenseKey, userId), out object? value)) return false;
        holdsSeat = value is true;
        return true;
    }

    private void Remember(object key, object? value, int cacheSeconds, long readAtGeneration)
    {
        if (cacheSeconds > 0 && Volatile.Read(ref _generation) == readAtGeneration)
            _cache.Set(key, value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(cacheSeconds) });
    }

    /// <summary>
    /// Forgets what this node knows about a license. Call it after a change to the license or its seats was saved
    /// (committed), never before and never for a save that failed: a failed save changed nothing to forget.
    /// </summary>
    public void Invalidate(string packageId, string orgId, long? licenseKey = null, string? userId = null)
    {
        Interlocked.Increment(ref _generation);
        _cache.Remove(("license", packageId, orgId));
        if (licenseKey is { } key && userId is not null) _cache.Remove(("seat", key, userId));
    }

    private static Snapshot ToSnapshot(LicenseCheckRow l)
    {
        return new Snapshot(l.Id, l.Status, l.Seats, l.ExpirationDate,
            new LicenseSummary(l.Id, l.Status.ToString(), l.Seats, License.UsedLicensesShownFor(l.Status, l.Seats, l.ReportedUsedLicenses), l.ExpirationDate, l.PackageVersionNumber));
    }
}
