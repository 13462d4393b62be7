using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Text;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.ApiKeys;
using LicenseManager.Web.Features.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace LicenseManager.Tests.Api;

/// <summary>The licensing API as the ISV's app uses it: keys, checks, seats, tokens and the management API, on every database.</summary>
public abstract class LicensingApiTests(LmaApp app)
{
    private static readonly LicenseDefaults ActiveWithSeats = new(LicenseStatus.Active, 2, null);
    private static readonly LicenseDefaults ActiveSiteLicense = new(LicenseStatus.Active, null, null);

    [SkippableFact]
    public async Task Check_answers_OK_for_an_active_license_and_NOT_FOUND_for_an_org_without_one()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 10, 365));
        var api = app.ApiClient(await app.CreateKeyAsync());

        var ok = await api.GetJsonAsync(org.CheckUrl());
        Assert.True(ok.GetProperty("licensed").GetBoolean());
        Assert.Equal("OK", ok.GetProperty("code").GetString());
        var license = ok.GetProperty("license");
        Assert.Equal(org.LicenseName, license.GetProperty("name").GetInt64());
        Assert.Equal("Active", license.GetProperty("status").GetString());
        Assert.Equal(10, license.GetProperty("seats").GetInt32());
        Assert.Equal(0, license.GetProperty("usedLicenses").GetInt32());
        Assert.Equal("1.0.0", license.GetProperty("packageVersionNumber").GetString());
        // 365 days from the install (minutes before the app's clock, on the same day): the exact date, not its year.
        Assert.Equal(TestClock.Today(app.Clock).AddDays(365).ToString("yyyy-MM-dd"), license.GetProperty("expirationDate").GetString());

        var missing = await api.GetJsonAsync($"/api/v1/licenses/check?packageId={org.Package.PackageId}&orgId={Events.NewOrgId()}");
        Assert.False(missing.GetProperty("licensed").GetBoolean());
        Assert.Equal("NOT_FOUND", missing.GetProperty("code").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, missing.GetProperty("license").ValueKind);
    }

    [SkippableFact]
    public async Task Check_answers_EXPIRED_the_day_after_the_expiration_date_but_OK_on_it()
    {
        Requires.Available(app);
        var expired = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Trial, null, 30));
        var lastDay = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Trial, null, 30));
        var today = TestClock.Today(app.Clock);
        await app.WithDb(db => db.Licenses.Where(l => l.Id == expired.LicenseName).ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpirationDate, today.AddDays(-1))));
        await app.WithDb(db => db.Licenses.Where(l => l.Id == lastDay.LicenseName).ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpirationDate, today)));
        var api = app.ApiClient(await app.CreateKeyAsync());

        Assert.Equal("EXPIRED", await api.CheckCodeAsync(expired.CheckUrl()));
        Assert.Equal("OK", await api.CheckCodeAsync(lastDay.CheckUrl()));
    }

    [SkippableFact]
    public async Task Check_answers_SUSPENDED_and_UNINSTALLED_as_not_licensed()
    {
        Requires.Available(app);
        var suspended = await app.LicensedOrgAsync(ActiveSiteLicense);
        await app.WithDb(db => db.Licenses.Where(l => l.Id == suspended.LicenseName).ExecuteUpdateAsync(s => s.SetProperty(l => l.Status, LicenseStatus.Suspended)));
        var uninstalled = await app.LicensedOrgAsync(ActiveSiteLicense);
        await app.SendAsync(Events.Uninstall(uninstalled.Package.VersionId, uninstalled.OrgId));
        var api = app.ApiClient(await app.CreateKeyAsync());

        var s = await api.GetJsonAsync(suspended.CheckUrl("005000000000001"));
        Assert.Equal(("SUSPENDED", false), (s.GetProperty("code").GetString(), s.GetProperty("licensed").GetBoolean()));
        var u = await api.GetJsonAsync(uninstalled.CheckUrl());
        Assert.Equal(("UNINSTALLED", false), (u.GetProperty("code").GetString(), u.GetProperty("licensed").GetBoolean()));
    }

    [SkippableFact]
    public async Task With_a_seat_count_a_user_needs_a_seat_and_with_a_site_license_every_user_is_licensed()
    {
        Requires.Available(app);
        var seated = await app.LicensedOrgAsync(ActiveWithSeats);
        var site = await app.LicensedOrgAsync(ActiveSiteLicense);
        var api = app.ApiClient(await app.CreateKeyAsync());

        Assert.Equal("OK", await api.CheckCodeAsync(seated.CheckUrl())); // the org, no user asked about
        Assert.Equal("NO_SEAT", await api.CheckCodeAsync(seated.CheckUrl("005A")));
        Assert.Equal(HttpStatusCode.Created, (await api.PutAsync(seated.SeatUrl("005A"), null)).StatusCode);
        Assert.Equal("OK", await api.CheckCodeAsync(seated.CheckUrl("005A")));
        Assert.Equal("NO_SEAT", await api.CheckCodeAsync(seated.CheckUrl("005B")));

        Assert.Equal("OK", await api.CheckCodeAsync(site.CheckUrl("005Z")));
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(seated.SeatUrl("005A"))).StatusCode);
        Assert.Equal("NO_SEAT", await api.CheckCodeAsync(seated.CheckUrl("005A")));
    }

    [SkippableFact]
    public async Task Assigning_past_the_seat_count_is_refused_with_409_and_Used_Licenses_counts_the_seats()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(ActiveWithSeats);
        var api = app.ApiClient(await app.CreateKeyAsync());

        Assert.Equal(HttpStatusCode.Created, (await api.PutAsync(org.SeatUrl("005A"), null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync(org.SeatUrl("005A"), null)).StatusCode); // already held
        Assert.Equal(HttpStatusCode.Created, (await api.PutAsync(org.SeatUrl("005B"), null)).StatusCode);
        var third = await api.PutAsync(org.SeatUrl("005C"), null);

        Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);
        Assert.Equal("no_seat_available", await third.ProblemCodeAsync());
        Assert.Contains("All 2 seats of this license are taken", (await third.JsonAsync()).GetProperty("title").GetString());
        Assert.Equal(404, (int)(await api.GetAsync(org.SeatUrl("005C"))).StatusCode);
        var license = await app.LicenseAsync(org.Package.Key, org.OrgId);
        Assert.Equal((2, true), (license!.ReportedUsedLicenses, license.SeatsAssignedByApi));

        // An org-update no longer overwrites Used Licenses once the seat API assigns seats.
        await app.SendAsync(Events.OrgUpdate(org.Package.VersionId, org.OrgId, usedLicenses: 40));
        Assert.Equal(2, (await app.LicenseAsync(org.Package.Key, org.OrgId))!.ReportedUsedLicenses);
    }

    [SkippableFact]
    public async Task A_site_license_takes_any_number_of_seats()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(ActiveSiteLicense);
        var api = app.ApiClient(await app.CreateKeyAsync());
        foreach (var user in new[] { "005A", "005B", "005C" })
            Assert.Equal(HttpStatusCode.Created, (await api.PutAsync(org.SeatUrl(user), null)).StatusCode);
        var list = await api.GetJsonAsync($"/api/v1/licenses/{org.Package.PackageId}/{org.OrgId}/seats");
        Assert.Equal(["005A", "005B", "005C"], list.GetProperty("seats").EnumerateArray().Select(s => s.GetProperty("userId").GetString()!).ToArray());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, list.GetProperty("availableSeats").ValueKind);
    }

    [SkippableFact]
    public async Task Seats_reduced_below_the_assignments_leave_holders_licensed_and_available_negative()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 3, null));
        var api = app.ApiClient(await app.CreateKeyAsync());
        foreach (var user in new[] { "005A", "005B", "005C" })
            Assert.Equal(HttpStatusCode.Created, (await api.PutAsync(org.SeatUrl(user), null)).StatusCode);

        var read = await api.GetAsync($"/api/v1/licenses/{org.LicenseName}");
        var modified = await api.PostJsonAsync($"/api/v1/licenses/{org.LicenseName}/modify",
            new { status = "Active", seats = 1, siteLicense = false, doesNotExpire = true }, read.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
        Assert.Equal(-2, (await modified.JsonAsync()).GetProperty("availableSeats").GetInt32());

        foreach (var user in new[] { "005A", "005B", "005C" })
            Assert.Equal("OK", await api.CheckCodeAsync(org.CheckUrl(user)));
        var list = await api.GetJsonAsync($"/api/v1/licenses/{org.Package.PackageId}/{org.OrgId}/seats");
        Assert.Equal((-2, 3), (list.GetProperty("availableSeats").GetInt32(), list.GetProperty("seats").GetArrayLength()));
        Assert.Equal(HttpStatusCode.Conflict, (await api.PutAsync(org.SeatUrl("005D"), null)).StatusCode);

        // The license page shows who holds the seats.
        var admin = await app.SignInAsAdminAsync();
        var page = await admin.GetPageAsync($"/licenses/{org.LicenseName}");
        Assert.Contains("data-testid=\"seat-assignments\"", page);
        Assert.Contains("005C", page);
    }

    [SkippableFact]
    public async Task A_revoked_key_is_refused_with_401()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(ActiveSiteLicense);
        var key = await app.CreateKeyAsync("to-revoke");
        var api = app.ApiClient(key);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(org.CheckUrl())).StatusCode);

        var id = await app.WithDb(db => db.ApiKeys.Where(k => k.Name == "to-revoke").Select(k => k.Id).SingleAsync());
        Assert.True((await app.Services.GetRequiredService<ApiKeyStore>().RevokeAsync(id, default)).Succeeded);

        var refused = await api.GetAsync(org.CheckUrl());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("invalid_api_key", await refused.ProblemCodeAsync());
        var noKey = await app.CreateClient().GetAsync(org.CheckUrl());
        Assert.Equal((HttpStatusCode.Unauthorized, "missing_api_key"), (noKey.StatusCode, await noKey.ProblemCodeAsync()));
        var tampered = await app.ApiClient(key[..^2] + "xx").GetAsync(org.CheckUrl());
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
    }

    [SkippableFact]
    public async Task A_key_limited_to_another_package_is_refused_with_403_and_a_check_key_cannot_manage()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(ActiveSiteLicense);
        var other = await app.CreatePackageAsync();
        var limited = app.ApiClient(await app.CreateKeyAsync("other-package", "check,manage", other.PackageId));

        var check = await limited.GetAsync(org.CheckUrl());
        Assert.Equal((HttpStatusCode.Forbidden, "package_not_allowed"), (check.StatusCode, await check.ProblemCodeAsync()));
        Assert.Equal(HttpStatusCode.Forbidden, (await limited.PutAsync(org.SeatUrl("005A"), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await limited.GetAsync($"/api/v1/licenses/{org.LicenseName}")).StatusCode);
        var packages = await limited.GetJsonAsync("/api/v1/packages");
        Assert.Equal(new[] { other.PackageId }, packages.EnumerateArray().Select(p => p.GetProperty("packageId").GetString()!).ToArray());

        var checkOnly = app.ApiClient(await app.CreateKeyAsync("check-only", "check"));
        var manage = await checkOnly.GetAsync("/api/v1/licenses");
        Assert.Equal((HttpStatusCode.Forbidden, "insufficient_scope"), (manage.StatusCode, await manage.ProblemCodeAsync()));
    }

    [SkippableFact]
    public async Task Bad_ids_get_400_with_field_errors_never_500()
    {
        Requires.Available(app);
        var api = app.ApiClient(await app.CreateKeyAsync());

        var response = await api.GetAsync($"/api/v1/licenses/check?packageId=short&orgId={new string('x', 300)}&userId=");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("validation_failed", await response.ProblemCodeAsync());
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("packageId", out _));
        Assert.True(errors.TryGetProperty("orgId", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/v1/licenses/check")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PutAsync($"/api/v1/licenses/{Events.NewPackageId()}/{Events.NewOrgId()}/seats/{new string('u', 65)}", null)).StatusCode);
        var malformed = await api.PostAsync("/api/v1/licenses/1/modify", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (malformed.StatusCode, await malformed.ProblemCodeAsync()));
        // No such endpoint: a 404 ProblemDetails for a valid key, not an HTML page (more in ApiStatusCodeTests).
        var unknown = await api.GetAsync("/api/v1/nothing-here");
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (unknown.StatusCode, await unknown.ProblemCodeAsync()));
    }

    [SkippableFact]
    public async Task A_license_token_verifies_against_the_published_JWKS_and_a_tampered_one_does_not()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 25, 100));
        var api = app.ApiClient(await app.CreateKeyAsync());

        var issued = await api.PostAsync($"/api/v1/licenses/{org.Package.PackageId}/{org.OrgId}/token", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var token = (await issued.JsonAsync()).GetProperty("token").GetString()!;
        var jwks = await (await app.CreateClient().GetAsync("/.well-known/jwks.json")).Content.ReadAsStringAsync();

        var principal = Validate(token, jwks, org.Package.PackageId);
        Assert.Equal(org.OrgId, principal.FindFirst("org")!.Value);
        Assert.Equal(org.Package.PackageId, principal.FindFirst("pkg")!.Value);
        Assert.Equal("Active", principal.FindFirst("status")!.Value);
        Assert.Equal("true", principal.FindFirst("licensed")!.Value); // as docs/api.md reads it
        Assert.Equal("25", principal.FindFirst("seats")!.Value);
        Assert.Equal(TestClock.Today(app.Clock).AddDays(100).ToString("yyyy-MM-dd"), principal.FindFirst("license_exp")!.Value);
        Assert.Equal("ES256", new JwtSecurityToken(token).Header.Alg);

        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"Active\"", "\"Suspended\"");
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        Assert.Throws<SecurityTokenInvalidSignatureException>(() => Validate(tampered, jwks, org.Package.PackageId));

        // After a rotation the old token still verifies (its key stays published) and new tokens carry the new kid.
        var kid = await app.Services.GetRequiredService<SigningKeys>().RotateAsync(default);
        var rotatedJwks = await (await app.CreateClient().GetAsync("/.well-known/jwks.json")).Content.ReadAsStringAsync();
        Validate(token, rotatedJwks, org.Package.PackageId);
        var next = (await (await api.PostAsync($"/api/v1/licenses/{org.Package.PackageId}/{org.OrgId}/token", null)).JsonAsync()).GetProperty("token").GetString()!;
        Assert.Equal(kid, new JwtSecurityToken(next).Header.Kid);
        Validate(next, rotatedJwks, org.Package.PackageId);
    }

    /// <summary>As the ISV's app validates a token, with the app's clock as "now" (the token's lifetime is on that clock).</summary>
    private System.Security.Claims.ClaimsPrincipal Validate(string token, string jwks, string packageId)
    {
        var handler = new JwtSecurityTokenHandler { MapInboundClaims = false };
        return handler.ValidateToken(token, new TokenValidationParameters
        {
            IssuerSigningKeys = new JsonWebKeySet(jwks).GetSigningKeys(),
            ValidIssuer = "http://lma.test",
            ValidAudience = packageId,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            LifetimeValidator = (notBefore, expires, _, _) => notBefore <= app.Clock.GetUtcNow().UtcDateTime && app.Clock.GetUtcNow().UtcDateTime < expires,
        }, out _);
    }

    [SkippableFact]
    public async Task Management_modify_with_a_stale_ETag_gets_412_and_a_change_is_attributed_to_the_API_key()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Trial, 5, 30));
        var api = app.ApiClient(await app.CreateKeyAsync("billing-sync"));
        var url = $"/api/v1/licenses/{org.LicenseName}";
        var etag = (await api.GetAsync(url)).Headers.ETag!.Tag;
        var change = new { status = "Active", seats = 50, siteLicense = false, doesNotExpire = true };

        var missing = await api.PostJsonAsync(url + "/modify", change);
        Assert.Equal((HttpStatusCode.PreconditionRequired, "if_match_required"), (missing.StatusCode, await missing.ProblemCodeAsync()));

        var saved = await api.PostJsonAsync(url + "/modify", change, etag);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.NotEqual(etag, saved.Headers.ETag!.Tag);
        var stale = await api.PostJsonAsync(url + "/modify", change with { seats = 60 }, etag);
        Assert.Equal((HttpStatusCode.PreconditionFailed, "concurrency_conflict"), (stale.StatusCode, await stale.ProblemCodeAsync()));

        var license = await app.LicenseAsync(org.Package.Key, org.OrgId);
        Assert.Equal((LicenseStatus.Active, (int?)50), (license!.Status, license.Seats));
        var history = await app.WithDb(db => db.LicenseFieldChanges.Where(h => h.LicenseKey == org.LicenseName).ToListAsync());
        Assert.Contains(history, h => h.Field == "Licensed Seats" && h.NewValue == "50" && h.ChangedBy == "API key billing-sync");
        Assert.Equal("API key billing-sync", license.LastModifiedBy);

        // The page's rules and messages: back to Trial is refused once Active.
        var back = await api.PostJsonAsync(url + "/modify", new { status = "Trial", seats = 50, siteLicense = false, expirationDate = TestClock.Today(app.Clock).AddDays(10) }, saved.Headers.ETag!.Tag);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, LicenseRules.Codes.BackToTrial), (back.StatusCode, await back.ProblemCodeAsync()));
        Assert.Contains("Once a license has been Active it can't return to Trial.", (await back.JsonAsync()).GetProperty("errors").GetProperty("status")[0].GetString());
    }

    [SkippableFact]
    public async Task Management_modify_compares_If_Match_strongly_and_takes_a_star_as_any_current_version()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 5, null));
        var api = app.ApiClient(await app.CreateKeyAsync());
        var url = $"/api/v1/licenses/{org.LicenseName}";
        var etag = (await api.GetAsync(url)).Headers.ETag!.Tag;
        var change = new { status = "Active", seats = 6, siteLicense = false, doesNotExpire = true };

        // RFC 9110 13.1.1: If-Match uses the strong comparison, so a weak tag never matches, even the current one.
        var weak = await api.PostJsonAsync(url + "/modify", change, "W/" + etag);
        Assert.Equal((HttpStatusCode.PreconditionFailed, "if_match_weak"), (weak.StatusCode, await weak.ProblemCodeAsync()));
        Assert.Equal(5, (await app.LicenseAsync(org.Package.Key, org.OrgId))!.Seats);

        var star = await api.PostJsonAsync(url + "/modify", change, "*");
        Assert.Equal(HttpStatusCode.OK, star.StatusCode);
        Assert.Equal(6, (await app.LicenseAsync(org.Package.Key, org.OrgId))!.Seats);

        // A list matches when any of its strong tags is the current one.
        var current = star.Headers.ETag!.Tag;
        var list = await api.PostJsonAsync(url + "/modify", change with { seats = 7 }, $"{etag}, {current}");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var missing = await api.PostJsonAsync(url + "/modify", change);
        Assert.Equal((HttpStatusCode.PreconditionRequired, "if_match_required"), (missing.StatusCode, await missing.ProblemCodeAsync()));
        Assert.Equal(7, (await app.LicenseAsync(org.Package.Key, org.OrgId))!.Seats);
    }

    [SkippableFact]
    public async Task Management_lists_licenses_with_the_list_filters_and_keyset_paging()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(defaults: ActiveSiteLicense);
        foreach (var _ in Enumerable.Range(0, 3)) await app.SendAsync(Events.Install(package.VersionId, Events.NewOrgId()));
        var api = app.ApiClient(await app.CreateKeyAsync());

        var first = await api.GetJsonAsync($"/api/v1/licenses?package={package.PackageId}&sort=name&dir=asc&limit=2");
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        var next = first.GetProperty("next").GetString();
        Assert.NotNull(next);
        var second = await api.GetJsonAsync($"/api/v1/licenses?package={package.PackageId}&sort=name&dir=asc&limit=2&after={next}");
        Assert.Equal(1, second.GetProperty("items").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("next").ValueKind);
        var names = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(l => l.GetProperty("name").GetInt64()).ToList();
        Assert.Equal(names.Order(), names);
        Assert.Equal(3, names.Distinct().Count());
        Assert.Empty((await api.GetJsonAsync($"/api/v1/licenses?package={package.PackageId}&status=Suspended")).GetProperty("items").EnumerateArray());
    }

    [SkippableFact]
    public async Task Management_sets_association_defaults_with_the_package_rules()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(associate: false);
        var api = app.ApiClient(await app.CreateKeyAsync());
        var url = $"/api/v1/packages/{package.PackageId}/association";

        var tooLong = await api.PutAsync(url, System.Net.Http.Json.JsonContent.Create(new { status = "Trial", seats = 10, lengthDays = 120 }));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, LicenseRules.Codes.TrialTooLong), (tooLong.StatusCode, await tooLong.ProblemCodeAsync()));
        var ok = await api.PutAsync(url, System.Net.Http.Json.JsonContent.Create(new { status = "Active", seats = 10, lengthDays = (int?)null }));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var read = await api.GetJsonAsync($"/api/v1/packages/{package.PackageId}");
        Assert.Equal((true, "Active", 10), (read.GetProperty("isAssociated").GetBoolean(), read.GetProperty("defaultStatus").GetString(), read.GetProperty("defaultSeats").GetInt32()));
    }

    [SkippableFact]
    public async Task The_CLI_prints_a_key_that_then_works_and_last_used_is_recorded_off_the_request_path()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(ActiveSiteLicense);
        var output = new StringWriter();
        var exit = await ApiKeyCommands.RunAsync(app.Services, ["api-keys", "create", "--name", "cli-made", "--scopes", "check"], output, new StringWriter());
        Assert.Equal(0, exit);
        var key = output.ToString().Trim();
        Assert.StartsWith("lma_", key);

        Assert.Equal("OK", await app.ApiClient(key).CheckCodeAsync(org.CheckUrl()));
        var stored = await app.WithDb(db => db.ApiKeys.AsNoTracking().SingleAsync(k => k.Name == "cli-made"));
        Assert.Null(stored.LastUsedAt); // no write on the request
        Assert.DoesNotContain(key, Convert.ToHexString(stored.SecretHash), StringComparison.OrdinalIgnoreCase);

        await app.Services.GetRequiredService<ApiKeyUsageFlush>().FlushAsync(default);
        Assert.NotNull((await app.WithDb(db => db.ApiKeys.AsNoTracking().SingleAsync(k => k.Name == "cli-made"))).LastUsedAt);

        var bad = await ApiKeyCommands.RunAsync(app.Services, ["api-keys", "create", "--name", "x", "--scopes", "admin"], new StringWriter(), new StringWriter());
        Assert.Equal(1, bad);
    }

    [SkippableFact]
    public async Task An_administrator_creates_a_key_on_the_admin_page_sees_it_once_and_revokes_it()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(ActiveSiteLicense);
        var admin = await app.SignInAsAdminAsync();

        var invalid = await admin.PostFormAsync("/admin/api-keys", new() { ["Name"] = "" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Contains("Enter a name", await invalid.Content.ReadAsStringAsync());

        var created = await admin.PostFormAsync("/admin/api-keys", new() { ["Name"] = "page-made", ["Scopes"] = "check" });
        var html = await created.Content.ReadAsStringAsync();
        var key = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html).QuerySelector("[data-testid=created-key] code")!.TextContent;
        Assert.Equal("OK", await app.ApiClient(key).CheckCodeAsync(org.CheckUrl()));
        Assert.DoesNotContain(key, await admin.GetPageAsync("/admin/api-keys"));

        var id = await app.WithDb(db => db.ApiKeys.Where(k => k.Name == "page-made").Select(k => k.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFormAsync($"/admin/api-keys/{id}/revoke", new(), tokenFrom: "/admin/api-keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ApiClient(key).GetAsync(org.CheckUrl())).StatusCode);

        var salesRep = await app.SignInAsNewUserAsync(Roles.SalesRep);
        var denied = await salesRep.GetAsync("/admin/api-keys");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("data-testid=\"forbidden\"", await denied.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task The_OpenAPI_document_describes_every_api_v1_endpoint_including_install_events()
    {
        Requires.Available(app);
        var client = app.CreateClient();
        var doc = await client.GetJsonAsync("/openapi/v1.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/api/v1/licenses/check", "/api/v1/install-events", "/api/v1/licenses/{packageId}/{orgId}/seats/{userId}",
                     "/api/v1/licenses/{packageId}/{orgId}/token", "/api/v1/licenses", "/api/v1/licenses/{name}/modify", "/api/v1/packages/{packageId}/association" })
            Assert.Contains(path, paths);
        Assert.All(paths, p => Assert.StartsWith("/api/v1/", p));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/docs")).StatusCode);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class LicensingApiTests_Sqlite(SqliteApp app) : LicensingApiTests(app);
[Collection(PostgresCollection.Name)]
public sealed class LicensingApiTests_PostgreSql(PostgresApp app) : LicensingApiTests(app);
