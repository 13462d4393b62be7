using System.Net;
using AngleSharp.Html.Parser;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.SignIn;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.SignIn;

/// <summary>
/// Sign-in tells a stranger nothing (unknown emails hash, answer and lock like real ones) and a stranger can't lock an
/// account for its owner. Client addresses come from X-Forwarded-For, as behind a reverse proxy with forwarded headers on.
/// </summary>
public abstract class SignInTests(LmaApp app)
{
    public const int PermitLimit = 12;
    public const int FailuresPerAccount = 10;
    private const string WrongPassword = "Wrong-Password-789";
    private const string NotCorrect = "The email or password is not correct.";
    private static int s_address;

    public static void AddSettings(IDictionary<string, string?> settings)
    {
        settings["ForwardedHeaders_Enabled"] = "true";
        settings["Lma:SignIn:RateLimit:PermitLimit"] = PermitLimit.ToString();
        settings["Lma:SignIn:RateLimit:Window"] = "00:05:00";
        settings["Lma:SignIn:FailuresPerAccount"] = FailuresPerAccount.ToString();
    }

    /// <summary>Observes the app's own hasher: every verification still runs the real PBKDF2 check.</summary>
    public static void CountHashes(IWebHostBuilder builder) => builder.ConfigureTestServices(services =>
    {
        services.AddSingleton<CountingPasswordHasher>();
        services.AddSingleton<IPasswordHasher<ApplicationUser>>(sp => sp.GetRequiredService<CountingPasswordHasher>());
    });

    private static string NewAddress()
    {
        var n = Interlocked.Increment(ref s_address);
        return $"198.51.{100 + n / 250}.{n % 250 + 1}";
    }

    private static string UnknownEmail() => $"nobody-{Guid.NewGuid():N}@test.local";

    private sealed record LoginAnswer(HttpStatusCode Status, string? Message, string Body, HttpResponseMessage Response);

