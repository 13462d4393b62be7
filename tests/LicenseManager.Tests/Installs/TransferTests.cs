using System.Net;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Tests.Web;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Tests.Installs;

/// <summary>Moving the LMA: export from one instance, import into a fresh one, and the licenses are rebuilt.</summary>
public sealed class TransferTests(DemoApp source, SqliteApp target) : IClassFixture<DemoApp>, IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Export_then_import_into_a_fresh_instance_rebuilds_packages_and_licenses()
    {
        using var sourceAdmin = await source.SignInAsAdminAsync();
        var export = await sourceAdmin.GetAsync("/admin/transfer/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var file = await export.Content.ReadAsByteArrayAsync();

        using var targetAdmin = await target.SignInAsAdminAsync();
        var tokenPage = await targetAdmin.GetPageAsync("/admin/transfer");
        var token = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(tokenPage).QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" }, { new ByteArrayContent(file), "file", "lma.jsonl" } };
        var import = await targetAdmin.Http.PostAsync("/admin/transfer/import", form);
        Assert.True(import.StatusCode == HttpStatusCode.Redirect, await import.Content.ReadAsStringAsync());
        await target.ProcessInstallEventsAsync();

        async Task<(int Packages, int Associated, Dictionary<(string, string), LicenseStatus> Licenses)> Shape(LmaApp app) => await app.WithDb(async db => (
            await db.Packages.CountAsync(),
            await db.Packages.CountAsync(p => p.IsAssociated),
            (await db.Licenses.Select(l => new { l.Package.PackageId, l.SubscriberOrgId, l.Status }).ToListAsync())
                .ToDictionary(l => (l.PackageId, l.SubscriberOrgId), l => l.Status)));
        var (sourcePackages, sourceAssociated, sourceLicenses) = await Shape(source);
        var (targetPackages, targetAssociated, targetLicenses) = await Shape(target);
        Assert.Equal((sourcePackages, sourceAssociated), (targetPackages, targetAssociated));
        // Every license comes back from the log, uninstalled ones uninstalled. (Installs held in the source because its
        // lead manager is inactive become licenses here, owned by the LMA, since that user doesn't exist here.)
        foreach (var (key, status) in sourceLicenses)
        {
            Assert.True(targetLicenses.TryGetValue(key, out var rebuilt), $"license of {key} not rebuilt");
            Assert.Equal(status == LicenseStatus.Uninstalled, rebuilt == LicenseStatus.Uninstalled);
        }

        var again = await targetAdmin.Http.PostAsync("/admin/transfer/import", new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" }, { new ByteArrayContent(file), "file", "lma.jsonl" },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Contains("fresh instance", await again.Content.ReadAsStringAsync());
    }
}
