using System.Net;
using System.Text.Json.Nodes;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace LicenseManager.Tests.Api;

/// <summary>Each API key has its own request budget; past it the API answers 429 with Retry-After.</summary>
public abstract class RateLimitTests(LmaApp app)
{
    private FakeTimeProvider Clock => app.Clock;

    public const int Limit = 3;

    public static void AddTinyLimit(IDictionary<string, string?> settings)
    {
        settings["Lma:Api:RateLimit:PermitLimit"] = Limit.ToString();
        settings["Lma:Api:RateLimit:Window"] = "00:01:00";
    }

    [SkippableFact]
    public async Task Past_its_limit_a_key_gets_429_with_Retry_After_while_another_key_is_unaffected()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, null, null));
        var busy = app.ApiClient(await app.CreateKeyAsync("busy"));
        var quiet = app.ApiClient(await app.CreateKeyAsync("quiet"));

        for (var i = 0; i < Limit; i++) Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync(org.CheckUrl())).StatusCode);
        var limited = await busy.GetAsync(org.CheckUrl());

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("rate_limited", await limited.ProblemCodeAsync());
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.Equal(HttpStatusCode.OK, (await quiet.GetAsync(org.CheckUrl())).StatusCode);
    }

    [SkippableFact]
    public async Task The_429_answer_is_the_one_the_OpenAPI_document_describes()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, null, null));
        var key = await app.CreateKeyAsync("contract-429");
        var doc = JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var check = ApiContractTests.Operations(doc).Single(o => o.Op["operationId"]?.GetValue<string>() == "checkLicense").Op;
        var busy = app.ApiClient(key);
        for (var i = 0; i < Limit; i++) Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync(org.CheckUrl())).StatusCode);

        var past = new ApiContractTests.Exchange("past the limit", HttpStatusCode.TooManyRequests, _ => ApiContractTests.Get(key, org.CheckUrl()), "rate_limited");
        var failures = await ApiContractTests.CheckAsync(app.CreateClient(), doc, check, "checkLicense / past the limit", past, null!);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SkippableFact]
    public async Task Retry_After_states_the_seconds_left_in_the_window_not_the_window()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, null, null));
        var api = app.ApiClient(await app.CreateKeyAsync("windowed"));

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(org.CheckUrl())).StatusCode); // the key's window opens here
        Clock.Advance(TimeSpan.FromSeconds(20));
        for (var i = 1; i < Limit; i++) Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(org.CheckUrl())).StatusCode);
        var limited = await api.GetAsync(org.CheckUrl());
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(40), limited.Headers.RetryAfter?.Delta);

        Clock.Advance(TimeSpan.FromSeconds(39.5));
        var stillLimited = await api.GetAsync(org.CheckUrl());
        Assert.Equal(HttpStatusCode.TooManyRequests, stillLimited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), stillLimited.Headers.RetryAfter?.Delta); // rounded up: never "retry now" while still limited

        Clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(org.CheckUrl())).StatusCode); // a new window
    }
}

public sealed class RateLimitedSqliteApp : SqliteApp
{
    protected override IDictionary<string, string?> ExtraSettings
    {
        get { var s = base.ExtraSettings; RateLimitTests.AddTinyLimit(s); return s; }
    }
}

public sealed class RateLimitedPostgresApp : PostgresApp
{
    protected override IDictionary<string, string?> ExtraSettings
    {
        get { var s = base.ExtraSettings; RateLimitTests.AddTinyLimit(s); return s; }
    }
}

public sealed class RateLimitTests_Sqlite(RateLimitedSqliteApp app) : RateLimitTests(app), IClassFixture<RateLimitedSqliteApp>;
public sealed class RateLimitTests_PostgreSql(RateLimitedPostgresApp app) : RateLimitTests(app), IClassFixture<RateLimitedPostgresApp>;
