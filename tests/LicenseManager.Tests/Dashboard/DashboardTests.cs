using AngleSharp.Html.Parser;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.Dashboard;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Dashboard;

/// <summary>
/// The dashboard's figures against a known data set, on every database. The data set stands on a fixed day
/// (Wednesday 2025-06-18) and belongs to its own package, so the figures are exact whatever else the database holds.
/// </summary>
public abstract class DashboardTests(LmaApp app)
{
    private static readonly DateOnly Today = new(2025, 6, 18);
    private static DateOnly Day(int offset) => Today.AddDays(offset);
    private static DateTimeOffset At(int year, int month, int day, int hour = 12) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);
    private static DateTime Utc(int year, int month, int day, int hour = 12) => new(year, month, day, hour, 0, 0, DateTimeKind.Utc);

    private sealed record KnownDataSet(long Package, Dictionary<string, string> Orgs, string LeadManagerId);

    /// <summary>
    /// Ten orgs install package P (defaults Trial, 10 seats, 30 days); F is a sandbox and G a trial org. Then:
    /// A Trial ends Sat; B uninstalled; C Active 5 seats 8 used, expires +20; D Active 20/5, +45; E Active site license, +90;
    /// F Trial ends Sun; G Suspended; H Active 10/12, +91; I Trial +10; J Trial expired 2025-05-01.
    /// </summary>
    private async Task<KnownDataSet> BuildKnownDataSetAsync()
    {
        var manager = await app.CreateUserAsync(Roles.SalesRep);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Trial, 10, 30), leadManagerId: manager.Id);
        var orgs = "ABCDEFGHIJ".ToDictionary(c => c.ToString(), _ => Events.NewOrgId());
        string v = package.VersionId;
        await app.SendAsync(
            Events.Install(v, orgs["A"], At(2025, 6, 17)),            // this week
            Events.Install(v, orgs["B"], At(2025, 6, 2)),
            Events.Install(v, orgs["C"], At(2024, 6, 24, 0)),         // first day of the first week: in
            Events.Install(v, orgs["D"], At(2024, 6, 23, 23)),        // the day before: out
            Events.Install(v, orgs["E"], At(2025, 6, 19, 1)),         // tomorrow: out
            Events.Install(v, orgs["F"], At(2025, 3, 5), sandbox: true),
            Events.Install(v, orgs["G"], At(2025, 5, 14)),
            Events.Install(v, orgs["H"], At(2025, 6, 18, 23)),        // today, late: this week
            Events.Install(v, orgs["I"], At(2025, 6, 5)),
            Events.Install(v, orgs["J"], At(2025, 4, 1)));
        // In a batch of its own, so the license exists first and the uninstall is recorded in its history.
        await app.SendAsync(Events.Uninstall(v, orgs["B"], At(2025, 6, 10)));

        await SetAsync(package.Key, orgs["A"], LicenseStatus.Trial, 10, null, Day(3));
        await SetAsync(package.Key, orgs["C"], LicenseStatus.Active, 5, 8, Day(20));
        await SetAsync(package.Key, orgs["D"], LicenseStatus.Active, 20, 5, Day(45));
        await SetAsync(package.Key, orgs["E"], LicenseStatus.Active, null, 3, Day(90));
        await SetAsync(package.Key, orgs["F"], LicenseStatus.Trial, 10, null, Day(4));
        await SetAsync(package.Key, orgs["G"], LicenseStatus.Suspended, 10, null, Day(200), OrgStatus.Trial);
        await SetAsync(package.Key, orgs["H"], LicenseStatus.Active, 10, 12, Day(91));
        await SetAsync(package.Key, orgs["I"], LicenseStatus.Trial, 10, null, Day(10));
        await SetAsync(package.Key, orgs["J"], LicenseStatus.Trial, 10, null, new DateOnly(2025, 5, 1));

        // License history as it would read after these changes were made on those days.
        var statusField = LicenseFieldNames.Display(nameof(License.Status));
        var ids = await app.WithDb(db => db.Licenses.Where(l => l.PackageKey == package.Key).ToDictionaryAsync(l => l.SubscriberOrgId, l => l.Id));
        await app.WithDb(async db =>
        {
            Assert.Equal(1, await db.LicenseFieldChanges.Where(c => c.LicenseKey == ids[orgs["B"]] && c.Field == statusField && c.NewValue == "Uninstalled")
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.ChangedAt, Utc(2025, 6, 10))));
            foreach (var (org, to, at) in new[]
                     {
                         ("C", "Active", Utc(2025, 6, 10)), ("H", "Active", Utc(2025, 6, 18, 22)), ("D", "Active", Utc(2025, 5, 20)),
                         ("E", "Active", Utc(2025, 5, 2)), ("G", "Suspended", Utc(2025, 5, 25)),
                         ("I", "Active", Utc(2025, 6, 19, 0)), // tomorrow: out of the window
                     })
                db.LicenseFieldChanges.Add(new LicenseFieldChange { LicenseKey = ids[orgs[org]], ChangedAt = at, ChangedBy = "test", Field = statusField, OldValue = "Trial", NewValue = to });
            await db.SaveChangesAsync();

            // Leads: all from installs, owned by the lead manager; two created this week, one the Sunday before, I's owned by the LMA, D's converted.
            var leadKeys = await db.Licenses.Where(l => l.PackageKey == package.Key).ToDictionaryAsync(l => l.SubscriberOrgId, l => l.LeadKey!.Value);
            Assert.Equal(10, leadKeys.Values.Distinct().Count());
            await db.Leads.Where(l => leadKeys.Values.Contains(l.Id)).ExecuteUpdateAsync(s => s.SetProperty(l => l.CreatedAt, Utc(2025, 1, 1)));
            await db.Leads.Where(l => l.Id == leadKeys[orgs["A"]]).ExecuteUpdateAsync(s => s.SetProperty(l => l.CreatedAt, Utc(2025, 6, 16, 0)));
            await db.Leads.Where(l => l.Id == leadKeys[orgs["H"]]).ExecuteUpdateAsync(s => s.SetProperty(l => l.CreatedAt, Utc(2025, 6, 18, 23)));
            await db.Leads.Where(l => l.Id == leadKeys[orgs["C"]]).ExecuteUpdateAsync(s => s.SetProperty(l => l.CreatedAt, Utc(2025, 6, 15, 23)));
            await db.Leads.Where(l => l.Id == leadKeys[orgs["I"]]).ExecuteUpdateAsync(s => s.SetProperty(l => l.OwnerId, (string?)null));
            await db.Leads.Where(l => l.Id == leadKeys[orgs["D"]]).ExecuteUpdateAsync(s => s.SetProperty(l => l.IsConverted, true));

            await db.Packages.Where(p => p.Id == package.Key).ExecuteUpdateAsync(s => s.SetProperty(p => p.LastLicenseRefreshAt, Utc(2025, 6, 1)));
        });
        return new KnownDataSet(package.Key, orgs, manager.Id);
    }

    /// <summary>Sets a license directly (no history row), as a data fixture.</summary>
    private Task SetAsync(long package, string org, LicenseStatus status, int? seats, int? used, DateOnly expires, OrgStatus? orgStatus = null) =>
        app.WithDb(db => db.Licenses.Where(l => l.PackageKey == package && l.SubscriberOrgId == org).ExecuteUpdateAsync(s => s
            .SetProperty(l => l.Status, status).SetProperty(l => l.Seats, seats).SetProperty(l => l.ReportedUsedLicenses, used)
            .SetProperty(l => l.ExpirationDate, expires).SetProperty(l => l.HasBeenActive, status == LicenseStatus.Active)
            .SetProperty(l => l.OrgStatus, l => orgStatus ?? l.OrgStatus)));

    private async Task<DashboardFigures> ComputeAsync(DashboardScope scope, DateOnly? today = null)
    {
        await using var scopeServices = app.Scope();
        return await scopeServices.ServiceProvider.GetRequiredService<DashboardQueries>().ComputeAsync(scope, today ?? Today, default);
    }

    [SkippableFact]
    public async Task Dashboard_figures_match_the_known_data_set()
    {
        Requires.Available(app);
        var data = await BuildKnownDataSetAsync();

        var f = await ComputeAsync(new DashboardScope(data.Package, HideTestOrgs: false));

        // Installs per week: 52 Monday weeks ending with this one.
        Assert.Equal(52, f.InstallsPerWeek.Count);
        Assert.Equal(new DateOnly(2025, 6, 16), f.WeekStart);
        Assert.Equal(new DateOnly(2024, 6, 24), f.InstallsPerWeek[0].WeekStart);
        Assert.Equal((8, 1, 7), (f.Installs, f.Uninstalls, f.NetGrowth));
        Assert.Equal(new WeekInstalls(new(2025, 6, 16), 2, 0), f.InstallsPerWeek[^1]);
        Assert.Equal(new WeekInstalls(new(2025, 6, 9), 0, 1), f.InstallsPerWeek[^2]);
        Assert.Equal(new WeekInstalls(new(2025, 6, 2), 2, 0), f.InstallsPerWeek[^3]); // B and I
        Assert.Equal(1, f.InstallsPerWeek[0].Installs);

        Assert.Equal(new Dictionary<LicenseStatus, int> { [LicenseStatus.Trial] = 4, [LicenseStatus.Active] = 4, [LicenseStatus.Suspended] = 1, [LicenseStatus.Uninstalled] = 1 },
            f.LicensesByStatus.OrderBy(k => k.Key).ToDictionary());

        Assert.Equal([(30, Day(30), 1), (60, Day(60), 2), (90, Day(90), 3)], f.Renewals.Select(r => (r.Days, r.Until, r.Count)));
        Assert.Equal((3, 2), (f.ActiveTrials, f.TrialsEndingThisWeek));

        Assert.Equal(12, f.TrialConversion.Count);
        Assert.Equal(new DateOnly(2024, 7, 1), f.TrialConversion[0].Month);
        Assert.Equal(new MonthConversion(new(2025, 6, 1), Converted: 2, Lost: 1), f.TrialConversion[^1]); // C, H / B uninstalled
        Assert.Equal(new MonthConversion(new(2025, 5, 1), Converted: 2, Lost: 2), f.TrialConversion[^2]); // D, E / G suspended, J expired
        Assert.Equal(0.5, f.TrialConversion[^2].Rate);
        Assert.All(f.TrialConversion.SkipLast(2), m => Assert.Null(m.Rate));

        var seats = Assert.Single(f.Seats);
        Assert.Equal((data.Package, 85L, 25L, 8, 1), (seats.PackageKey, seats.LicensedSeats, seats.UsedSeats, seats.SeatLicenses, seats.SiteLicenses));
        Assert.Equal(2, f.LicensesOverSeats);
        Assert.Equal([(data.Orgs["C"], -3), (data.Orgs["H"], -2)],
            await Task.WhenAll(f.MostOverSeats.Select(async o => ((await app.WithDb(db => db.Licenses.SingleAsync(l => l.Id == o.LicenseId))).SubscriberOrgId, o.Available))));

        Assert.Equal(2, f.LeadsByOwner.Count);
        var manager = f.LeadsByOwner[0];
        Assert.Equal((data.LeadManagerId, 2, 8), (manager.OwnerId, manager.NewThisWeek, manager.NotConverted));
        Assert.Equal(new OwnerLeads(null, Actor.LmaName, 0, 1), f.LeadsByOwner[1]);

        Assert.Empty(f.HeldInstalls);
        Assert.Equal(0, f.PendingInstallEvents);
        Assert.Equal(0, f.FailedEmails);
        var refresh = Assert.Single(f.Refreshes);
        Assert.Equal(Utc(2025, 6, 1), refresh.LastRefreshAt);
    }

    [SkippableFact]
    public async Task Leaving_out_sandbox_and_trial_orgs_changes_every_license_figure()
    {
        Requires.Available(app);
        var data = await BuildKnownDataSetAsync();

        var f = await ComputeAsync(new DashboardScope(data.Package, HideTestOrgs: true));

        Assert.Equal((6, 1, 5), (f.Installs, f.Uninstalls, f.NetGrowth)); // without F (sandbox) and G (trial org)
        Assert.Equal(3, f.LicensesByStatus[LicenseStatus.Trial]);
        Assert.Equal(0, f.LicensesByStatus.GetValueOrDefault(LicenseStatus.Suspended));
        Assert.Equal([1, 2, 3], f.Renewals.Select(r => r.Count));
        Assert.Equal((2, 1), (f.ActiveTrials, f.TrialsEndingThisWeek));
        Assert.Equal(new MonthConversion(new(2025, 5, 1), Converted: 2, Lost: 1), f.TrialConversion[^2]);
        var seats = Assert.Single(f.Seats);
        Assert.Equal((65L, 25L, 6, 1), (seats.LicensedSeats, seats.UsedSeats, seats.SeatLicenses, seats.SiteLicenses));
    }

    [SkippableFact]
    public async Task Held_installs_are_counted_per_package_and_reason()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(associate: false);
        await app.SendAsync(Events.Install(package.VersionId, Events.NewOrgId()), Events.Install(package.VersionId, Events.NewOrgId()));

        var f = await ComputeAsync(new DashboardScope(package.Key, false), TestClock.Today(app.Clock));

        var held = Assert.Single(f.HeldInstalls);
        Assert.Equal((package.Key, HoldCodes.PackageNotAssociated, 2), (held.PackageKey, held.HoldCode, held.Count));
        Assert.Contains("not associated", held.SampleReason);
        Assert.Equal(2, f.Installs); // held installs still happened on the platform
        Assert.Empty(f.Seats);
    }

    [SkippableFact]
    public async Task Each_renewal_number_links_to_a_list_showing_exactly_those_licenses()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Active, 10, 365));
        var today = TestClock.Today(app.Clock);
        var orgs = Enumerable.Range(0, 4).Select(_ => Events.NewOrgId()).ToList();
        await app.SendAsync(orgs.Select(o => Events.Install(package.VersionId, o)).ToArray());
        await SetAsync(package.Key, orgs[0], LicenseStatus.Active, 10, 2, today.AddDays(5));
        await SetAsync(package.Key, orgs[1], LicenseStatus.Active, 10, 2, today.AddDays(40));
        await SetAsync(package.Key, orgs[2], LicenseStatus.Trial, 10, 2, today.AddDays(5));  // a trial, not a renewal
        await SetAsync(package.Key, orgs[3], LicenseStatus.Active, 10, 12, today.AddDays(200));

        using var admin = await app.SignInAsAdminAsync();
        var html = await admin.GetPageAsync($"/packages/{package.Key}/dashboard");
        var page = new HtmlParser().ParseDocument(html);
        Assert.NotNull(page.QuerySelector("svg[data-testid=chart-installs] title"));
        Assert.Contains("Events per week", page.QuerySelector("svg[data-testid=chart-installs]")!.TextContent);
        Assert.Equal("0", page.QuerySelector("[data-testid=failed-emails]")!.TextContent.Trim());

        foreach (var (testId, expected) in new[] { ("renewals-30", 1), ("renewals-60", 2), ("renewals-90", 2), ("active-trials", 1), ("over-seats", 1) })
        {
            var link = page.QuerySelector($"[data-testid={testId}]")!;
            Assert.StartsWith(expected.ToString(), link.TextContent.Trim());
            var list = new HtmlParser().ParseDocument(await admin.GetPageAsync(link.GetAttribute("href")!));
            Assert.Equal(expected, list.QuerySelectorAll("[data-testid=licenses-table] tbody tr").Length);
        }
        var leads = page.QuerySelector("[data-testid=leads-new]")!;
        Assert.Equal("4", leads.TextContent.Trim());
        var leadList = new HtmlParser().ParseDocument(await admin.GetPageAsync(leads.GetAttribute("href")!));
        Assert.Equal(4, leadList.QuerySelectorAll("[data-testid=leads-table] tbody tr").Length);
    }

    [SkippableFact]
    public async Task The_home_page_is_the_dashboard_and_its_toggle_is_a_query_string_flag()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        await app.SendAsync(Events.Install(package.VersionId, Events.NewOrgId()), Events.Install(package.VersionId, Events.NewOrgId(), sandbox: true));
        using var admin = await app.SignInAsAdminAsync();

        var all = new HtmlParser().ParseDocument(await admin.GetPageAsync($"/packages/{package.Key}/dashboard"));
        var customers = new HtmlParser().ParseDocument(await admin.GetPageAsync($"/packages/{package.Key}/dashboard?hideTestOrgs=true"));
        Assert.Equal("2", all.QuerySelector("[data-testid=count-Trial]")!.TextContent.Trim());
        Assert.Equal("1", customers.QuerySelector("[data-testid=count-Trial]")!.TextContent.Trim());
        Assert.Contains("hideTestOrgs=true", customers.QuerySelector("[data-testid=active-trials]")!.GetAttribute("href"));

        var home = new HtmlParser().ParseDocument(await admin.GetPageAsync("/"));
        Assert.NotNull(home.QuerySelector("[data-testid=summary]"));
        Assert.NotNull(home.QuerySelector("svg[data-testid=chart-installs]"));
        Assert.NotNull(home.QuerySelector("svg[data-testid=chart-conversion]"));
        Assert.Contains($"/packages/{package.Key}/dashboard", await admin.GetPageAsync($"/packages/{package.Key}"));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class DashboardTests_Sqlite(SqliteApp app) : DashboardTests(app);
[Collection(PostgresCollection.Name)]
public sealed class DashboardTests_PostgreSql(PostgresApp app) : DashboardTests(app);
