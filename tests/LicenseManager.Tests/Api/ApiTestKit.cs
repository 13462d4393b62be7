using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Api;

/// <summary>Builders for the licensing API tests: keys, licensed orgs, and clients that send a key.</summary>
public static class ApiTestKit
{
    public sealed record LicensedOrg(LmaApp.TestPackage Package, string OrgId, long LicenseName);

    public static async Task<string> CreateKeyAsync(this LmaApp app, string name = "ci", string scopes = "check,manage", params string[] packageIds)
    {
        var result = await app.Services.GetRequiredService<ApiKeyStore>().CreateAsync(name, ApiKey.Split(scopes), packageIds, default);
        Assert.True(result.Succeeded, string.Join(" ", result.Violations.Select(e => e.Message)));
        return result.Value!.Secret;
    }

    public static HttpClient ApiClient(this LmaApp app, string key)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A package with these defaults and one org that installed it.</summary>
    public static async Task<LicensedOrg> LicensedOrgAsync(this LmaApp app, LicenseDefaults defaults)
    {
        var package = await app.CreatePackageAsync(defaults: defaults);
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org));
        var license = await app.LicenseAsync(package.Key, org);
        Assert.NotNull(license);
        return new LicensedOrg(package, org, license.Id);
    }

    public static string CheckUrl(this LicensedOrg o, string? userId = null) =>
        $"/api/v1/licenses/check?packageId={o.Package.PackageId}&orgId={o.OrgId}" + (userId is null ? "" : $"&userId={userId}");

    public static string SeatUrl(this LicensedOrg o, string userId) => $"/api/v1/licenses/{o.Package.PackageId}/{o.OrgId}/seats/{userId}";

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    public static async Task<string> CheckCodeAsync(this HttpClient client, string url) => (await client.GetJsonAsync(url)).GetProperty("code").GetString()!;

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return client.SendAsync(request);
    }

    public static async Task<string?> ProblemCodeAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.JsonAsync()).GetProperty("code").GetString();
    }
}
