using System.Diagnostics;
using System.Globalization;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;
using LeadList = LicenseManager.Web.Features.Leads.LeadList;
using LicenseFilter = LicenseManager.Web.Features.Licenses.LicenseFilter;

namespace LicenseManager.Web.Features.Dashboard;

/// <summary>
/// The dashboard's figures computed from the tables, each an aggregate query (COUNT / SUM ... GROUP BY) the database answers from an index;
/// only day buckets (at most a year's worth) come back to be summed into weeks and months here.
/// Portable across SQLite, PostgreSQL and SQL Server: grouping uses <c>DateTime.Date</c> and plain columns only.
/// Together they take seconds at a million licenses, so pages read them from <see cref="DashboardSnapshots"/>.
/// </summary>
public sealed class DashboardQueries(LicenseManagerDbContext db, TimeProvider time, ILogger<DashboardQueries> logger)
{
    public const int Weeks = 52;
    public const int Months = 12;
    public static readonly int[] RenewalDays = [30, 60, 90];

    private static readonly string StatusField = LicenseFieldNames.Display(nameof(License.Status));
    private static readonly string Trial = LicenseStatus.Trial.ToString();
    private static readonly string Active = LicenseStatus.Active.ToString();

    public async Task<DashboardFigures> ComputeAsync(DashboardScope scope, DateOnly today, CancellationToken ct)
    {
        // Each figure is timed: the log says which one a slow snapshot spends its time on.
        var timings = new List<(string Figure, long Ms)>();
        var total = Stopwatch.StartNew();
        async Task<T> Timed<T>(string figure, Func<Task<T>> query)
        {
            var sw = Stopwatch.StartNew();
            var result = await query();
            timings.Add((figure, sw.ElapsedMilliseconds));
            return result;
        }

        var weekStart = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var package = scope.PackageKey is { } key ? await db.Packages.Where(p => p.Id == key).Select(p => new { p.Name, p.PackageId }).FirstOrDefaultAsync(ct) : null;
        var (activeTrials, endingThisWeek, renewals) = await Timed("expirations", () => ExpirationsAsync(scope, today, weekStart, ct));
        var seats = await Timed("seats per package", () => PackageSeatsAsync(scope, ct));
        var (overCount, mostOver) = await Timed("over seats", () => OverSeatsAsync(scope, ct));
        var figures = new DashboardFigures
        {
            Scope = scope,
            Today = today,
            WeekStart = weekStart,
            ComputedAt = time.GetUtcNow().UtcDateTime,
            PackageName = package?.Name,
            PackageId = package?.PackageId,
            InstallsPerWeek = await Timed("installs per week", () => InstallsPerWeekAsync(scope, today, weekStart, ct)),
            LicensesByStatus = await Timed("licenses by status", () => LicensesByStatusAsync(scope, ct)),
            Renewals = renewals,
            ActiveTrials = activeTrials,
            TrialsEndingThisWeek = endingThisWeek,
            TrialConversion = await Timed("trial conversion", () => TrialConversionAsync(scope, today, ct)),
            Seats = seats,
            LicensesOverSeats = overCount,
            MostOverSeats = mostOver,
            LeadsByOwner = await Timed("leads by owner", () => LeadsByOwnerAsync(scope, weekStart, ct)),
            HeldInstalls = await Timed("held installs", () => HeldInstallsAsync(scope, ct)),
            PendingInstallEvents = await Timed("pending events", () => InstallEvents(scope).CountAsync(e => e.State == InstallEventState.Pending, ct)),
            FailedEmails = await Timed("failed emails", () => CountFailedEmailsAsync(scope, ct)),
            Refreshes = await Timed("refreshes", () => RefreshesAsync(scope, ct)),
        };
        // Every scope at Debug; one slower than a second at Information, so the log shows where a slow snapshot goes.
        logger.Log(total.ElapsedMilliseconds >= 1000 ? LogLevel.Information : LogLevel.Debug, "Dashboard figures for package {Package}, test orgs {TestOrgs}, computed in {Ms} ms: {Timings}",
            scope.PackageKey?.ToString(CultureInfo.InvariantCulture) ?? "all", scope.HideTestOrgs ? "left out" : "included", total.ElapsedMilliseconds,
            string.Join(", ", timings.Select(t => $"{t.Figure} {t.Ms} ms")));
        return figures;
    }

