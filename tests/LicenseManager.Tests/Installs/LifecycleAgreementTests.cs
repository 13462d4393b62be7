using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Features.Packages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Installs;

/// <summary>
/// The processor and Refresh Licenses apply the same lifecycle: once the processor has applied a log, a refresh of
/// it finds nothing to correct. Each scenario is one the two used to answer differently.
/// </summary>
public abstract class LifecycleAgreementTests(LmaApp app)
{
    [SkippableFact]
    public async Task An_upgrade_after_an_uninstall_leaves_the_license_uninstalled_and_a_refresh_agrees()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Trial, null, 30));
        var org = Events.NewOrgId();
        var t0 = app.Clock.GetUtcNow().AddDays(-3);
        await app.SendAsync(Events.Install(package.VersionId, org, t0), Events.Uninstall(package.VersionId, org, t0.AddHours(1)));
        await app.SendAsync(Events.Upgrade(package.VersionId, org, t0.AddHours(2)));
        Assert.Equal(LicenseStatus.Uninstalled, (await app.LicenseAsync(package.Key, org))!.Status);

        await AssertRefreshChangesNothingAsync(package.Key, org);
        Assert.Equal(LicenseStatus.Uninstalled, (await app.LicenseAsync(package.Key, org))!.Status);
    }

    [SkippableFact]
    public async Task An_org_report_older_than_the_install_is_stale_for_the_processor_and_for_a_refresh()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Active, 25, null));
        var org = Events.NewOrgId();
        var t0 = app.Clock.GetUtcNow().AddHours(-3);
        await app.SendAsync(Events.Install(package.VersionId, org, t0));
        await app.SendAsync(Events.OrgUpdate(package.VersionId, org, 9, t0.AddHours(-1))); // reported before the install, delivered after
        Assert.Null((await app.LicenseAsync(package.Key, org))!.ReportedUsedLicenses);

        await AssertRefreshChangesNothingAsync(package.Key, org);
        Assert.Null((await app.LicenseAsync(package.Key, org))!.ReportedUsedLicenses);
    }

    [SkippableFact]
    public async Task An_uninstall_does_not_change_org_details_and_a_refresh_agrees()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        var t0 = app.Clock.GetUtcNow().AddHours(-3);
        var uninstall = Events.Uninstall(package.VersionId, org, t0.AddHours(1));
        uninstall.Org!.Name = "Renamed at uninstall";
        await app.SendAsync(Events.Install(package.VersionId, org, t0), uninstall);
        Assert.Equal("Acme Inc", (await app.LicenseAsync(package.Key, org))!.OrgName);

        await AssertRefreshChangesNothingAsync(package.Key, org);
        Assert.Equal("Acme Inc", (await app.LicenseAsync(package.Key, org))!.OrgName);
    }

    [SkippableFact]
    public async Task A_full_history_applied_live_needs_no_correction()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Active, 10, 365));
        var org = Events.NewOrgId();
        var t0 = app.Clock.GetUtcNow().AddDays(-5);
        var v2 = Events.NewVersionId();
        await app.SendAsync(Events.VersionUploaded(package.PackageId, v2, "1.1.0"));
        await app.SendAsync(Events.Install(package.VersionId, org, t0), Events.OrgUpdate(package.VersionId, org, 4, t0.AddHours(1)),
            Events.Upgrade(v2, org, t0.AddHours(2)), Events.Uninstall(v2, org, t0.AddDays(1)),
            Events.OrgUpdate(v2, org, 6, t0.AddDays(1).AddHours(1)), Events.Install(v2, org, t0.AddDays(2)),
            Events.OrgUpdate(v2, org, 3, t0.AddDays(2).AddHours(1), status: "Free"));
        var license = await app.LicenseAsync(package.Key, org);
        Assert.Equal((LicenseStatus.Active, "1.1.0", (int?)3, OrgStatus.Free), (license!.Status, license.PackageVersionNumber, license.ReportedUsedLicenses, license.OrgStatus));

        await AssertRefreshChangesNothingAsync(package.Key, org);
    }

    private async Task AssertRefreshChangesNothingAsync(long packageKey, string org)
    {
        var before = await app.LicenseAsync(packageKey, org);
        long refreshId;
        await using (var scope = app.Scope())
        {
            // The weekly limit is not what is tested here: let the refresh run now.
            await scope.ServiceProvider.GetRequiredService<Core.Data.LicenseManagerDbContext>().Packages.Where(p => p.Id == packageKey)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastLicenseRefreshAt, (DateTime?)null));
            var result = await scope.ServiceProvider.GetRequiredService<PackageCommands>().RequestRefreshAsync(packageKey, manual: true, default);
            Assert.True(result.Succeeded);
            refreshId = result.Value;
        }
        await app.Services.GetRequiredService<LicenseRefresher>().RunAsync(refreshId, default);

        var refresh = await app.WithDb(db => db.LicenseRefreshes.SingleAsync(r => r.Id == refreshId));
        Assert.Equal(RefreshState.Done, refresh.State);
        Assert.True(refresh.LicensesUpdated == 0, $"The refresh corrected what the processor wrote: {refresh.Details}");
        var after = await app.LicenseAsync(packageKey, org);
        Assert.Equal(before!.Version, after!.Version);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class LifecycleAgreementTests_Sqlite(SqliteApp app) : LifecycleAgreementTests(app);
[Collection(PostgresCollection.Name)]
public sealed class LifecycleAgreementTests_PostgreSql(PostgresApp app) : LifecycleAgreementTests(app);
