using System.Net;
using AngleSharp.Html.Parser;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Tests.Web;

/// <summary>Modify License, Convert Lead, Change Lead Manager and saved views, through the real pages and forms.</summary>
public abstract class LicenseWorkTests(LmaApp app)
{
    private async Task<License> NewLicenseAsync(LicenseDefaults? defaults = null, int usedLicenses = 0)
    {
        var package = await app.CreatePackageAsync(defaults: defaults);
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org));
        if (usedLicenses > 0) await app.SendAsync(Events.OrgUpdate(package.VersionId, org, usedLicenses));
        return (await app.LicenseAsync(package.Key, org))!;
    }

    private static Dictionary<string, string> Form(License l, string status, int? seats, DateOnly? expires, int? version = null) => new()
    {
        ["Status"] = status,
        ["SiteLicense"] = seats is null ? "true" : "false",
        ["Seats"] = seats?.ToString() ?? "",
        ["DoesNotExpire"] = expires is null ? "true" : "false",
        ["ExpirationDate"] = expires?.ToString("yyyy-MM-dd") ?? "",
        ["Version"] = (version ?? l.Version).ToString(),
    };

    [SkippableFact]
    public async Task Modify_license_saves_and_records_field_history()
    {
        Requires.Available(app);
        var license = await NewLicenseAsync();
        using var manager = await app.SignInAsNewUserAsync(Roles.LicenseManager);
        var response = await manager.PostFormAsync($"/licenses/{license.Id}/modify", Form(license, "Active", 40, null));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var saved = await app.WithDb(db => db.Licenses.SingleAsync(l => l.Id == license.Id));
        Assert.Equal((LicenseStatus.Active, (int?)40, (DateOnly?)null), (saved.Status, saved.Seats, saved.ExpirationDate));
        var history = await app.WithDb(db => db.LicenseFieldChanges.Where(h => h.LicenseKey == license.Id).ToListAsync());
        Assert.Contains(history, h => h.Field == "License Status" && h.OldValue == "Trial" && h.NewValue == "Active" && h.ChangedBy.StartsWith(Roles.LicenseManager));
        Assert.Contains(history, h => h.Field == "Licensed Seats" && h.OldValue == "Site License" && h.NewValue == "40");
        Assert.Contains(history, h => h.Field == "Expiration Date" && h.NewValue == "Does not expire");
        Assert.Contains("Active", await manager.GetPageAsync($"/licenses/{license.Id}"));
    }

    [SkippableFact]
    public async Task A_trial_longer_than_90_days_is_refused_with_a_message_at_the_field()
    {
        Requires.Available(app);
        var license = await NewLicenseAsync();
        using var admin = await app.SignInAsAdminAsync();
        var tooLate = DateOnly.FromDateTime(license.InstallDate).AddDays(91);
        var response = await admin.PostFormAsync($"/licenses/{license.Id}/modify", Form(license, "Trial", null, tooLate));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var doc = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        Assert.Contains("at most 90 days", doc.QuerySelector("[data-testid=error-expiration]")!.TextContent);
        Assert.Equal(tooLate.ToString("yyyy-MM-dd"), doc.QuerySelector("#ExpirationDate")!.GetAttribute("value"));
        Assert.Equal(license.ExpirationDate, (await app.WithDb(db => db.Licenses.SingleAsync(l => l.Id == license.Id))).ExpirationDate);
    }

    [SkippableFact]
    public async Task Seats_outside_the_limit_and_missing_values_are_refused_at_their_fields()
    {
        Requires.Available(app);
        var license = await NewLicenseAsync();
        using var admin = await app.SignInAsAdminAsync();
        var over = await admin.PostFormAsync($"/licenses/{license.Id}/modify", Form(license, "Active", 99_000_001, null));
        Assert.Contains("99,000,000", new HtmlParser().ParseDocument(await over.Content.ReadAsStringAsync()).QuerySelector("[data-testid=error-seats]")!.TextContent);
        var form = Form(license, "Active", null, null);
        form["SiteLicense"] = "false";
        var missing = await admin.PostFormAsync($"/licenses/{license.Id}/modify", form);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Contains("Enter a number of seats", await missing.Content.ReadAsStringAsync());
        var garbage = await admin.PostFormAsync($"/licenses/{license.Id}/modify", new() { ["Status"] = "Bogus", ["Seats"] = "abc", ["ExpirationDate"] = "not-a-date", ["Version"] = "x" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, garbage.StatusCode);
    }

    [SkippableFact]
    public async Task The_second_of_two_concurrent_edits_is_refused_and_sees_the_current_values()
    {
        Requires.Available(app);
        var license = await NewLicenseAsync(new LicenseDefaults(LicenseStatus.Active, 10, null));
        using var first = await app.SignInAsAdminAsync();
        using var second = await app.SignInAsNewUserAsync(Roles.LicenseManager);
        var staleVersion = license.Version;

        Assert.Equal(HttpStatusCode.Redirect, (await first.PostFormAsync($"/licenses/{license.Id}/modify", Form(license, "Active", 20, null, staleVersion))).StatusCode);
        var conflict = await second.PostFormAsync($"/licenses/{license.Id}/modify", Form(license, "Suspended", 30, null, staleVersion));

        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        var doc = new HtmlParser().ParseDocument(await conflict.Content.ReadAsStringAsync());
        Assert.Contains("Someone else changed this license", doc.QuerySelector("[data-testid=form-error]")!.TextContent);
        Assert.Equal("20", doc.QuerySelector("#Seats")!.GetAttribute("value"));
        var saved = await app.WithDb(db => db.Licenses.SingleAsync(l => l.Id == license.Id));
        Assert.Equal((LicenseStatus.Active, (int?)20), (saved.Status, saved.Seats));
    }

    [SkippableFact]
    public async Task Seats_below_used_licenses_warn_and_show_negative_available()
    {
        Requires.Available(app);
        var license = await NewLicenseAsync(new LicenseDefaults(LicenseStatus.Active, 50, null), usedLicenses: 12);
        using var admin = await app.SignInAsAdminAsync();
        var response = await admin.PostFormAsync($"/licenses/{license.Id}/modify", Form(license, "Active", 10, null));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = new HtmlParser().ParseDocument(await admin.GetPageAsync($"/licenses/{license.Id}"));
        Assert.Contains("revokes 2", page.QuerySelector("[data-testid=flash-warning]")!.TextContent);
        Assert.Equal("-2", page.QuerySelector("[data-testid=field-available]")!.TextContent.Trim());
    }

    [SkippableFact]
    public async Task Converting_a_lead_gives_its_licenses_the_account_and_contact()
    {
        Requires.Available(app);
        var license = await NewLicenseAsync();
        using var rep = await app.SignInAsNewUserAsync(Roles.SalesRep);
        var response = await rep.PostFormAsync($"/leads/{license.LeadKey}/convert", new() { ["accountChoice"] = "new", ["newAccountName"] = "Acme Holdings" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var converted = await app.WithDb(db => db.Licenses.Include(l => l.Account).Include(l => l.Contact).Include(l => l.Lead).SingleAsync(l => l.Id == license.Id));
        Assert.Equal("Acme Holdings", converted.Account!.Name);
        Assert.Equal("Lovelace", converted.Contact!.LastName);
        Assert.True(converted.Lead!.IsConverted);
        Assert.Contains("has been converted", await rep.GetPageAsync($"/leads/{license.LeadKey}"));
        Assert.Contains("data-testid=\"account-licenses\"", await rep.GetPageAsync($"/accounts/{converted.AccountKey}"));
        Assert.Contains(await app.WithDb(db => db.LicenseFieldChanges.Where(h => h.LicenseKey == license.Id).Select(h => h.Field).ToListAsync()), f => f == "Account");

        var again = await rep.PostFormAsync($"/leads/{license.LeadKey}/convert", new() { ["accountChoice"] = "new", ["newAccountName"] = "Twice" }, tokenFrom: "/leads");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
    }

    [SkippableFact]
    public async Task Convert_lead_suggests_the_account_already_linked_to_the_same_org()
    {
        Requires.Available(app);
        var first = await NewLicenseAsync();
        using var admin = await app.SignInAsAdminAsync();
        await admin.PostFormAsync($"/leads/{first.LeadKey}/convert", new() { ["accountChoice"] = "new", ["newAccountName"] = "Org Account" });
        var accountKey = await app.WithDb(db => db.Licenses.Where(l => l.Id == first.Id).Select(l => l.AccountKey).SingleAsync());

        // The same org installs a second package: its new lead is offered the existing account.
        var other = await app.CreatePackageAsync();
        await app.SendAsync(Events.Install(other.VersionId, first.SubscriberOrgId));
        var second = (await app.LicenseAsync(other.Key, first.SubscriberOrgId))!;
        var page = await admin.GetPageAsync($"/leads/{second.LeadKey}");
        Assert.Contains($"value=\"{accountKey}\"", page);
        Assert.Contains($"already linked to subscriber org {first.SubscriberOrgId}", page);

        await admin.PostFormAsync($"/leads/{second.LeadKey}/convert", new() { ["accountChoice"] = accountKey!.ToString()! });
        Assert.Equal(accountKey, await app.WithDb(db => db.Licenses.Where(l => l.Id == second.Id).Select(l => l.AccountKey).SingleAsync()));
    }

    [SkippableFact]
    public async Task Change_lead_manager_offers_only_active_users_who_can_read_licenses()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var eligible = await app.CreateUserAsync(Roles.SalesRep);
        var inactive = await app.CreateUserAsync(Roles.SalesRep, active: false);
        using var manager = await app.SignInAsNewUserAsync(Roles.LicenseManager);
        var page = new HtmlParser().ParseDocument(await manager.GetPageAsync($"/packages/{package.Key}"));
        var offered = page.QuerySelectorAll("[data-testid=lead-manager-form] option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Contains(eligible.Id, offered);
        Assert.DoesNotContain(inactive.Id, offered);

        var version = await app.WithDb(db => db.Packages.Where(p => p.Id == package.Key).Select(p => p.Version).SingleAsync());
        var refused = await manager.PostFormAsync($"/packages/{package.Key}/lead-manager", new() { ["leadManagerId"] = inactive.Id, ["version"] = version.ToString() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("inactive users can&#x27;t own leads", await refused.Content.ReadAsStringAsync());

        var saved = await manager.PostFormAsync($"/packages/{package.Key}/lead-manager", new() { ["leadManagerId"] = eligible.Id, ["version"] = version.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org));
        Assert.Equal(eligible.Id, (await app.LicenseAsync(package.Key, org))!.Lead!.OwnerId);
    }

    [SkippableFact]
    public async Task Associating_a_package_validates_the_defaults_at_their_fields()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(associate: false);
        using var manager = await app.SignInAsNewUserAsync(Roles.LicenseManager);
        var version = await app.WithDb(db => db.Packages.Where(p => p.Id == package.Key).Select(p => p.Version).SingleAsync());
        var refused = await manager.PostFormAsync($"/packages/{package.Key}/association",
            new() { ["Status"] = "Trial", ["SiteLicense"] = "true", ["LengthDays"] = "120", ["Version"] = version.ToString() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("A trial lasts from 1 to 90 days", await refused.Content.ReadAsStringAsync());

        var saved = await manager.PostFormAsync($"/packages/{package.Key}/association",
            new() { ["Status"] = "Active", ["Seats"] = "15", ["DoesNotExpire"] = "true", ["Version"] = version.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var p = await app.WithDb(db => db.Packages.SingleAsync(x => x.Id == package.Key));
        Assert.Equal((true, LicenseStatus.Active, (int?)15, (int?)null), (p.IsAssociated, p.DefaultStatus, p.DefaultSeats, p.DefaultLengthDays));

        using var rep = await app.SignInAsNewUserAsync(Roles.SalesRep);
        var forbidden = await rep.PostFormAsync($"/packages/{package.Key}/association", new() { ["Status"] = "Trial", ["LengthDays"] = "5", ["SiteLicense"] = "true", ["Version"] = p.Version.ToString() }, tokenFrom: "/packages");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [SkippableFact]
    public async Task Users_save_their_own_filtered_views()
    {
        Requires.Available(app);
        using var rep = await app.SignInAsNewUserAsync(Roles.SalesRep);
        var saved = await rep.PostFormAsync("/saved-views", new() { ["list"] = "licenses", ["name"] = "My suspended", ["query"] = "?status=Suspended" }, tokenFrom: "/licenses");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Contains("My suspended", await rep.GetPageAsync("/licenses"));
        using var other = await app.SignInAsNewUserAsync(Roles.SalesRep);
        Assert.DoesNotContain("My suspended", await other.GetPageAsync("/licenses"));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class LicenseWorkTests_Sqlite(SqliteApp app) : LicenseWorkTests(app);
[Collection(PostgresCollection.Name)]
public sealed class LicenseWorkTests_PostgreSql(PostgresApp app) : LicenseWorkTests(app);

[Collection(SqliteCollection.Name)]
public sealed class LicenseDeletionTests(SqliteApp app)
{
    [Fact]
    public async Task Only_an_administrator_deletes_the_license_of_an_org_that_no_longer_exists_after_confirming_its_id()
    {
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org));
        var license = (await app.LicenseAsync(package.Key, org))!;

        using var manager = await app.SignInAsNewUserAsync(Roles.LicenseManager);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostFormAsync($"/licenses/{license.Id}/delete", new() { ["confirmOrgId"] = org }, tokenFrom: "/licenses")).StatusCode);

        using var admin = await app.SignInAsAdminAsync();
        await admin.PostFormAsync($"/licenses/{license.Id}/delete", new() { ["confirmOrgId"] = "wrong" }, tokenFrom: "/licenses");
        Assert.NotNull(await app.LicenseAsync(package.Key, org));

        var deleted = await admin.PostFormAsync($"/licenses/{license.Id}/delete", new() { ["confirmOrgId"] = org }, tokenFrom: "/licenses");
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Null(await app.LicenseAsync(package.Key, org));
        // The installation log keeps the org's events, marked so Refresh Licenses doesn't bring the license back.
        Assert.Equal(HoldCodes.LicenseDeleted, await app.WithDb(db => db.InstallEvents.Where(e => e.OrgId == org).Select(e => e.HoldCode).SingleAsync()));
    }
}