    private async Task<IReadOnlyDictionary<LicenseStatus, int>> LicensesByStatusAsync(DashboardScope scope, CancellationToken ct) =>
        await Licenses(scope).GroupBy(l => l.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);

    /// <summary>Alert emails whose every attempt failed (an administrator may resend them from the Email log).</summary>
    public async Task<int?> CountFailedEmailsAsync(DashboardScope scope, CancellationToken ct)
    {
        var failed = db.EmailMessages.AsNoTracking().Where(m => m.Status == EmailStatus.Failed);
        if (scope.PackageKey is { } key) failed = failed.Where(m => db.Licenses.Any(l => l.Id == m.LicenseKey && l.PackageKey == key));
        return await failed.CountAsync(ct);
    }

    /// <summary>Licenses in scope; with <see cref="DashboardScope.HideTestOrgs"/>, sandbox and trial orgs are left out (same rule as the licenses list).</summary>
    private IQueryable<License> Licenses(DashboardScope scope)
    {
        var licenses = db.Licenses.AsNoTracking();
        if (scope.PackageKey is { } key) licenses = licenses.Where(l => l.PackageKey == key);
        if (scope.HideTestOrgs) licenses = licenses.Where(LicenseFilter.IsCustomerOrg);
        return licenses;
    }

    private IQueryable<InstallEvent> InstallEvents(DashboardScope scope)
    {
        // Like the troubleshooting page: events whose package is set, or whose version belongs to the package.
        return (scope.PackageKey is { } key ? db.EventsOfPackage(key) : db.InstallEvents).AsNoTracking();
    }

    /// <summary>Installs and uninstalls the platform reported, per day (GROUP BY type, day), summed into Monday-based weeks.</summary>
    private async Task<IReadOnlyList<WeekInstalls>> InstallsPerWeekAsync(DashboardScope scope, DateOnly today, DateOnly weekStart, CancellationToken ct)
    {
        var first = weekStart.AddDays(-7 * (Weeks - 1));
        var from = first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var to = today.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var events = db.InstallEvents.AsNoTracking()
            .Where(e => (e.Type == InstallEventType.Install || e.Type == InstallEventType.Uninstall) && e.OccurredAt >= from && e.OccurredAt < to);
        if (scope.PackageKey is { } key) events = events.Where(e => e.PackageKey == key);
        // Without a license we can't tell the org's kind: such events (held installs) are left out with the test orgs.
        if (scope.HideTestOrgs) events = events.Where(e => e.License != null && !e.License.IsSandbox && e.License.OrgStatus != OrgStatus.Trial);
        var days = await events.GroupBy(e => new { e.Type, Day = e.OccurredAt.Date })
            .Select(g => new { g.Key.Type, g.Key.Day, Count = g.Count() })
            .ToListAsync(ct);

        var weeks = Enumerable.Range(0, Weeks).Select(i => first.AddDays(7 * i)).ToList();
        return weeks.Select(w =>
        {
            var inWeek = days.Where(d => DateOnly.FromDateTime(d.Day) >= w && DateOnly.FromDateTime(d.Day) < w.AddDays(7)).ToList();
            return new WeekInstalls(w, inWeek.Where(d => d.Type == InstallEventType.Install).Sum(d => d.Count),
                inWeek.Where(d => d.Type == InstallEventType.Uninstall).Sum(d => d.Count));
        }).ToList();
    }

