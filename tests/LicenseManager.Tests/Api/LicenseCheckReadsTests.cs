using System.Net;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.Licenses;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Api;

/// <summary>
/// Issue 15: on SQLite and PostgreSQL the license check reads through a prepared ADO.NET command, not a DbContext. Its
/// SQL is held to EF's reading of the model (the compiled queries SQL Server still uses), for every answer the check
/// gives, and a change saved through this node's API is still seen by the very next check (the cache, 300 s here, is
/// dropped on save).
/// </summary>
public abstract class LicenseCheckReadsTests(LmaApp app)
{
    private static readonly LicenseDefaults ActiveSiteLicense = new(LicenseStatus.Active, null, null);

    [SkippableFact]
    public async Task Each_answer_is_read_through_the_providers_own_command_exactly_as_EF_reads_it()
    {
        Requires.Available(app);
        var reads = app.Services.GetRequiredService<LicenseCheckReads>();
        Assert.IsNotType<LicenseCheckReads.EfCoreReads>(reads); // this provider's ADO.NET path, not the EF fallback
        var ef = new LicenseCheckReads.EfCoreReads(app.Services.GetRequiredService<IServiceScopeFactory>());

        var seated = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 2, 365));
        var site = await app.LicensedOrgAsync(ActiveSiteLicense);
        var expired = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Trial, null, 30));
        var suspended = await app.LicensedOrgAsync(ActiveSiteLicense);
        var uninstalled = await app.LicensedOrgAsync(ActiveSiteLicense);
        var today = TestClock.Today(app.Clock);
        await app.WithDb(db => db.Licenses.Where(l => l.Id == expired.LicenseName).ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpirationDate, today.AddDays(-1))));
        await app.WithDb(db => db.Licenses.Where(l => l.Id == suspended.LicenseName).ExecuteUpdateAsync(s => s.SetProperty(l => l.Status, LicenseStatus.Suspended)));
        await app.SendAsync(Events.Uninstall(uninstalled.Package.VersionId, uninstalled.OrgId));
        var api = app.ApiClient(await app.CreateKeyAsync());
        Assert.Equal(HttpStatusCode.Created, (await api.PutAsync(seated.SeatUrl("005HOLDER"), null)).StatusCode);

        // In this order the second seated check finds the license cached and reads the user's seat alone.
        var cases = new (ApiTestKit.LicensedOrg Org, string? User, string Code, bool HoldsSeat)[]
        {
            (seated, "005HOLDER", "OK", true),
            (seated, "005OTHER", "NO_SEAT", false),
            (seated, "005holder", "NO_SEAT", false), // user ids are case-sensitive
            (seated, null, "OK", false),
            (site, "005ANYONE", "OK", false),
            (expired, null, "EXPIRED", false),
            (suspended, "005ANYONE", "SUSPENDED", false),
            (uninstalled, null, "UNINSTALLED", false),
        };
        foreach (var (org, user, code, holdsSeat) in cases)
        {
            var row = await reads.FindLicenseAsync(org.Package.PackageId, org.OrgId, user ?? "", default);
            Assert.NotNull(row);
            Assert.Equal(await ef.FindLicenseAsync(org.Package.PackageId, org.OrgId, user ?? "", default), row);
            Assert.Equal((org.LicenseName, holdsSeat), (row.Id, row.HoldsSeat));
            Assert.Equal(code, await api.CheckCodeAsync(org.CheckUrl(user)));
        }
        var seatedRow = await reads.FindLicenseAsync(seated.Package.PackageId, seated.OrgId, "", default);
        Assert.Equal((LicenseStatus.Active, 2, today.AddDays(365), "1.0.0"), (seatedRow!.Status, seatedRow.Seats, seatedRow.ExpirationDate, seatedRow.PackageVersionNumber));
        Assert.Null((await reads.FindLicenseAsync(site.Package.PackageId, site.OrgId, "", default))!.ExpirationDate);
        Assert.Equal(LicenseStatus.Uninstalled, (await reads.FindLicenseAsync(uninstalled.Package.PackageId, uninstalled.OrgId, "", default))!.Status);

        foreach (var (user, holds) in new[] { ("005HOLDER", true), ("005OTHER", false), ("005holder", false) })
        {
            Assert.Equal(holds, await reads.HoldsSeatAsync(seated.LicenseName, user, default));
            Assert.Equal(holds, await ef.HoldsSeatAsync(seated.LicenseName, user, default));
        }

        // No license: an org without one, and a package nobody installed.
        var noLicense = seated with { OrgId = Events.NewOrgId() };
        Assert.Null(await reads.FindLicenseAsync(noLicense.Package.PackageId, noLicense.OrgId, "005HOLDER", default));
        Assert.Null(await ef.FindLicenseAsync(noLicense.Package.PackageId, noLicense.OrgId, "005HOLDER", default));
        Assert.Null(await reads.FindLicenseAsync(Events.NewPackageId(), seated.OrgId, "", default));
        Assert.Equal("NOT_FOUND", await api.CheckCodeAsync(noLicense.CheckUrl("005HOLDER")));
    }

    [SkippableFact]
    public async Task A_change_through_the_Modify_License_API_is_seen_by_the_next_check_on_this_node()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(ActiveSiteLicense);
        var api = app.ApiClient(await app.CreateKeyAsync());
        var url = $"/api/v1/licenses/{org.LicenseName}";
        Assert.Equal("OK", await api.CheckCodeAsync(org.CheckUrl("005A"))); // cached for 300 s from here

        var etag = (await api.GetAsync(url)).Headers.ETag!.Tag;
        var suspended = await api.PostJsonAsync(url + "/modify", new { status = "Suspended", siteLicense = true, doesNotExpire = true }, etag);
        Assert.Equal(HttpStatusCode.OK, suspended.StatusCode);
        Assert.Equal("SUSPENDED", await api.CheckCodeAsync(org.CheckUrl("005A")));

        var seats = await api.PostJsonAsync(url + "/modify", new { status = "Active", siteLicense = false, seats = 1, doesNotExpire = true }, suspended.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, seats.StatusCode);
        Assert.Equal("NO_SEAT", await api.CheckCodeAsync(org.CheckUrl("005A")));
        Assert.Equal(HttpStatusCode.Created, (await api.PutAsync(org.SeatUrl("005A"), null)).StatusCode);
        Assert.Equal("OK", await api.CheckCodeAsync(org.CheckUrl("005A")));
    }
}

/// <summary>An app whose check answers stay cached for 300 s, so a cached answer outlives every test here.</summary>
public sealed class LongCheckCacheSqliteApp() : SqliteApp(("Lma:Api:CheckCacheSeconds", "300"));

/// <inheritdoc cref="LongCheckCacheSqliteApp"/>
public sealed class LongCheckCachePostgresApp : PostgresApp
{
    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?> { ["Lma:Api:CheckCacheSeconds"] = "300" };
}

public sealed class LicenseCheckReadsTests_Sqlite(LongCheckCacheSqliteApp app) : LicenseCheckReadsTests(app), IClassFixture<LongCheckCacheSqliteApp>;
public sealed class LicenseCheckReadsTests_PostgreSql(LongCheckCachePostgresApp app) : LicenseCheckReadsTests(app), IClassFixture<LongCheckCachePostgresApp>;
