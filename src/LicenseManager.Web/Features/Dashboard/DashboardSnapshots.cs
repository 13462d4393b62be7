using System.Diagnostics;
using System.Text.Json;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.Dashboard;

/// <summary>
/// The dashboard's figures kept in the database, one row per scope, so a page reads one row instead of aggregating
/// the license table and the installation log (seconds at a million licenses). <see cref="DashboardSnapshotJob"/>
/// recomputes every scope once per <see cref="DashboardRefreshOptions.RefreshInterval"/>; every node reads the same rows.
/// A page whose scope has no snapshot yet (a new package, a fresh install), or only one no job has refreshed for
/// <see cref="DashboardRefreshOptions.StaleAfter"/>, computes the figures itself once and stores them for everyone.
/// </summary>
public sealed class DashboardSnapshots(LicenseManagerDbContext db, DashboardQueries queries, TimeProvider time, IOptions<DashboardRefreshOptions> options, ILogger<DashboardSnapshots> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public TimeSpan RefreshInterval => options.Value.RefreshInterval;

    public static string KeyOf(DashboardScope scope) =>
        (scope.PackageKey is { } key ? $"package:{key}" : "all") + (scope.HideTestOrgs ? ":customers" : "");

    /// <summary>The refresh period an instant falls in, named by its start: periods are whole intervals since 0001-01-01 UTC.</summary>
    public DateTime PeriodOf(DateTime instant)
    {
        var ticks = RefreshInterval.Ticks;
        return new DateTime(instant.Ticks - instant.Ticks % ticks, DateTimeKind.Utc);
    }

    /// <summary>The scope's figures from its snapshot; computed (and stored) here only when there is none fresh enough.</summary>
    public async Task<DashboardFigures> GetAsync(DashboardScope scope, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var key = KeyOf(scope);
        var row = await db.DashboardSnapshots.AsNoTracking().Where(s => s.Scope == key)
            .Select(s => new { s.ComputedAt, s.Figures }).FirstOrDefaultAsync(ct);
        if (row is not null && row.ComputedAt >= now - options.Value.StaleAfter && Read(key, row.Figures) is { } figures) return figures;

        var computed = await queries.ComputeAsync(scope, DateOnly.FromDateTime(now), ct);
        await StoreAsync(key, PeriodOf(now), computed, ct);
        return computed;
    }

    /// <summary>
    /// Computes every scope (all packages and each package, each with and without test orgs) that has no snapshot
    /// of the current period and day yet. A second run in the same period finds them all current and computes nothing.
    /// Returns how many scopes it computed.
    /// </summary>
    public async Task<int> RefreshAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var period = PeriodOf(now);
        var today = DateOnly.FromDateTime(now);
        var packages = await db.Packages.AsNoTracking().OrderBy(p => p.Id).Select(p => (long?)p.Id).ToListAsync(ct);
        // A period that spans midnight still gets the new day's figures (the windows are counted from today).
        var current = (await db.DashboardSnapshots.AsNoTracking().Where(s => s.Period == period).Select(s => new { s.Scope, s.ComputedAt }).ToListAsync(ct))
            .Where(s => DateOnly.FromDateTime(s.ComputedAt) == today).Select(s => s.Scope).ToHashSet();

        var computed = 0;
        var started = Stopwatch.StartNew();
        foreach (var scope in packages.Prepend(null).SelectMany(k => new[] { new DashboardScope(k, false), new DashboardScope(k, true) }))
        {
            var key = KeyOf(scope);
            if (current.Contains(key)) continue;
            await StoreAsync(key, period, await queries.ComputeAsync(scope, today, ct), ct);
            computed++;
        }
        if (computed > 0)
            logger.LogInformation("Dashboard snapshot of {Period:u}: computed {Computed} of {Scopes} scopes in {Seconds:0.0} s", period, computed, 2 * (packages.Count + 1),
                started.Elapsed.TotalSeconds);
        return computed;
    }

    private async Task StoreAsync(string key, DateTime period, DashboardFigures figures, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(figures, Json);
        var updated = await db.DashboardSnapshots.Where(s => s.Scope == key).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Period, period).SetProperty(x => x.ComputedAt, figures.ComputedAt).SetProperty(x => x.Figures, json), ct);
        if (updated > 0) return;
        var row = new DashboardSnapshot { Scope = key, Period = period, ComputedAt = figures.ComputedAt, Figures = json };
        db.DashboardSnapshots.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node (or request) stored this scope at the same moment, for the same period: theirs stands.
        }
        finally
        {
            db.Entry(row).State = EntityState.Detached;
        }
    }

    /// <summary>The stored figures, or null when they no longer read as today's shape (written by an older version).</summary>
    private DashboardFigures? Read(string key, string json)
    {
        try
        {
            return JsonSerializer.Deserialize<DashboardFigures>(json, Json);
        }
        catch (JsonException e)
        {
            logger.LogWarning("The dashboard snapshot of {Scope} can't be read ({Reason}): computing it again", key, e.Message);
            return null;
        }
    }
}
