using System.Net;
using AngleSharp.Html.Parser;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Tests.Input;

/// <summary>
/// Redirects carrying non-ASCII or CR/LF, and control characters in form fields, through real form posts (each with
/// the antiforgery token of its own form's page) on a real Kestrel, which refuses header values the test server lets by.
/// </summary>
public abstract class FormSafetyTests(LmaApp app)
{
    private const string RefusedMessage = "control character";

    [SkippableFact]
    public async Task Saving_a_view_whose_filters_have_non_ASCII_or_line_breaks_redirects_to_an_encoded_address()
    {
        Requires.Available(app);
        using var admin = await app.SignInAsAdminAsync();
        var name = "Zoë view " + Guid.NewGuid().ToString("N")[..6];
        var response = await admin.PostFormAsync("/saved-views", new() { ["list"] = "licenses", ["name"] = name, ["query"] = "?q=Zoë" }, tokenFrom: "/licenses?q=Zo%C3%AB");
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("/licenses?q=Zo%C3%AB", response.Headers.Location!.OriginalString);
        var saved = await app.WithDb(db => db.SavedViews.AsNoTracking().SingleAsync(v => v.Name == name));
        Assert.Equal("?q=Zo%C3%AB", saved.Query);
        var list = new HtmlParser().ParseDocument(await admin.GetPageAsync(response.Headers.Location.OriginalString));
        Assert.Equal("Zoë", list.QuerySelector("input#q")?.GetAttribute("value"));

        var injected = await admin.PostFormAsync("/saved-views",
            new() { ["list"] = "licenses", ["name"] = "Split " + Guid.NewGuid().ToString("N")[..6], ["query"] = "?q=a\r\nX-Injected: yes" }, tokenFrom: "/licenses?q=a");
        Assert.Equal(HttpStatusCode.Redirect, injected.StatusCode);
        Assert.False(injected.Headers.Contains("X-Injected"));
        Assert.DoesNotContain('\n', injected.Headers.Location!.OriginalString);
        Assert.StartsWith("/licenses?q=a", injected.Headers.Location.OriginalString);
    }

    [SkippableFact]
    public async Task Logging_in_with_a_return_address_carrying_non_ASCII_redirects_to_it_encoded()
    {
        Requires.Available(app);
        using var client = app.NewBrowserClient();
        var response = await client.PostFormAsync("/sign-in",
            new() { ["Email"] = LmaApp.AdminEmail, ["Password"] = LmaApp.AdminPassword, ["ReturnUrl"] = "/licenses?q=Zoë" }, tokenFrom: "/sign-in?ReturnUrl=%2Flicenses%3Fq%3DZo%C3%AB");
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("/licenses?q=Zo%C3%AB", response.Headers.Location!.OriginalString);
    }

    [SkippableFact]
    public async Task A_NUL_in_a_form_field_answers_400_on_the_forms_own_page_with_the_message_at_the_field_and_saves_nothing()
    {
        Requires.Available(app);
        using var admin = await app.SignInAsAdminAsync();
        var parser = new HtmlParser();
        var usersBefore = await app.WithDb(db => db.Users.CountAsync());
        var keysBefore = await app.WithDb(db => db.ApiKeys.CountAsync());

        // New user: the message under the Name field of the users page.
        var user = await admin.PostFormAsync("/admin/users", new() { ["DisplayName"] = "Ada\0Lovelace", ["Email"] = $"ada-{Guid.NewGuid():N}@test.local", ["Role"] = Roles.SalesRep });
        var userPage = await user.Content.ReadAsStringAsync();
        Assert.True(user.StatusCode == HttpStatusCode.BadRequest, $"{(int)user.StatusCode} {userPage[..Math.Min(userPage.Length, 500)]}");
        var nameError = parser.ParseDocument(userPage).QuerySelector("#DisplayName")?.NextElementSibling?.TextContent ?? "";
        Assert.Contains(RefusedMessage, nameError);

        // New API key: the message under its Name field.
        var key = await admin.PostFormAsync("/admin/api-keys", new() { ["Name"] = "ci\0", ["Scopes"] = "check" });
        Assert.Equal(HttpStatusCode.BadRequest, key.StatusCode);
        Assert.Contains(RefusedMessage, parser.ParseDocument(await key.Content.ReadAsStringAsync()).QuerySelector("#Name")?.NextElementSibling?.TextContent ?? "");

        // Save view: a form on a list page; the list comes back with the message.
        var viewName = "nul\0view";
        var view = await admin.PostFormAsync("/saved-views", new() { ["list"] = "licenses", ["name"] = viewName, ["query"] = "?status=Active" }, tokenFrom: "/licenses?status=Active");
        Assert.Equal(HttpStatusCode.BadRequest, view.StatusCode);
        var viewPage = await view.Content.ReadAsStringAsync();
        Assert.Contains(RefusedMessage, viewPage);
        Assert.Contains("<h1 class=\"h3\">Licenses</h1>", viewPage); // the list the form is on

        Assert.Equal(usersBefore, await app.WithDb(db => db.Users.CountAsync()));
        Assert.Equal(keysBefore, await app.WithDb(db => db.ApiKeys.CountAsync()));
        Assert.Equal(0, await app.WithDb(db => db.SavedViews.CountAsync(v => v.Name.StartsWith("nul"))));
    }

    [SkippableFact]
    public async Task A_NUL_in_the_login_form_answers_400_with_the_message_at_the_email_field()
    {
        Requires.Available(app);
        using var client = app.NewBrowserClient();
        var response = await client.PostFormAsync("/sign-in", new() { ["Email"] = "admin\0@test.local", ["Password"] = "whatever" });
        var page = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {page[..Math.Min(page.Length, 500)]}");
        var error = new HtmlParser().ParseDocument(page).QuerySelector("[data-valmsg-for=Email]")?.TextContent ?? "";
        Assert.True(error.Contains(RefusedMessage), $"no message at the email field:\n{page[..Math.Min(page.Length, 3000)]}");
    }
}

public sealed class FormSafetyTests_Kestrel(KestrelSqliteApp app) : FormSafetyTests(app), IClassFixture<KestrelSqliteApp>;
[Collection(PostgresCollection.Name)]
public sealed class FormSafetyTests_PostgreSql(PostgresApp app) : FormSafetyTests(app);
