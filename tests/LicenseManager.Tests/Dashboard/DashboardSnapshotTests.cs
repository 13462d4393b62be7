using System.Globalization;
using System.Text.Json;
using AngleSharp.Html.Parser;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.Dashboard;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Dashboard;

/// <summary>
/// The dashboard's snapshots: the job stores the same figures a direct computation gives, once per refresh period;
/// pages read them and say how old they are; a scope without a snapshot is computed once on the page and stored.
/// An app of its own per provider, since these tests move its clock (one refresh period at the start of each, so
/// every test begins in a period no job has run in).
/// </summary>
public abstract class DashboardSnapshotTests(LmaApp app)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private DateTime Now => app.Clock.GetUtcNow().UtcDateTime;
    private DateOnly Today => DateOnly.FromDateTime(Now);

    private async Task StartNewPeriodAsync()
    {
        // Into the next period and to its start, so a test may move up to a period's length without leaving it.
        var next = await WithSnapshots(s => Task.FromResult(s.PeriodOf(Now) + Interval));
        app.Clock.SetUtcNow(new DateTimeOffset(next, TimeSpan.Zero));
    }

    private async Task<T> WithSnapshots<T>(Func<DashboardSnapshots, Task<T>> work)
    {
        await using var scope = app.Scope();
        return await work(scope.ServiceProvider.GetRequiredService<DashboardSnapshots>());
    }

    private async Task RunJobAsync()
    {
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<DashboardSnapshotJob>().RunAsync(default);
    }

    private async Task<DashboardFigures> ComputeDirectlyAsync(DashboardScope scope)
    {
        await using var services = app.Scope();
        return await services.ServiceProvider.GetRequiredService<DashboardQueries>().ComputeAsync(scope, Today, default);
    }

    private Task<List<DashboardSnapshot>> RowsAsync() =>
        app.WithDb(db => db.DashboardSnapshots.AsNoTracking().OrderBy(s => s.Scope).ToListAsync());

    /// <summary>Every figure, as the page gets it, apart from the moment it was computed.</summary>
    private static string Figures(DashboardFigures f) =>
        JsonSerializer.Serialize(f with { ComputedAt = default, LicensesByStatus = f.LicensesByStatus.OrderBy(s => s.Key).ToDictionary() });

    private sealed record DataSet(LmaApp.TestPackage Package, LmaApp.TestPackage Unassociated);

    /// <summary>
    /// A package with five installs (one a sandbox, one a trial org's), one uninstalled, licenses in every status, one over
    /// its seats, a conversion in the license history; and a package not associated yet, whose install is held.
    /// </summary>
    private async Task<DataSet> BuildDataSetAsync()
    {
        var manager = await app.CreateUserAsync(Roles.SalesRep);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Trial, 10, 30), leadManagerId: manager.Id);
        var unassociated = await app.CreatePackageAsync(associate: false);
        var orgs = Enumerable.Range(0, 6).Select(_ => Events.NewOrgId()).ToList();
        var at = app.Clock.GetUtcNow().AddHours(-2);
        await app.SendAsync(
            Events.Install(package.VersionId, orgs[0], at), Events.Install(package.VersionId, orgs[1], at.AddDays(-10)),
            Events.Install(package.VersionId, orgs[2], at.AddDays(-40)), Events.Install(package.VersionId, orgs[3], at.AddDays(-3), sandbox: true),
            Events.Install(package.VersionId, orgs[4], at.AddDays(-60)), Events.Install(package.VersionId, orgs[5], at.AddDays(-20)),
            Events.Install(unassociated.VersionId, Events.NewOrgId(), at));
        await app.SendAsync(Events.Uninstall(package.VersionId, orgs[5], at.AddDays(-1)));

        await SetAsync(package.Key, orgs[0], LicenseStatus.Trial, 10, null, Today.AddDays(2));
        await SetAsync(package.Key, orgs[1], LicenseStatus.Active, 5, 8, Today.AddDays(20));
        await SetAsync(package.Key, orgs[2], LicenseStatus.Active, null, 3, Today.AddDays(70));
        await SetAsync(package.Key, orgs[3], LicenseStatus.Trial, 10, 2, Today.AddDays(4));
        await SetAsync(package.Key, orgs[4], LicenseStatus.Suspended, 10, null, Today.AddDays(100), OrgStatus.Trial);
        var statusField = LicenseFieldNames.Display(nameof(License.Status));
        await app.WithDb(async db =>
        {
            var converted = await db.Licenses.Where(l => l.PackageKey == package.Key && l.SubscriberOrgId == orgs[1]).Select(l => l.Id).SingleAsync();
            db.LicenseFieldChanges.Add(new LicenseFieldChange { LicenseKey = converted, ChangedAt = Now.AddDays(-1), ChangedBy = "test", Field = statusField, OldValue = "Trial", NewValue = "Active" });
            await db.SaveChangesAsync();
        });
        return new DataSet(package, unassociated);
    }

    private Task SetAsync(long package, string org, LicenseStatus status, int? seats, int? used, DateOnly expires, OrgStatus? orgStatus = null) =>
        app.WithDb(db => db.Licenses.Where(l => l.PackageKey == package && l.SubscriberOrgId == org).ExecuteUpdateAsync(s => s
            .SetProperty(l => l.Status, status).SetProperty(l => l.Seats, seats).SetProperty(l => l.ReportedUsedLicenses, used)
            .SetProperty(l => l.ExpirationDate, expires).SetProperty(l => l.HasBeenActive, status == LicenseStatus.Active)
            .SetProperty(l => l.OrgStatus, l => orgStatus ?? l.OrgStatus)));

    private static string? Text(string html, string testId) =>
        new HtmlParser().ParseDocument(html).QuerySelector($"[data-testid={testId}]")?.TextContent.Trim();

    [SkippableFact]
    public async Task The_jobs_figures_equal_the_figures_computed_directly_in_every_scope()
    {
        Requires.Available(app);
        await StartNewPeriodAsync();
        var data = await BuildDataSetAsync();
        await RunJobAsync();
        var ranAt = Now;
        app.Clock.Advance(TimeSpan.FromSeconds(30));

        var scopes = new[]
        {
            new DashboardScope(null, false), new DashboardScope(null, true), new DashboardScope(data.Package.Key, false),
            new DashboardScope(data.Package.Key, true), new DashboardScope(data.Unassociated.Key, false), new DashboardScope(data.Unassociated.Key, true),
        };
        var rows = (await RowsAsync()).ToDictionary(r => r.Scope);
        foreach (var scope in scopes)
        {
            Assert.True(rows.TryGetValue(DashboardSnapshots.KeyOf(scope), out var row), $"no snapshot of {DashboardSnapshots.KeyOf(scope)}");
            Assert.Equal(ranAt, row.ComputedAt);
            var stored = await WithSnapshots(s => s.GetAsync(scope, default));
            Assert.Equal(ranAt, stored.ComputedAt); // read from the snapshot, not computed again
            var direct = await ComputeDirectlyAsync(scope);
            Assert.Equal(Figures(direct), Figures(stored));
        }

        // The comparison covers real figures: the package's scope with and without test orgs differ where they should.
        var all = await WithSnapshots(s => s.GetAsync(new DashboardScope(data.Package.Key, false), default));
        var customers = await WithSnapshots(s => s.GetAsync(new DashboardScope(data.Package.Key, true), default));
        Assert.Equal((2, 2, 1, 1), (all.LicensesByStatus[LicenseStatus.Trial], all.LicensesByStatus[LicenseStatus.Active], all.LicensesByStatus[LicenseStatus.Suspended], all.LicensesByStatus[LicenseStatus.Uninstalled]));
        Assert.Equal((1, 0), (customers.LicensesByStatus[LicenseStatus.Trial], customers.LicensesByStatus.GetValueOrDefault(LicenseStatus.Suspended)));
        Assert.Equal((6, 1), (all.Installs, all.Uninstalls));
        Assert.Equal((4, 1), (customers.Installs, customers.Uninstalls));
        Assert.Equal((2, 1), (all.TrialsEndingThisWeek, customers.TrialsEndingThisWeek));
        Assert.Equal([1, 1, 2], all.Renewals.Select(r => r.Count));
        Assert.Equal(1, all.LicensesOverSeats);
        Assert.Equal(1, all.TrialConversion[^1].Converted);
        Assert.Equal((35L, 10L, 15L, 8L), (all.Seats.Single().LicensedSeats, all.Seats.Single().UsedSeats, customers.Seats.Single().LicensedSeats, customers.Seats.Single().UsedSeats));
        var held = Assert.Single((await WithSnapshots(s => s.GetAsync(new DashboardScope(data.Unassociated.Key, false), default))).HeldInstalls);
        Assert.Equal((HoldCodes.PackageNotAssociated, 1), (held.HoldCode, held.Count));
    }

    [SkippableFact]
    public async Task A_second_run_in_the_same_period_changes_nothing_and_the_next_period_recomputes()
    {
        Requires.Available(app);
        await StartNewPeriodAsync();
        var package = await app.CreatePackageAsync();
        await app.SendAsync(Events.Install(package.VersionId, Events.NewOrgId()), Events.Install(package.VersionId, Events.NewOrgId()));
        await RunJobAsync();
        var first = await RowsAsync();
        Assert.Contains(first, r => r.Scope == $"package:{package.Key}");

        // A change, then the job again later in the same period (another node, a retry, a restart): nothing is recomputed.
        await app.SendAsync(Events.Install(package.VersionId, Events.NewOrgId()));
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await RunJobAsync();
        var second = await RowsAsync();
        Assert.Equal(first.Select(r => (r.Scope, r.Period, r.ComputedAt, r.Figures)), second.Select(r => (r.Scope, r.Period, r.ComputedAt, r.Figures)));
        Assert.Equal(2, (await WithSnapshots(s => s.GetAsync(new DashboardScope(package.Key, false), default))).LicensesByStatus[LicenseStatus.Trial]);

        // The next period's run recomputes every scope, once.
        app.Clock.Advance(Interval);
        await RunJobAsync();
        var third = await RowsAsync();
        Assert.Equal(first.Select(r => r.Scope), third.Select(r => r.Scope));
        Assert.All(third, r => Assert.Equal(Now, r.ComputedAt));
        Assert.Equal(3, (await WithSnapshots(s => s.GetAsync(new DashboardScope(package.Key, false), default))).LicensesByStatus[LicenseStatus.Trial]);
        Assert.Equal(0, await WithSnapshots(s => s.RefreshAsync(default)));
    }

    [SkippableFact]
    public async Task The_page_shows_the_snapshots_figures_and_the_time_they_were_computed()
    {
        Requires.Available(app);
        await StartNewPeriodAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(60)); // a minute into the period, so the time shown can't be the period's start
        var package = await app.CreatePackageAsync();
        await app.SendAsync(Events.Install(package.VersionId, Events.NewOrgId()), Events.Install(package.VersionId, Events.NewOrgId(), sandbox: true));
        await RunJobAsync();
        var computedAt = Now;
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        await app.SendAsync(Events.Install(package.VersionId, Events.NewOrgId()));
        using var admin = await app.SignInAsAdminAsync();

        var page = await admin.GetPageAsync($"/packages/{package.Key}/dashboard");
        var customers = await admin.GetPageAsync($"/packages/{package.Key}/dashboard?hideTestOrgs=true");
        var home = await admin.GetPageAsync("/");

        Assert.Equal("2", Text(page, "count-Trial")); // the snapshot's, not the three there are now
        Assert.Equal("1", Text(customers, "count-Trial"));
        var asOf = computedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        foreach (var html in new[] { page, customers, home })
        {
            var line = Text(html, "figures-as-of");
            Assert.NotNull(line);
            Assert.Contains($"as of {asOf}", line);
            Assert.Contains("recomputed every 5 minutes", line);
        }
    }

    [SkippableFact]
    public async Task Before_any_snapshot_the_page_computes_the_figures_once_and_stores_them()
    {
        Requires.Available(app);
        await StartNewPeriodAsync();
        await app.WithDb(db => db.DashboardSnapshots.ExecuteDeleteAsync());
        var package = await app.CreatePackageAsync();
        await app.SendAsync(Events.Install(package.VersionId, Events.NewOrgId()), Events.Install(package.VersionId, Events.NewOrgId()));
        using var admin = await app.SignInAsAdminAsync();

        var home = await admin.GetPageAsync("/");
        var page = await admin.GetPageAsync($"/packages/{package.Key}/dashboard");

        var direct = await ComputeDirectlyAsync(new DashboardScope(null, false));
        Assert.Equal(direct.LicensesByStatus[LicenseStatus.Trial].ToString("N0", CultureInfo.InvariantCulture), Text(home, "count-Trial"));
        Assert.Equal("2", Text(page, "count-Trial"));
        Assert.Contains($"as of {Now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC", Text(page, "figures-as-of"));
        var rows = await RowsAsync();
        var period = await WithSnapshots(s => Task.FromResult(s.PeriodOf(Now)));
        Assert.Equal(["all", $"package:{package.Key}"], rows.Select(r => r.Scope).Order());
        Assert.All(rows, r => Assert.Equal((Now, period), (r.ComputedAt, r.Period)));

        // Computed once: the next request reads what the first stored, on this node or any other.
        await app.SendAsync(Events.Install(package.VersionId, Events.NewOrgId()));
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("2", Text(await admin.GetPageAsync($"/packages/{package.Key}/dashboard"), "count-Trial"));
    }

    [SkippableFact]
    public async Task A_snapshot_no_job_refreshed_is_computed_again_by_the_page()
    {
        Requires.Available(app);
        await StartNewPeriodAsync();
        var package = await app.CreatePackageAsync();
        await app.SendAsync(Events.Install(package.VersionId, Events.NewOrgId()));
        await RunJobAsync();
        await app.SendAsync(Events.Install(package.VersionId, Events.NewOrgId()));
        using var admin = await app.SignInAsAdminAsync();

        // No job ran for three periods (no node runs the job server): the page doesn't go on showing old figures.
        app.Clock.Advance(3 * Interval + TimeSpan.FromSeconds(1));
        var page = await admin.GetPageAsync($"/packages/{package.Key}/dashboard");
        Assert.Equal("2", Text(page, "count-Trial"));
        Assert.Contains($"as of {Now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC", Text(page, "figures-as-of"));
    }
}

public sealed class DashboardSnapshotSqliteApp() : SqliteApp(("Lma:Dashboard:RefreshInterval", "00:05:00"));

public sealed class DashboardSnapshotPostgresApp : PostgresApp
{
    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?> { ["Lma:Dashboard:RefreshInterval"] = "00:05:00" };
}

public sealed class DashboardSnapshotTests_Sqlite(DashboardSnapshotSqliteApp app) : DashboardSnapshotTests(app), IClassFixture<DashboardSnapshotSqliteApp>;
public sealed class DashboardSnapshotTests_PostgreSql(DashboardSnapshotPostgresApp app) : DashboardSnapshotTests(app), IClassFixture<DashboardSnapshotPostgresApp>;
