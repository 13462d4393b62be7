using System.Net;
using System.Text;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Api;

/// <summary>
/// With a valid key the API says what is wrong with the request (404, 405, 415), as ProblemDetails with a stable code;
/// 401 only when the key is missing, unknown or revoked. Routing only: one database is enough.
/// </summary>
[Collection(SqliteCollection.Name)]
public sealed class ApiStatusCodeTests(SqliteApp app)
{
    private static readonly LicenseDefaults ActiveSiteLicense = new(LicenseStatus.Active, null, null);

    [Fact]
    public async Task A_wrong_method_with_a_valid_key_gets_405_with_Allow()
    {
        var api = app.ApiClient(await app.CreateKeyAsync());
        var response = await api.DeleteAsync("/api/v1/licenses/check");
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "method_not_allowed"), (response.StatusCode, await response.ProblemCodeAsync()));
        Assert.Contains("GET", response.Content.Headers.Allow);

        var token = await api.GetAsync($"/api/v1/licenses/{Events.NewPackageId()}/{Events.NewOrgId()}/token");
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "method_not_allowed"), (token.StatusCode, await token.ProblemCodeAsync()));
        Assert.Contains("POST", token.Content.Headers.Allow);
    }

    [Fact]
    public async Task An_unknown_path_under_api_v1_with_a_valid_key_gets_404()
    {
        var api = app.ApiClient(await app.CreateKeyAsync());
        // (A GET of /api/v1/licenses/abc/modify is 405: the router matches the path's shape before its {name:long} constraint.)
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/v1/nothing-here"), (HttpMethod.Get, "/api/v1/licenses/abc"), (HttpMethod.Post, "/api/v1/licenses/abc/modify"), (HttpMethod.Get, "/api/v1/packages/x/y/z") })
        {
            var response = await api.SendAsync(new HttpRequestMessage(method, path) { Content = method == HttpMethod.Post ? System.Net.Http.Json.JsonContent.Create(new { }) : null });
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("not_found", await response.ProblemCodeAsync());
        }
    }

    [Fact]
    public async Task A_text_plain_body_with_a_valid_key_gets_415()
    {
        var org = await app.LicensedOrgAsync(ActiveSiteLicense);
        var api = app.ApiClient(await app.CreateKeyAsync());
        var etag = (await api.GetAsync($"/api/v1/licenses/{org.LicenseName}")).Headers.ETag!.Tag;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/licenses/{org.LicenseName}/modify")
        {
            Content = new StringContent("{\"status\":\"Suspended\",\"siteLicense\":true,\"doesNotExpire\":true}", Encoding.UTF8, "text/plain"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        var response = await api.SendAsync(request);
        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"), (response.StatusCode, await response.ProblemCodeAsync()));
        Assert.Equal(LicenseStatus.Active, (await app.LicenseAsync(org.Package.Key, org.OrgId))!.Status);
    }

    [Fact]
    public async Task A_missing_unknown_or_revoked_key_gets_401_on_known_and_unknown_paths_alike()
    {
        var revoked = await app.CreateKeyAsync("to-revoke");
        var store = app.Services.GetRequiredService<ApiKeyStore>();
        var id = (await store.FindAsync(revoked, default))!.Id;
        Assert.True((await store.RevokeAsync(id, default)).Succeeded);
        var clients = new (string Why, HttpClient Client, string Code)[]
        {
            ("missing", app.CreateClient(), "missing_api_key"),
            ("unknown", app.ApiClient("lma_AAAAAAAA_" + new string('B', 43)), "invalid_api_key"),
            ("revoked", app.ApiClient(revoked), "invalid_api_key"),
        };
        foreach (var (why, client, code) in clients)
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/v1/licenses"), (HttpMethod.Get, "/api/v1/nothing-here"), (HttpMethod.Delete, "/api/v1/licenses/check"), (HttpMethod.Get, "/api/v1/licenses/abc") })
        {
            var response = await client.SendAsync(new HttpRequestMessage(method, path));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why} key, {method} {path}: {(int)response.StatusCode}");
            Assert.Equal(code, await response.ProblemCodeAsync());
        }
    }

    [Fact]
    public async Task The_ingest_endpoint_needs_no_key_to_be_told_its_method_is_wrong()
    {
        var response = await app.CreateClient().GetAsync("/api/v1/install-events");
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "method_not_allowed"), (response.StatusCode, await response.ProblemCodeAsync()));
        Assert.Contains("POST", response.Content.Headers.Allow);
    }
}
