using System.Net;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Web;

[Collection(SqliteCollection.Name)]
public sealed class PeopleAndPermissionsTests(SqliteApp app)
{
    [Fact]
    public async Task Anonymous_visitors_are_sent_to_the_login_page()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.GetAsync("/licenses");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/sign-in", response.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/sign-in")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task The_administrator_from_configuration_can_sign_in()
    {
        using var admin = await app.SignInAsAdminAsync();
        var home = await admin.GetPageAsync("/");
        Assert.Contains("data-testid=\"summary\"", home);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account()
    {
        var user = await app.CreateUserAsync(Roles.SalesRep);
        using var client = new BrowserClient(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }));
        for (var i = 0; i < 5; i++)
            await client.PostFormAsync("/sign-in", new() { ["Email"] = user.Email!, ["Password"] = "wrong-password-1A" });
        var withRightPassword = await client.PostFormAsync("/sign-in", new() { ["Email"] = user.Email!, ["Password"] = LmaApp.UserPassword });
        Assert.Equal(HttpStatusCode.OK, withRightPassword.StatusCode); // the form again, not a redirect
        Assert.Contains("locked", await withRightPassword.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_deactivated_user_cannot_sign_in()
    {
        var user = await app.CreateUserAsync(Roles.SalesRep, active: false);
        using var client = new BrowserClient(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }));
        var response = await client.PostFormAsync("/sign-in", new() { ["Email"] = user.Email!, ["Password"] = LmaApp.UserPassword });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("deactivated", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_user_with_a_generated_password_must_change_it_before_anything_else()
    {
        var user = await app.CreateUserAsync(Roles.SalesRep);
        await using (var scope = app.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var u = await users.FindByIdAsync(user.Id);
            u!.MustChangePassword = true;
            await users.UpdateAsync(u);
        }
        using var client = await app.SignInAsync(user.Email!, LmaApp.UserPassword);
        var page = await client.GetAsync("/licenses");
        Assert.Equal("/change-password", page.Headers.Location?.OriginalString);

        var weak = await client.PostFormAsync("/change-password", new() { ["CurrentPassword"] = LmaApp.UserPassword, ["NewPassword"] = "short", ["ConfirmPassword"] = "short" });
        Assert.Equal(HttpStatusCode.OK, weak.StatusCode);
        Assert.Contains("at least 12", await weak.Content.ReadAsStringAsync());

        var changed = await client.PostFormAsync("/change-password", new() { ["CurrentPassword"] = LmaApp.UserPassword, ["NewPassword"] = "A-Much-Better-Password-9", ["ConfirmPassword"] = "A-Much-Better-Password-9" });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/licenses")).StatusCode);
    }

    [Fact]
    public async Task Forms_without_an_antiforgery_token_are_refused()
    {
        using var admin = await app.SignInAsAdminAsync();
        var response = await admin.Http.PostAsync("/admin/users", new FormUrlEncodedContent(new Dictionary<string, string> { ["DisplayName"] = "X", ["Email"] = "x@test.local", ["Role"] = Roles.SalesRep }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(await app.WithDb(db => db.Users.AnyAsync(u => u.Email == "x@test.local")));
    }

    [Theory]
    [InlineData(Roles.SalesRep)]
    [InlineData(Roles.RetentionSpecialist)]
    public async Task Only_license_managers_and_administrators_modify_licenses(string role)
    {
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org));
        var license = (await app.LicenseAsync(package.Key, org))!;

        using var user = await app.SignInAsNewUserAsync(role);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync($"/licenses/{license.Id}")).StatusCode);
        var get = await user.GetAsync($"/licenses/{license.Id}/modify");
        Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
        Assert.Contains("data-testid=\"forbidden\"", await get.Content.ReadAsStringAsync());

        var post = await user.PostFormAsync($"/licenses/{license.Id}/modify",
            new() { ["Status"] = "Suspended", ["SiteLicense"] = "true", ["DoesNotExpire"] = "true", ["Version"] = license.Version.ToString() }, tokenFrom: "/licenses");
        Assert.True(HttpStatusCode.Forbidden == post.StatusCode, await post.Content.ReadAsStringAsync());
        Assert.Equal(LicenseStatus.Trial, (await app.LicenseAsync(package.Key, org))!.Status);
    }

    [Fact]
    public async Task Only_administrators_manage_users()
    {
        using var manager = await app.SignInAsNewUserAsync(Roles.LicenseManager);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync("/admin/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync("/hangfire")).StatusCode);
    }

    [Fact]
    public async Task An_administrator_creates_a_user_who_must_change_the_shown_password()
    {
        using var admin = await app.SignInAsAdminAsync();
        var response = await admin.PostFormAsync("/admin/users", new() { ["DisplayName"] = "Rita Retention", ["Email"] = "rita@test.local", ["Role"] = Roles.RetentionSpecialist });
        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var password = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page).QuerySelector("[data-testid=one-time-password] code")!.TextContent;
        using var rita = await app.SignInAsync("rita@test.local", password);
        Assert.Equal("/change-password", (await rita.GetAsync("/")).Headers.Location?.OriginalString);

        var duplicate = await admin.PostFormAsync("/admin/users", new() { ["DisplayName"] = "Rita Again", ["Email"] = "rita@test.local", ["Role"] = Roles.SalesRep });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, duplicate.StatusCode);
        Assert.Contains("already exists", await duplicate.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Deactivating_a_user_and_the_last_administrator_is_protected()
    {
        using var admin = await app.SignInAsAdminAsync();
        var adminId = await app.WithDb(db => db.Users.Where(u => u.Email == LmaApp.AdminEmail).Select(u => u.Id).SingleAsync());
        await admin.PostFormAsync($"/admin/users/{adminId}/active", new() { ["active"] = "false" }, tokenFrom: "/admin/users");
        Assert.True(await app.WithDb(db => db.Users.Where(u => u.Id == adminId).Select(u => u.IsActive).SingleAsync()));

        var rep = await app.CreateUserAsync(Roles.SalesRep);
        await admin.PostFormAsync($"/admin/users/{rep.Id}/active", new() { ["active"] = "false" }, tokenFrom: "/admin/users");
        Assert.False(await app.WithDb(db => db.Users.Where(u => u.Id == rep.Id).Select(u => u.IsActive).SingleAsync()));
    }
}
