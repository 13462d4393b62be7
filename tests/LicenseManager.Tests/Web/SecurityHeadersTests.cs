using System.Net;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Api;
using LicenseManager.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LicenseManager.Tests.Web;

/// <summary>Issue 13, HTTP: the security headers on every kind of response, and cookies marked Secure under HTTPS.</summary>
[Collection(SqliteCollection.Name)]
public sealed class SecurityHeadersTests(SqliteApp app)
{
    private static void AssertSecurityHeaders(HttpResponseMessage response, string what)
    {
        string? Header(string name) =>
            response.Headers.TryGetValues(name, out var v) ? string.Join(", ", v)
            : response.Content.Headers.TryGetValues(name, out var c) ? string.Join(", ", c) : null;
        var csp = Header("Content-Security-Policy");
        Assert.True(csp is not null, $"{what} ({(int)response.StatusCode}): no Content-Security-Policy");
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToArray());
        Assert.True(directives.TryGetValue("script-src", out var script) && script.SequenceEqual(["'self'"]), $"{what}: script-src is not 'self' only: {csp}");
        Assert.True(directives.TryGetValue("frame-ancestors", out var frames) && frames.SequenceEqual(["'none'"]), $"{what}: frame-ancestors: {csp}");
        Assert.Equal(("DENY", "nosniff", "same-origin"), (Header("X-Frame-Options"), Header("X-Content-Type-Options"), Header("Referrer-Policy")));
    }

    [Fact]
    public async Task Pages_the_login_page_error_pages_404s_and_static_files_carry_the_security_headers()
    {
        using var admin = await app.SignInAsAdminAsync();
        var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var home = await admin.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        AssertSecurityHeaders(home, "logged-in page");
        var login = await anonymous.GetAsync("/sign-in");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        AssertSecurityHeaders(login, "login page");
        var notFound = await admin.GetAsync("/licenses/999999999");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        AssertSecurityHeaders(notFound, "404 page");
        var unknownPage = await admin.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, unknownPage.StatusCode);
        AssertSecurityHeaders(unknownPage, "unknown page");
        // A form posted without its antiforgery token: the 400 error page.
        var rejected = await admin.Http.PostAsync("/licenses/1/modify", new FormUrlEncodedContent(new Dictionary<string, string> { ["Status"] = "Active" }));
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Contains("text/html", rejected.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(rejected, "400 error page");
        var forbidden = await (await app.SignInAsNewUserAsync(Roles.SalesRep)).GetAsync("/admin/api-keys");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        AssertSecurityHeaders(forbidden, "403 page");
        var redirect = await anonymous.GetAsync("/licenses");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        AssertSecurityHeaders(redirect, "redirect to login");
        foreach (var file in new[] { "/css/site.css", "/js/site.js", "/lib/bootstrap/dist/js/bootstrap.bundle.min.js" })
        {
            var response = await anonymous.GetAsync(file);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            AssertSecurityHeaders(response, file);
        }
        AssertSecurityHeaders(await anonymous.GetAsync("/health/live"), "health");
    }

    [Fact]
    public async Task API_answers_and_API_errors_carry_the_security_headers()
    {
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, null, null));
        var api = app.ApiClient(await app.CreateKeyAsync());
        var ok = await api.GetAsync(org.CheckUrl());
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        AssertSecurityHeaders(ok, "API answer");
        var bad = await api.GetAsync("/api/v1/licenses/check?packageId=short&orgId=x");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        AssertSecurityHeaders(bad, "API 400");
        var unauthorized = await app.CreateClient().GetAsync(org.CheckUrl());
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        AssertSecurityHeaders(unauthorized, "API 401");
        var missing = await api.GetAsync("/api/v1/nothing-here");
        AssertSecurityHeaders(missing, "API unknown path");
        AssertSecurityHeaders(await app.CreateClient().GetAsync("/.well-known/jwks.json"), "JWKS");
        AssertSecurityHeaders(await app.CreateClient().GetAsync("/openapi/v1.json"), "OpenAPI document");
    }

    [Fact]
    public async Task The_API_reference_page_has_its_own_policy_that_still_forbids_framing()
    {
        var docs = await app.CreateClient().GetAsync("/api/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        var csp = string.Join(", ", docs.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("DENY", string.Join(", ", docs.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", string.Join(", ", docs.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Under_HTTPS_the_antiforgery_TempData_and_sign_in_cookies_are_Secure()
    {
        var https = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        var client = new BrowserClient(https);
        var login = await client.GetAsync("/sign-in");
        var antiforgery = SetCookies(login).Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery.Split(';', StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase);

        var signedIn = await client.PostFormAsync("/sign-in", new() { ["Email"] = LmaApp.AdminEmail, ["Password"] = LmaApp.AdminPassword });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var auth = SetCookies(signedIn).Single(c => c.StartsWith("lma.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", auth.Split(';', StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase);

        // A saved change leaves its message in TempData for the next page.
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, null, null));
        var version = await app.WithDb(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Licenses.Where(l => l.Id == org.LicenseName).Select(l => l.Version)));
        var saved = await client.PostFormAsync($"/licenses/{org.LicenseName}/modify", new()
        {
            ["Status"] = "Suspended", ["SiteLicense"] = "true", ["Seats"] = "", ["DoesNotExpire"] = "true", ["ExpirationDate"] = "", ["Version"] = version.ToString(),
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var tempData = SetCookies(saved).Single(c => c.StartsWith(".AspNetCore.Mvc.CookieTempDataProvider=", StringComparison.Ordinal));
        Assert.Contains("secure", tempData.Split(';', StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase);
    }

    private static IReadOnlyList<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? [.. values] : [];
}
