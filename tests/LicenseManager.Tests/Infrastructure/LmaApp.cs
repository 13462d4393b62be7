using System.Net;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Parser;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Installs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace LicenseManager.Tests.Infrastructure;

/// <summary>
/// The real app over a real database, shared by a collection (see <see cref="SqliteCollection"/>) or one per test
/// class that needs settings of its own. Jobs don't run on their own here: tests drive the install processor and jobs
/// directly so they can assert between steps. The app's clock is <see cref="Clock"/>, a fake that starts at
/// <see cref="TestClock.Start"/> and moves only when a test advances it.
/// </summary>
public abstract class LmaApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "admin@test.local";
    public const string AdminPassword = "Admin-Password-123";
    public const string IngestSecret = "test-ingest-secret-current";
    public const string PreviousIngestSecret = "test-ingest-secret-previous";
    public const string UserPassword = "User-Password-456";

    public abstract DatabaseProvider Provider { get; }
    /// <summary>False when this provider's server isn't configured on this machine (tests then skip; CI requires it).</summary>
    public virtual bool Available => true;
    protected abstract string ConnectionString { get; }
    /// <summary>This app's database, for a child process of the real app (the command-line verbs) to use too.</summary>
    public string DatabaseConnectionString => ConnectionString;
    protected virtual IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    /// <summary>The app's TimeProvider. Only an app of a test's own may be advanced: a shared app's clock stays put.</summary>
    public FakeTimeProvider Clock { get; } = new(TestClock.Start);

    /// <summary>
    /// Hangfire keeps process-wide statics that each host's AddHangfire points at that host while it is configured:
    /// JobStorage.Current and JobActivator.Current (each host's singletons are read from them) and the log provider
    /// (the host's logger factory). Hosts in one test process are therefore built one at a time, each resolves its
    /// Hangfire services before the next is built (so no app enqueues into another app's database), and Hangfire's
    /// logging is then pointed at nothing: otherwise, once the last-built host is disposed, every other app's
    /// Hangfire call that creates a logger fails with ObjectDisposedException.
    /// </summary>
    private static readonly Lock HostStart = new();

    protected override IHost CreateHost(IHostBuilder builder)
    {
        lock (HostStart)
        {
            var host = base.CreateHost(builder);
            _ = host.Services.GetService<Hangfire.JobStorage>();
            _ = host.Services.GetService<Hangfire.JobActivator>();
            _ = host.Services.GetService<Hangfire.IBackgroundJobClient>();
            _ = host.Services.GetService<Hangfire.IRecurringJobManager>();
            Hangfire.Logging.LogProvider.SetCurrentLogProvider(NoHangfireLog.Instance);
            return host;
        }
    }

    private sealed class NoHangfireLog : Hangfire.Logging.ILogProvider, Hangfire.Logging.ILog
    {
        public static readonly NoHangfireLog Instance = new();
        public Hangfire.Logging.ILog GetLogger(string name) => this;
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
        builder.UseEnvironment(Environment.GetEnvironmentVariable("LMA_TEST_ENVIRONMENT") ?? "Testing");
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = Provider.ToString(),
            ["ConnectionStrings:Lma"] = ConnectionString,
            ["Lma:Jobs:RunServer"] = "false",
            ["Lma:SeedDemoData"] = "false",
            ["Lma:Admin:Email"] = AdminEmail,
            ["Lma:Admin:Password"] = AdminPassword,
            ["Lma:Ingest:Secret"] = IngestSecret,
            ["Lma:Ingest:PreviousSecret"] = PreviousIngestSecret,
            ["Lma:PublicBaseUrl"] = "http://lma.test",
            // Every test client signs in from the same (absent) address; the sign-in tests set their own limit.
            ["Lma:SignIn:RateLimit:PermitLimit"] = "100000",
        };
        foreach (var (k, v) in ExtraSettings) settings[k] = v;
        foreach (var (k, v) in settings) builder.UseSetting(k, v);
    }

    public virtual Task InitializeAsync()
    {
        if (Available) _ = Server; // start the host: migrations, roles, administrator
        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAppAsync();

    protected virtual async Task DisposeAppAsync() => await base.DisposeAsync();

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    public async Task<T> WithDb<T>(Func<LicenseManagerDbContext, Task<T>> work)
    {
        await using var scope = Scope();
        return await work(scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>());
    }

    public Task WithDb(Func<LicenseManagerDbContext, Task> work) => WithDb(async db => { await work(db); return 0; });

    public Task<int> ProcessInstallEventsAsync() => Services.GetRequiredService<InstallEventProcessor>().ProcessPendingAsync();

    /// <summary>Creates an active user in a role, with <see cref="UserPassword"/>.</summary>
    public async Task<ApplicationUser> CreateUserAsync(string role, string? email = null, bool active = true)
    {
        await using var scope = Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        email ??= $"{role.Replace(" ", "").ToLowerInvariant()}-{Guid.NewGuid():N}@test.local";
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = $"{role} {email[..6]}", IsActive = active, CreatedAt = Clock.GetUtcNow().UtcDateTime };
        var result = await users.CreateAsync(user, UserPassword);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(user, role);
        return user;
    }

    /// <summary>An HTTP client signed in through the real login form (cookies and antiforgery as a browser would).</summary>
    public async Task<BrowserClient> SignInAsync(string email, string password)
    {
        var client = NewBrowserClient();
        var response = await client.PostFormAsync("/sign-in", new() { ["Email"] = email, ["Password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"login failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    /// <summary>A client that keeps cookies and doesn't follow redirects, signed in as nobody yet.</summary>
    public virtual BrowserClient NewBrowserClient() => new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }));

    public Task<BrowserClient> SignInAsAdminAsync() => SignInAsync(AdminEmail, AdminPassword);

    public async Task<BrowserClient> SignInAsNewUserAsync(string role) => await SignInAsync((await CreateUserAsync(role)).Email!, UserPassword);

    public sealed record TestPackage(long Key, string PackageId, string VersionId);

    /// <summary>A package with one uploaded version, associated with the given defaults unless told otherwise.</summary>
    public async Task<TestPackage> CreatePackageAsync(bool associate = true, LicenseDefaults? defaults = null, string? leadManagerId = null, string version = "1.0.0")
    {
        var (packageId, versionId) = (Events.NewPackageId(), Events.NewVersionId());
        var response = await PostEventAsync(Events.VersionUploaded(packageId, versionId, version));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await ProcessInstallEventsAsync();
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        var key = await db.Packages.Where(p => p.PackageId == packageId).Select(p => p.Id).SingleAsync();
        var commands = scope.ServiceProvider.GetRequiredService<LicenseManager.Web.Features.Packages.PackageCommands>();
        if (leadManagerId is not null) Assert.True((await commands.ChangeLeadManagerAsync(key, leadManagerId, null, default)).Succeeded);
        if (associate) Assert.True((await commands.SetAssociationAsync(key, defaults ?? new LicenseDefaults(LicenseStatus.Trial, null, 30), null, default)).Succeeded);
        return new TestPackage(key, packageId, versionId);
    }

    public async Task<License?> LicenseAsync(long packageKey, string orgId) =>
        await WithDb(db => db.Licenses.AsNoTracking().Include(l => l.Lead).SingleOrDefaultAsync(l => l.PackageKey == packageKey && l.SubscriberOrgId == orgId));

    /// <summary>Posts events (asserting 202) and runs the processor.</summary>
    public async Task SendAsync(params InstallEventRequest[] events)
    {
        foreach (var e in events)
        {
            var response = await PostEventAsync(e);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        await ProcessInstallEventsAsync();
    }

    /// <summary>POSTs a signed install event, as the distribution pipeline does, signed at the app's time unless told otherwise.</summary>
    public async Task<HttpResponseMessage> PostEventAsync(object body, string? secret = IngestSecret, DateTimeOffset? signedAt = null)
    {
        var json = body as string ?? JsonSerializer.Serialize(body, InstallEventRequest.Json);
        var bytes = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/install-events") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        if (secret is not null) request.Headers.Add(IngestSignature.Header, IngestSignature.Sign(secret, signedAt ?? Clock.GetUtcNow(), bytes));
        return await CreateClient().SendAsync(request);
    }
}

/// <summary>The app on a SQLite file of its own; derived fixtures pass the settings that make them different.</summary>
public class SqliteApp : LmaApp
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lma-tests", Guid.NewGuid().ToString("N"));
    private readonly (string Key, string Value)[] _settings;
    public SqliteApp() : this([]) { }
    protected SqliteApp(params (string Key, string Value)[] settings) => _settings = settings;
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
    protected string DataFolder => _folder;
    protected override string ConnectionString => $"Data Source={Path.Combine(_folder, "lma.db")}";
    protected override IDictionary<string, string?> ExtraSettings =>
        _settings.Aggregate(new Dictionary<string, string?> { ["Lma:DataDirectory"] = _folder }, (all, s) => { all[s.Key] = s.Value; return all; });

    protected override async Task DisposeAppAsync()
    {
        await base.DisposeAppAsync();
        // This database's pool only: other apps in the run still have connections open.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString)) Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// A fresh database on the PostgreSQL server named by LMA_TEST_POSTGRES (a connection string whose role may
/// create databases). With LMA_TEST_POSTGRES_REQUIRED=true (CI) a missing server fails the run instead of skipping.
/// </summary>
public class PostgresApp : LmaApp
{
    public static readonly string? ServerConnection = Environment.GetEnvironmentVariable("LMA_TEST_POSTGRES");
    public static readonly bool Required = Environment.GetEnvironmentVariable("LMA_TEST_POSTGRES_REQUIRED") is "1" or "true";
    private readonly string _database = $"lma_test_{Guid.NewGuid():N}";

    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
    public override bool Available => !string.IsNullOrEmpty(ServerConnection);
    protected override string ConnectionString => new NpgsqlConnectionStringBuilder(ServerConnection) { Database = _database }.ConnectionString;

    public override async Task InitializeAsync()
    {
        if (!Available)
        {
            if (Required) throw new InvalidOperationException("LMA_TEST_POSTGRES_REQUIRED is set but LMA_TEST_POSTGRES is not: PostgreSQL tests must run here.");
            return;
        }
        await using (var connection = new NpgsqlConnection(ServerConnection))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        await base.InitializeAsync();
    }

    protected override async Task DisposeAppAsync()
    {
        await base.DisposeAppAsync();
        if (!Available) return;
        using (var own = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(own);
        await using var connection = new NpgsqlConnection(ServerConnection);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>A cookie-keeping client that reads antiforgery tokens from pages like a browser.</summary>
public sealed class BrowserClient(HttpClient http) : IDisposable
{
    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> GetAsync(string url) => Http.GetAsync(url);

    public async Task<string> GetPageAsync(string url)
    {
        var response = await Http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}\n{body[..Math.Min(body.Length, 2000)]}");
        return body;
    }

    /// <summary>
    /// Posts a form the way the page would: fetches <paramref name="tokenFrom"/> (default: the form's own URL) and, when a
    /// form posting to <paramref name="url"/> is on it, sends that form's own antiforgery token, failing if it has none.
    /// With no such form on the page (a crafted request, as authorization tests send) the page's first token is used.
    /// </summary>
    public async Task<HttpResponseMessage> PostFormAsync(string url, Dictionary<string, string> fields, string? tokenFrom = null)
    {
        var pageUrl = tokenFrom ?? url;
        var page = await Http.GetAsync(pageUrl);
        var document = new HtmlParser().ParseDocument(await page.Content.ReadAsStringAsync());
        var path = url.Split('?')[0];
        var form = document.QuerySelectorAll("form").FirstOrDefault(f =>
            string.Equals(f.GetAttribute("method"), "post", StringComparison.OrdinalIgnoreCase)
            && (f.GetAttribute("action") is not { Length: > 0 } action ? new Uri("http://x" + pageUrl).AbsolutePath == path : action.Split('?')[0] == path));
        var token = form is not null
            ? form.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
              ?? throw new InvalidOperationException($"The form posting to {url} on {pageUrl} has no antiforgery token: a browser's post would be refused with 400.")
            : document.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
              ?? throw new InvalidOperationException($"No antiforgery token on {pageUrl} ({(int)page.StatusCode})");
        var fieldsWithToken = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
        // As a browser does: the page the form is on as the referrer (same origin).
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fieldsWithToken) };
        request.Headers.Referrer = new Uri(Http.BaseAddress ?? new Uri("http://localhost"), pageUrl);
        return await Http.SendAsync(request);
    }

    public void Dispose() => Http.Dispose();
}

/// <summary>
/// The app on SQLite behind a real Kestrel on a loopback port, for what the in-memory test server doesn't check
/// (header values: a Location or cookie Kestrel refuses to send).
/// </summary>
public sealed class KestrelSqliteApp : SqliteApp
{
    public string BaseUrl { get; private set; } = "";

    public override Task InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        BaseUrl = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return Task.CompletedTask;
    }

    public override BrowserClient NewBrowserClient() =>
        new(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(BaseUrl) });
}