    /// <summary>Trial and Active licenses expiring in the next 90 days, per (status, day); renewals and trials ending are sums of these.</summary>
    private async Task<(int ActiveTrials, int EndingThisWeek, IReadOnlyList<RenewalWindow> Renewals)> ExpirationsAsync(
        DashboardScope scope, DateOnly today, DateOnly weekStart, CancellationToken ct)
    {
        var until = today.AddDays(RenewalDays[^1]);
        var days = await Licenses(scope)
            .Where(l => (l.Status == LicenseStatus.Active || l.Status == LicenseStatus.Trial) && l.ExpirationDate >= today && l.ExpirationDate <= until)
            .GroupBy(l => new { l.Status, l.ExpirationDate })
            .Select(g => new { g.Key.Status, g.Key.ExpirationDate, Count = g.Count() })
            .ToListAsync(ct);
        var renewals = RenewalDays.Select(n => new RenewalWindow(n, today.AddDays(n),
            days.Where(d => d.Status == LicenseStatus.Active && d.ExpirationDate <= today.AddDays(n)).Sum(d => d.Count))).ToList();
        var sunday = weekStart.AddDays(6);
        var endingThisWeek = days.Where(d => d.Status == LicenseStatus.Trial && d.ExpirationDate <= sunday).Sum(d => d.Count);
        // A trial lasts at most 90 days, but a date moved by hand may lie further out: counted on its own.
        var activeTrials = await Licenses(scope).CountAsync(l => l.Status == LicenseStatus.Trial && l.ExpirationDate >= today, ct);
        return (activeTrials, endingThisWeek, renewals);
    }

    /// <summary>
    /// Per month: Trial → Active/Suspended/Uninstalled changes from the license history (GROUP BY new value, day),
    /// plus licenses still in Trial whose expiration date passed (GROUP BY expiration date).
    /// </summary>
    private async Task<IReadOnlyList<MonthConversion>> TrialConversionAsync(DashboardScope scope, DateOnly today, CancellationToken ct)
    {
        var firstMonth = new DateOnly(today.Year, today.Month, 1).AddMonths(-(Months - 1));
        var from = firstMonth.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var to = today.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

        var changes = db.LicenseFieldChanges.AsNoTracking()
            .Where(c => c.Field == StatusField && c.OldValue == Trial && c.ChangedAt >= from && c.ChangedAt < to);
        if (scope.PackageKey is not null || scope.HideTestOrgs)
        {
            var licenses = Licenses(scope);
            changes = changes.Where(c => licenses.Any(l => l.Id == c.LicenseKey));
        }
        var changed = await changes.GroupBy(c => new { c.NewValue, Day = c.ChangedAt.Date })
            .Select(g => new { g.Key.NewValue, g.Key.Day, Count = g.Count() })
            .ToListAsync(ct);

        var expired = await Licenses(scope)
            .Where(l => l.Status == LicenseStatus.Trial && l.ExpirationDate >= firstMonth && l.ExpirationDate < today)
            .GroupBy(l => l.ExpirationDate)
            .Select(g => new { Day = g.Key!.Value, Count = g.Count() })
            .ToListAsync(ct);

        static DateOnly MonthOf(DateOnly d) => new(d.Year, d.Month, 1);
        return Enumerable.Range(0, Months).Select(i => firstMonth.AddMonths(i)).Select(m => new MonthConversion(m,
            changed.Where(c => c.NewValue == Active && MonthOf(DateOnly.FromDateTime(c.Day)) == m).Sum(c => c.Count),
            changed.Where(c => c.NewValue != Active && MonthOf(DateOnly.FromDateTime(c.Day)) == m).Sum(c => c.Count)
            + expired.Where(e => MonthOf(e.Day) == m).Sum(e => e.Count))).ToList();
    }

    /// <summary>SUM of seats and used licenses per package (GROUP BY package) over installed licenses.</summary>
    private async Task<IReadOnlyList<PackageSeats>> PackageSeatsAsync(DashboardScope scope, CancellationToken ct)
    {
        var installed = Licenses(scope).Where(l => l.Status != LicenseStatus.Uninstalled);
        var perPackage = await installed.GroupBy(l => l.PackageKey).Select(g => new
        {
            PackageKey = g.Key,
            Seats = g.Sum(l => (long?)l.Seats) ?? 0,
            Used = g.Sum(l => l.Seats == null ? 0 : (long)(l.ReportedUsedLicenses ?? 0)),
            SeatLicenses = g.Count(l => l.Seats != null),
            SiteLicenses = g.Count(l => l.Seats == null),
        }).ToListAsync(ct);
        var names = await PackageNamesAsync(perPackage.Select(p => p.PackageKey), ct);
        return perPackage
            .Select(p => new PackageSeats(p.PackageKey, names.GetValueOrDefault(p.PackageKey, $"Package {p.PackageKey}"), p.Seats, p.Used, p.SeatLicenses, p.SiteLicenses))
            .OrderByDescending(p => p.LicensedSeats).ThenBy(p => p.PackageName).ThenBy(p => p.PackageKey).ToList();
    }

