using System.Net;
using System.Text.Json;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Features.Packages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Installs;

/// <summary>Install events become leads and licenses: the same scenarios on every database.</summary>
public abstract class InstallPipelineTests(LmaApp app)
{
    [SkippableFact]
    public async Task Install_of_an_associated_package_creates_a_lead_and_a_license_with_the_defaults()
    {
        Requires.Available(app);
        var manager = await app.CreateUserAsync(Roles.SalesRep);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Trial, 20, 30), leadManagerId: manager.Id);
        var org = Events.NewOrgId();
        var installedAt = app.Clock.GetUtcNow().AddHours(-1);

        await app.SendAsync(Events.Install(package.VersionId, org, installedAt, company: "Globex"));

        var license = await app.LicenseAsync(package.Key, org);
        Assert.NotNull(license);
        Assert.Equal(LicenseStatus.Trial, license.Status);
        Assert.Equal(20, license.Seats);
        Assert.Equal(DateOnly.FromDateTime(installedAt.UtcDateTime).AddDays(30), license.ExpirationDate);
        Assert.Equal("1.0.0", license.PackageVersionNumber);
        Assert.Equal(("Globex", "NA44", "Enterprise Edition", OrgStatus.Active), (license.OrgName, license.Instance, license.OrgEdition, license.OrgStatus));
        Assert.NotNull(license.InformationCurrentAsOf);
        Assert.Equal(Lead.PackageInstallationSource, license.Lead!.LeadSource);
        Assert.Equal(manager.Id, license.Lead.OwnerId);
        Assert.Equal(("Lovelace", "ada@acme.example"), (license.Lead.LastName, license.Lead.Email));
        Assert.Equal(Actor.LmaName, license.CreatedBy);
    }

    [SkippableFact]
    public async Task Without_a_lead_manager_the_LMA_owns_the_lead()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org));
        Assert.Null((await app.LicenseAsync(package.Key, org))!.Lead!.OwnerId);
    }

    [SkippableFact]
    public async Task The_same_event_twice_is_accepted_twice_and_applied_once()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        var install = Events.Install(package.VersionId, org);

        var first = await app.PostEventAsync(install);
        var second = await app.PostEventAsync(install);
        await app.ProcessInstallEventsAsync();

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(install.EventId, JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("eventId").GetString());
        Assert.Equal(1, await app.WithDb(db => db.InstallEvents.CountAsync(e => e.EventId == install.EventId)));
        Assert.Equal(1, await app.WithDb(db => db.Licenses.CountAsync(l => l.SubscriberOrgId == org)));
        Assert.Equal(1, await app.WithDb(db => db.Leads.CountAsync(l => db.Licenses.Any(x => x.LeadKey == l.Id && x.SubscriberOrgId == org))));
    }

    [SkippableFact]
    public async Task Processing_the_same_batch_twice_changes_nothing_the_second_time()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        var install = Events.Install(package.VersionId, org);
        await app.SendAsync(install);
        var before = await app.LicenseAsync(package.Key, org);

        // A second delivery of the batch: the rows are put back to pending as if the first commit's acknowledgement was lost.
        await app.WithDb(db => db.InstallEvents.Where(e => e.EventId == install.EventId)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.State, InstallEventState.Pending)));
        await app.ProcessInstallEventsAsync();

        var after = await app.LicenseAsync(package.Key, org);
        Assert.Equal(1, await app.WithDb(db => db.Licenses.CountAsync(l => l.SubscriberOrgId == org)));
        Assert.Equal(1, await app.WithDb(db => db.Leads.CountAsync(l => l.Company == "Acme Inc" && db.Licenses.Any(x => x.LeadKey == l.Id && x.SubscriberOrgId == org))));
        Assert.Equal((before!.Id, before.Status, before.ExpirationDate, before.Version), (after!.Id, after.Status, after.ExpirationDate, after.Version));
    }

    [SkippableFact]
    public async Task Install_before_association_waits_and_association_creates_the_license()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(associate: false);
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org));

        Assert.Null(await app.LicenseAsync(package.Key, org));
        var held = await app.WithDb(db => db.InstallEvents.SingleAsync(e => e.OrgId == org));
        Assert.Equal((InstallEventState.Held, HoldCodes.PackageNotAssociated), (held.State, held.HoldCode));

        await using (var scope = app.Scope())
            Assert.True((await scope.ServiceProvider.GetRequiredService<PackageCommands>()
                .SetAssociationAsync(package.Key, new LicenseDefaults(LicenseStatus.Active, null, null), null, default)).Succeeded);
        await app.ProcessInstallEventsAsync();

        var license = await app.LicenseAsync(package.Key, org);
        Assert.NotNull(license);
        Assert.Equal((LicenseStatus.Active, (DateOnly?)null, (int?)null), (license.Status, license.ExpirationDate, license.Seats));
    }

    [SkippableFact]
    public async Task Install_before_association_then_Refresh_Licenses_creates_it()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(associate: false);
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org));
        // Associate without the processor running, then refresh: the refresh alone must produce the license.
        await app.WithDb(db => db.Packages.Where(p => p.Id == package.Key).ExecuteUpdateAsync(s => s.SetProperty(p => p.IsAssociated, true)));

        var refreshId = await RequestRefreshAsync(package.Key);
        await app.Services.GetRequiredService<LicenseRefresher>().RunAsync(refreshId, default);

        Assert.NotNull(await app.LicenseAsync(package.Key, org));
        var refresh = await app.WithDb(db => db.LicenseRefreshes.SingleAsync(r => r.Id == refreshId));
        Assert.Equal((RefreshState.Done, 1), (refresh.State, refresh.LicensesCreated));
        Assert.NotNull(await app.WithDb(db => db.Packages.Where(p => p.Id == package.Key).Select(p => p.LastLicenseRefreshAt).SingleAsync()));
    }

    [SkippableFact]
    public async Task Refresh_corrects_a_license_that_drifted_from_the_log_and_leaves_ISV_fields_alone()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Active, 10, null));
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org), Events.OrgUpdate(package.VersionId, org, usedLicenses: 7));
        // Drift: the record no longer says what the platform said.
        await app.WithDb(db => db.Licenses.Where(l => l.SubscriberOrgId == org).ExecuteUpdateAsync(s => s
            .SetProperty(l => l.ReportedUsedLicenses, 1).SetProperty(l => l.OrgName, "Wrong").SetProperty(l => l.Seats, 50)));

        var refreshId = await RequestRefreshAsync(package.Key);
        await app.Services.GetRequiredService<LicenseRefresher>().RunAsync(refreshId, default);

        var license = await app.LicenseAsync(package.Key, org);
        Assert.Equal((7, "Acme Inc", (int?)50), (license!.ReportedUsedLicenses, license.OrgName, license.Seats));
        var refresh = await app.WithDb(db => db.LicenseRefreshes.SingleAsync(r => r.Id == refreshId));
        Assert.Equal(1, refresh.LicensesUpdated);
        Assert.Contains($"License {license.Id}", refresh.Details);
    }

    [SkippableFact]
    public async Task A_refresh_whose_job_was_lost_is_queued_again_by_the_sweep_and_runs()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var refreshId = await RequestRefreshAsync(package.Key);
        // The job vanished (in-memory job storage restarted): the row is still Queued, from long ago.
        await app.WithDb(db => db.LicenseRefreshes.Where(r => r.Id == refreshId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.RequestedAt, app.Clock.GetUtcNow().UtcDateTime.AddHours(-1))));

        await using (var scope = app.Scope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<LicenseManager.Web.Features.Installs.ProcessInstallEventsJob>().RequeueAbandonedRefreshesAsync(default));
        Assert.Equal(RefreshState.Queued, await app.WithDb(db => db.LicenseRefreshes.Where(r => r.Id == refreshId).Select(r => r.State).SingleAsync()));

        await app.Services.GetRequiredService<LicenseRefresher>().RunAsync(refreshId, default);
        Assert.Equal(RefreshState.Done, await app.WithDb(db => db.LicenseRefreshes.Where(r => r.Id == refreshId).Select(r => r.State).SingleAsync()));
        await using (var scope = app.Scope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<LicenseManager.Web.Features.Installs.ProcessInstallEventsJob>().RequeueAbandonedRefreshesAsync(default));
    }

    [SkippableFact]
    public async Task A_manual_refresh_is_allowed_once_per_interval()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        await RequestRefreshAsync(package.Key);
        await using var scope = app.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<PackageCommands>().RequestRefreshAsync(package.Key, manual: true, default);
        Assert.Equal(PackageCommands.Codes.RefreshTooSoon, Assert.Single(result.Violations).Code);
    }

    [SkippableFact]
    public async Task Inactive_lead_manager_holds_the_install_until_fixed_and_retried()
    {
        Requires.Available(app);
        var manager = await app.CreateUserAsync(Roles.SalesRep);
        var package = await app.CreatePackageAsync(leadManagerId: manager.Id);
        await app.WithDb(db => db.Users.Where(u => u.Id == manager.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, false)));
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org));

        Assert.Null(await app.LicenseAsync(package.Key, org));
        var held = await app.WithDb(db => db.InstallEvents.SingleAsync(e => e.OrgId == org));
        Assert.Equal((InstallEventState.Held, HoldCodes.LeadManagerInactive), (held.State, held.HoldCode));
        Assert.Equal($"Lead manager {manager.DisplayName} is not an active user", held.HoldReason?.TrimEnd('.'));

        var replacement = await app.CreateUserAsync(Roles.LicenseManager);
        await using (var scope = app.Scope())
        {
            var commands = scope.ServiceProvider.GetRequiredService<PackageCommands>();
            Assert.True((await commands.ChangeLeadManagerAsync(package.Key, replacement.Id, null, default)).Succeeded);
            Assert.Equal(1, (await commands.RetryHeldAsync(package.Key, default)).Value);
        }
        await app.ProcessInstallEventsAsync();

        var license = await app.LicenseAsync(package.Key, org);
        Assert.Equal(replacement.Id, license!.Lead!.OwnerId);
    }

    [SkippableFact]
    public async Task Upgrade_moves_the_license_to_the_new_version_and_Latest_Version_follows()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org));
        var v2 = Events.NewVersionId();
        await app.SendAsync(Events.VersionUploaded(package.PackageId, v2, "1.10.0"), Events.VersionUploaded(package.PackageId, Events.NewVersionId(), "1.9.0"));
        await app.SendAsync(Events.Upgrade(v2, org));

        var license = await app.LicenseAsync(package.Key, org);
        Assert.Equal("1.10.0", license!.PackageVersionNumber);
        Assert.Equal("1.10.0", await app.WithDb(db => db.Packages.Where(p => p.Id == package.Key).Select(p => p.LatestVersion).SingleAsync()));
    }

    [SkippableFact]
    public async Task Uninstall_freezes_the_license_and_a_reinstall_reuses_it_with_the_defaults()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Trial, null, 30));
        var org = Events.NewOrgId();
        var t0 = app.Clock.GetUtcNow().AddDays(-3);
        await app.SendAsync(Events.Install(package.VersionId, org, t0), Events.OrgUpdate(package.VersionId, org, 4, t0.AddHours(1)));
        await app.SendAsync(Events.Uninstall(package.VersionId, org, t0.AddDays(1)));

        var uninstalled = await app.LicenseAsync(package.Key, org);
        Assert.Equal(LicenseStatus.Uninstalled, uninstalled!.Status);
        Assert.Null(uninstalled.ReportedUsedLicenses);
        Assert.False(uninstalled.IsEditable);

        await app.SendAsync(Events.Install(package.VersionId, org, t0.AddDays(2)));
        var reinstalled = await app.LicenseAsync(package.Key, org);
        Assert.Equal(uninstalled.Id, reinstalled!.Id);
        Assert.Equal(LicenseStatus.Trial, reinstalled.Status);
        Assert.Equal(DateOnly.FromDateTime(t0.UtcDateTime.AddDays(2)).AddDays(30), reinstalled.ExpirationDate);
        Assert.Equal(1, await app.WithDb(db => db.Licenses.CountAsync(l => l.SubscriberOrgId == org)));
    }

    [SkippableFact]
    public async Task An_event_older_than_the_license_state_does_not_undo_newer_ones()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        var t0 = app.Clock.GetUtcNow().AddDays(-2);
        await app.SendAsync(Events.Install(package.VersionId, org, t0), Events.Uninstall(package.VersionId, org, t0.AddHours(2)));
        await app.SendAsync(Events.Upgrade(package.VersionId, org, t0.AddHours(1))); // late delivery
        Assert.Equal(LicenseStatus.Uninstalled, (await app.LicenseAsync(package.Key, org))!.Status);
    }

    [SkippableFact]
    public async Task Events_that_arrive_before_the_install_wait_and_then_apply_without_blocking_it()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Active, 25, null));
        var org = Events.NewOrgId();
        var t0 = app.Clock.GetUtcNow().AddHours(-3);
        await app.SendAsync(Events.OrgUpdate(package.VersionId, org, 9, t0.AddHours(1))); // delivered before the install
        Assert.Equal(HoldCodes.UnknownLicense, await app.WithDb(db => db.InstallEvents.Where(e => e.OrgId == org).Select(e => e.HoldCode).SingleAsync()));

        await app.SendAsync(Events.Install(package.VersionId, org, t0));

        var license = await app.LicenseAsync(package.Key, org);
        Assert.NotNull(license);
        Assert.Equal(9, license.ReportedUsedLicenses);
        Assert.Equal(0, await app.WithDb(db => db.InstallEvents.CountAsync(e => e.OrgId == org && e.State != InstallEventState.Done)));
    }

    [SkippableFact]
    public async Task Org_update_refreshes_org_fields_and_used_licenses()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Active, 25, null));
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org), Events.OrgUpdate(package.VersionId, org, 12, status: "Free"));
        var license = await app.LicenseAsync(package.Key, org);
        Assert.Equal((12, OrgStatus.Free, "Unlimited Edition"), (license!.ReportedUsedLicenses, license.OrgStatus, license.OrgEdition));
        Assert.Equal(12, license.UsedLicensesShown);
    }

    [SkippableFact]
    public async Task Install_of_an_unknown_version_is_held_and_released_when_the_version_arrives()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        var unknown = Events.NewVersionId();
        await app.SendAsync(Events.Install(unknown, org));
        Assert.Equal(HoldCodes.UnknownPackageVersion, await app.WithDb(db => db.InstallEvents.Where(e => e.OrgId == org).Select(e => e.HoldCode).SingleAsync()));

        await app.SendAsync(Events.VersionUploaded(package.PackageId, unknown, "2.0.0"));
        await app.ProcessInstallEventsAsync();
        Assert.Equal("2.0.0", (await app.LicenseAsync(package.Key, org))!.PackageVersionNumber);
    }

    [SkippableFact]
    public async Task Uninstalled_license_cannot_be_modified_even_by_a_forged_post()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org), Events.Uninstall(package.VersionId, org));
        var license = (await app.LicenseAsync(package.Key, org))!;

        using var admin = await app.SignInAsAdminAsync();
        var page = await admin.GetPageAsync($"/licenses/{license.Id}/modify");
        Assert.Contains("can't be edited", page);
        var forged = await admin.PostFormAsync($"/licenses/{license.Id}/modify",
            new() { ["Status"] = "Active", ["SiteLicense"] = "true", ["DoesNotExpire"] = "true", ["Version"] = license.Version.ToString() },
            tokenFrom: "/licenses");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, forged.StatusCode);
        Assert.Equal(LicenseStatus.Uninstalled, (await app.LicenseAsync(package.Key, org))!.Status);
    }

    private async Task<long> RequestRefreshAsync(long packageKey)
    {
        await using var scope = app.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<PackageCommands>().RequestRefreshAsync(packageKey, manual: true, default);
        Assert.True(result.Succeeded);
        return result.Value;
    }

    [SkippableFact]
    public async Task Leads_and_licenses_written_set_based_read_back_as_EF_writes_them_and_take_later_changes()
    {
        // The processor writes new leads and licenses and the batch's log rows beside EF: ids from the table's own
        // sequence (never one given before, even after a delete), the audit stamp, the log row's link to its license,
        // and a later change through EF (an upgrade) with its version and field history.
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var (first, second, third) = (Events.NewOrgId(), Events.NewOrgId(), Events.NewOrgId());
        var installs = new[] { Events.Install(package.VersionId, first), Events.Install(package.VersionId, second) };
        foreach (var install in installs) Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventAsync(install)).StatusCode);
        await app.ProcessInstallEventsAsync();
        var created = (await app.LicenseAsync(package.Key, second))!;
        await app.WithDb(async db =>
        {
            await db.LicenseFieldChanges.Where(c => c.LicenseKey == created.Id).ExecuteDeleteAsync();
            await db.Licenses.Where(l => l.Id == created.Id).ExecuteDeleteAsync();
        });
        await app.SendAsync(Events.Install(package.VersionId, third));

        var licenses = await app.WithDb(db => db.Licenses.AsNoTracking().Include(l => l.Lead)
            .Where(l => l.PackageKey == package.Key).OrderBy(l => l.Id).ToListAsync());
        Assert.Equal([first, third], licenses.Select(l => l.SubscriberOrgId));
        Assert.True(licenses[1].Id > created.Id, $"license {licenses[1].Id} reuses an id given before ({created.Id})");
        var now = app.Clock.GetUtcNow().UtcDateTime;
        foreach (var license in licenses)
        {
            Assert.Equal((now, Actor.LmaName, now, Actor.LmaName, 0), (license.CreatedAt, license.CreatedBy, license.LastModifiedAt, license.LastModifiedBy, license.Version));
            Assert.Equal((now, Actor.LmaName), (license.Lead!.CreatedAt, license.Lead.CreatedBy));
            Assert.Equal(license.LeadKey, license.Lead.Id);
        }
        var log = await app.WithDb(db => db.InstallEvents.AsNoTracking().SingleAsync(e => e.EventId == installs[0].EventId));
        Assert.Equal((InstallEventState.Done, 1, now, licenses[0].Id, package.Key), (log.State, log.Attempts, log.ProcessedAt, log.LicenseKey, log.PackageKey));
        Assert.Null(log.HoldCode);

        var upgrade = Events.NewVersionId();
        await app.SendAsync(Events.VersionUploaded(package.PackageId, upgrade, "1.1.0"));
        await app.SendAsync(Events.Upgrade(upgrade, first));
        var upgraded = (await app.LicenseAsync(package.Key, first))!;
        Assert.Equal(("1.1.0", 1), (upgraded.PackageVersionNumber, upgraded.Version));
        var history = await app.WithDb(db => db.LicenseFieldChanges.AsNoTracking().Where(c => c.LicenseKey == upgraded.Id).ToListAsync());
        Assert.Contains(history, c => c.OldValue == "1.0.0" && c.NewValue == "1.1.0");
    }
}

[Collection(SqliteCollection.Name)]
public sealed class InstallPipelineTests_Sqlite(SqliteApp app) : InstallPipelineTests(app);
[Collection(PostgresCollection.Name)]
public sealed class InstallPipelineTests_PostgreSql(PostgresApp app) : InstallPipelineTests(app);