    /// <summary>The login form as a browser at <paramref name="address"/> posts it: its own page's token, its own cookies.</summary>
    private async Task<LoginAnswer> LoginAsync(string email, string password, string address)
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/sign-in");
        var token = new HtmlParser().ParseDocument(form).QuerySelector("form[action='/sign-in'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = email, ["Password"] = password, ["__RequestVerificationToken"] = token }),
        };
        request.Headers.Add("X-Forwarded-For", address);
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var message = new HtmlParser().ParseDocument(body).QuerySelector(".validation-summary-errors li")?.TextContent.Trim();
        return new LoginAnswer(response.StatusCode, message, body, response);
    }

    [SkippableFact]
    public async Task An_unknown_email_gets_the_same_answer_as_a_wrong_password_and_runs_the_password_hasher()
    {
        Requires.Available(app);
        var user = await app.CreateUserAsync(Roles.SalesRep);
        var hasher = app.Services.GetRequiredService<CountingPasswordHasher>();

        var before = hasher.Verifications;
        var wrong = await LoginAsync(user.Email!, WrongPassword, NewAddress());
        Assert.Equal(before + 1, hasher.Verifications);

        before = hasher.Verifications;
        var unknown = await LoginAsync(UnknownEmail(), WrongPassword, NewAddress());
        Assert.Equal(before + 1, hasher.Verifications);

        Assert.Equal((HttpStatusCode.OK, NotCorrect), (wrong.Status, wrong.Message));
        Assert.Equal((wrong.Status, wrong.Message), (unknown.Status, unknown.Message));
    }

    [SkippableFact]
    public async Task After_five_failures_an_unknown_email_gets_the_same_lockout_text_as_a_real_account()
    {
        Requires.Available(app);
        var user = await app.CreateUserAsync(Roles.SalesRep);
        var (realAddress, unknownAddress, unknownEmail) = (NewAddress(), NewAddress(), UnknownEmail());
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync(user.Email!, WrongPassword, realAddress);
            await LoginAsync(unknownEmail, WrongPassword, unknownAddress);
        }

        var real = await LoginAsync(user.Email!, WrongPassword, realAddress);
        var unknown = await LoginAsync(unknownEmail, WrongPassword, unknownAddress);

        Assert.StartsWith("Too many failed attempts", real.Message);
        Assert.Equal((real.Status, real.Message), (unknown.Status, unknown.Message));
        // Locked means locked: the right password from that address doesn't get in either.
        Assert.Equal(real.Message, (await LoginAsync(user.Email!, LmaApp.UserPassword, realAddress)).Message);
    }

    [SkippableFact]
    public async Task A_stranger_failing_five_times_locks_only_their_own_address_out()
    {
        Requires.Available(app);
        var user = await app.CreateUserAsync(Roles.Administrator);
        var stranger = NewAddress();
        for (var i = 0; i < 5; i++) await LoginAsync(user.Email!, WrongPassword, stranger);
        Assert.StartsWith("Too many failed attempts", (await LoginAsync(user.Email!, LmaApp.UserPassword, stranger)).Message);

        var owner = await LoginAsync(user.Email!, LmaApp.UserPassword, NewAddress());

        Assert.True(owner.Status == HttpStatusCode.Redirect, $"the owner was refused: {(int)owner.Status} {owner.Message}");
    }

    [SkippableFact]
    public async Task Failures_from_several_addresses_lock_the_account_for_everyone_until_a_password_reset()
    {
        Requires.Available(app);
        var user = await app.CreateUserAsync(Roles.SalesRep);
        for (var a = 0; a < FailuresPerAccount / 5; a++)
        {
            var address = NewAddress();
            for (var i = 0; i < 5; i++) await LoginAsync(user.Email!, WrongPassword, address);
        }

        var owner = await LoginAsync(user.Email!, LmaApp.UserPassword, NewAddress());

        Assert.StartsWith("Too many failed attempts", owner.Message);
        Assert.True(await app.WithDb(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.LockoutEnd).SingleAsync()) > app.Clock.GetUtcNow());

        using var admin = await app.SignInAsAdminAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostFormAsync($"/admin/users/{user.Id}/reset-password", new(), tokenFrom: "/admin/users")).StatusCode);
        Assert.Equal(0, await app.WithDb(db => db.SignInLockouts.CountAsync(l => l.NormalizedEmail == user.NormalizedEmail)));
    }

    [SkippableFact]
    public async Task A_wrong_password_for_a_deactivated_user_gets_the_ordinary_answer()
    {
        Requires.Available(app);
        var user = await app.CreateUserAsync(Roles.SalesRep, active: false);
        var hasher = app.Services.GetRequiredService<CountingPasswordHasher>();
        var before = hasher.Verifications;

        var wrong = await LoginAsync(user.Email!, WrongPassword, NewAddress());

        Assert.Equal(NotCorrect, wrong.Message);
        Assert.Equal(before + 1, hasher.Verifications);
        Assert.Contains("deactivated", (await LoginAsync(user.Email!, LmaApp.UserPassword, NewAddress())).Message);
    }

    [SkippableFact]
    public async Task Past_its_limit_an_address_gets_429_with_the_login_page_while_another_address_is_unaffected()
    {
        Requires.Available(app);
        var busy = NewAddress();
        for (var i = 0; i < PermitLimit; i++)
            Assert.Equal(HttpStatusCode.OK, (await LoginAsync(UnknownEmail(), WrongPassword, busy)).Status);

        var limited = await LoginAsync(UnknownEmail(), WrongPassword, busy);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.StartsWith("Too many sign-in attempts from your network address", limited.Message);
        Assert.Contains("action=\"/sign-in\"", limited.Body);
        Assert.InRange(limited.Response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 300);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(UnknownEmail(), WrongPassword, NewAddress())).Status);
    }
}

public sealed class CountingPasswordHasher : IPasswordHasher<ApplicationUser>
{
    private readonly PasswordHasher<ApplicationUser> _real = new();
    private int _verifications;
    public int Verifications => Volatile.Read(ref _verifications);

    public string HashPassword(ApplicationUser user, string password) => _real.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return _real.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

public sealed class SignInSqliteApp : SqliteApp
{
    protected override IDictionary<string, string?> ExtraSettings { get { var s = base.ExtraSettings; SignInTests.AddSettings(s); return s; } }
    protected override void ConfigureWebHost(IWebHostBuilder builder) { base.ConfigureWebHost(builder); SignInTests.CountHashes(builder); }
}

public sealed class SignInPostgresApp : PostgresApp
{
    protected override IDictionary<string, string?> ExtraSettings { get { var s = base.ExtraSettings; SignInTests.AddSettings(s); return s; } }
    protected override void ConfigureWebHost(IWebHostBuilder builder) { base.ConfigureWebHost(builder); SignInTests.CountHashes(builder); }
}

public sealed class SignInTests_Sqlite(SignInSqliteApp app) : SignInTests(app), IClassFixture<SignInSqliteApp>;
public sealed class SignInTests_PostgreSql(SignInPostgresApp app) : SignInTests(app), IClassFixture<SignInPostgresApp>;

public sealed class SignInOptionsTests
{
    [Fact]
    public void One_address_alone_may_never_be_able_to_lock_an_account()
    {
        Assert.Null(SignInLimitOptions.Problem(new SignInLimitOptions()));
        Assert.Contains("FailuresPerAccount", SignInLimitOptions.Problem(new SignInLimitOptions { FailuresPerAddress = 5, FailuresPerAccount = 9 }));
    }
}