    /// <summary>Installed licenses over their seat count: how many, and the ten furthest over.</summary>
    private async Task<(int, IReadOnlyList<OverSeatLicense>)> OverSeatsAsync(DashboardScope scope, CancellationToken ct)
    {
        var over = Licenses(scope).Where(l => l.Status != LicenseStatus.Uninstalled).Where(LicenseFilter.IsOverSeats);
        var overCount = await over.CountAsync(ct);
        var mostOver = await over.OrderBy(l => l.Seats - l.ReportedUsedLicenses).ThenBy(l => l.Id).Take(10)
            .Select(l => new OverSeatLicense(l.Id, l.PackageKey, l.OrgName, l.Seats!.Value, l.ReportedUsedLicenses!.Value))
            .ToListAsync(ct);
        return (overCount, mostOver);
    }

    /// <summary>Leads from package installations per owner (GROUP BY owner): created this week, and not converted.</summary>
    private async Task<IReadOnlyList<OwnerLeads>> LeadsByOwnerAsync(DashboardScope scope, DateOnly weekStart, CancellationToken ct)
    {
        var leads = LeadList.FromInstalls(db, scope.PackageKey);
        var since = weekStart.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var created = await leads.Where(l => l.CreatedAt >= since).GroupBy(l => l.OwnerId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var open = await leads.Where(l => !l.IsConverted).GroupBy(l => l.OwnerId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var ownerIds = created.Select(c => c.Key).Concat(open.Select(o => o.Key)).Distinct().ToList();
        var userIds = ownerIds.OfType<string>().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        return ownerIds
            .Select(id => new OwnerLeads(id, id is null ? Actor.LmaName : Infrastructure.Display.Owner(users.GetValueOrDefault(id)),
                created.FirstOrDefault(c => c.Key == id)?.Count ?? 0, open.FirstOrDefault(o => o.Key == id)?.Count ?? 0))
            .OrderByDescending(o => o.NewThisWeek).ThenByDescending(o => o.NotConverted).ThenBy(o => o.OwnerName).ThenBy(o => o.OwnerId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Held install events per package and reason code (GROUP BY package, hold code), as the troubleshooting page shows them.</summary>
    private async Task<IReadOnlyList<HeldInstalls>> HeldInstallsAsync(DashboardScope scope, CancellationToken ct)
    {
        var groups = await InstallEvents(scope).Where(e => e.State == InstallEventState.Held)
            .GroupBy(e => new { e.PackageKey, e.HoldCode })
            .Select(g => new { g.Key.PackageKey, g.Key.HoldCode, Reason = g.Min(e => e.HoldReason), Count = g.Count() })
            .ToListAsync(ct);
        var names = await PackageNamesAsync(groups.Where(g => g.PackageKey != null).Select(g => g.PackageKey!.Value), ct);
        return groups
            .Select(g => new HeldInstalls(g.PackageKey ?? scope.PackageKey,
                (g.PackageKey ?? scope.PackageKey) is { } k ? names.GetValueOrDefault(k, $"Package {k}") : "Package not known yet",
                g.HoldCode ?? "", g.Reason ?? "", g.Count))
            .OrderByDescending(g => g.Count).ThenBy(g => g.PackageName).ThenBy(g => g.PackageKey).ThenBy(g => g.HoldCode, StringComparer.Ordinal).ToList();
    }

    private async Task<IReadOnlyList<PackageRefresh>> RefreshesAsync(DashboardScope scope, CancellationToken ct)
    {
        var packages = db.Packages.AsNoTracking();
        if (scope.PackageKey is { } key) packages = packages.Where(p => p.Id == key);
        return await packages.OrderBy(p => p.Name).ThenBy(p => p.Id).Take(50)
            .Select(p => new PackageRefresh(p.Id, p.Name, p.IsAssociated, p.LastLicenseRefreshAt)).ToListAsync(ct);
    }

    private async Task<Dictionary<long, string>> PackageNamesAsync(IEnumerable<long> keys, CancellationToken ct)
    {
        var list = keys.Distinct().ToList();
        return list.Count == 0 ? [] : await db.Packages.AsNoTracking().Where(p => list.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
    }
}
