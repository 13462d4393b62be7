using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Api;

[Collection(SqliteCollection.Name)]
public sealed class ApiKeyLimitsTests(SqliteApp app)
{
    [Fact]
    public async Task A_key_limited_to_too_many_packages_is_refused_with_a_message_not_a_failure()
    {
        var ids = Enumerable.Range(0, 120).Select(_ => Events.NewPackageId()).ToList();
        var result = await app.Services.GetRequiredService<ApiKeyStore>().CreateAsync("many", ["check"], ids, default);
        Assert.False(result.Succeeded);
        Assert.Equal("too_many_packages", Assert.Single(result.Violations).Code);
    }
}
