using System.Diagnostics;
using System.Net;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.Packages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Installs;

/// <summary>The app as it runs in production: the Hangfire server and the processor pump on, nobody driving them.</summary>
public sealed class LiveApp() : SqliteApp(("Lma:Jobs:RunServer", "true"));

public sealed class LiveProcessingTests(LiveApp app) : IClassFixture<LiveApp>
{
    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await probe() is { } found) return found;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"{what} did not happen within 30 s");
    }

    [Fact]
    public async Task Accepted_installs_become_licenses_without_anyone_running_the_processor()
    {
        var (packageId, versionId, org) = (Events.NewPackageId(), Events.NewVersionId(), Events.NewOrgId());
        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventAsync(Events.VersionUploaded(packageId, versionId))).StatusCode);
        var package = await EventuallyAsync(() => app.WithDb(db => db.Packages.AsNoTracking().FirstOrDefaultAsync(p => p.PackageId == packageId)), "the package upload");
        await using (var scope = app.Scope())
            Assert.True((await scope.ServiceProvider.GetRequiredService<PackageCommands>()
                .SetAssociationAsync(package.Id, new LicenseDefaults(LicenseStatus.Trial, null, 30), null, default)).Succeeded);

        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventAsync(Events.Install(versionId, org))).StatusCode);
        var license = await EventuallyAsync(() => app.WithDb(db => db.Licenses.AsNoTracking().FirstOrDefaultAsync(l => l.SubscriberOrgId == org)), "the license");
        Assert.Equal(LicenseStatus.Trial, license.Status);
        Assert.Equal(InstallEventState.Done, await app.WithDb(db => db.InstallEvents.Where(e => e.OrgId == org).Select(e => e.State).SingleAsync()));
    }
}
