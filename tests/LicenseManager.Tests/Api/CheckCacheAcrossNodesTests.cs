using System.Net;
using System.Text;
using System.Text.Json;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace LicenseManager.Tests.Api;

/// <summary>
/// Two app instances (nodes) over one database, with a check cache long enough that a cached answer stays cached for
/// the whole test: what one node caches, and when it must stop serving it, is then observable from outside.
/// </summary>
public abstract class TwoNodes : IAsyncLifetime
{
    public const int CacheSeconds = 300;
    public abstract bool Available { get; }
    public SharedDatabaseNode Node1 { get; private set; } = null!;
    public SharedDatabaseNode Node2 { get; private set; } = null!;
    protected abstract DatabaseProvider Provider { get; }
    protected abstract string ConnectionString { get; }
    protected virtual Dictionary<string, string?> Settings => new() { ["Lma:Api:CheckCacheSeconds"] = CacheSeconds.ToString() };

    public virtual async Task InitializeAsync()
    {
        if (!Available) return;
        Node1 = new SharedDatabaseNode(Provider, ConnectionString, Settings);
        await Node1.InitializeAsync(); // migrates and seeds; the second node then finds nothing to do
        Node2 = new SharedDatabaseNode(Provider, ConnectionString, Settings);
        await Node2.InitializeAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (Node2 is not null) await Node2.DisposeAsync();
        if (Node1 is not null) await Node1.DisposeAsync();
    }
}

/// <summary>One node of <see cref="TwoNodes"/>: the real app on a database another node shares.</summary>
public sealed class SharedDatabaseNode(DatabaseProvider provider, string connectionString, Dictionary<string, string?> settings) : LmaApp
{
    public override DatabaseProvider Provider => provider;
    protected override string ConnectionString => connectionString;
    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>(settings);
}

public sealed class TwoSqliteNodes : TwoNodes
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lma-tests", Guid.NewGuid().ToString("N"));
    public override bool Available => true;
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
    protected override string ConnectionString => $"Data Source={Path.Combine(_folder, "lma.db")}";
    protected override Dictionary<string, string?> Settings { get { var s = base.Settings; s["Lma:DataDirectory"] = _folder; return s; } }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        using (var own = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString)) Microsoft.Data.Sqlite.SqliteConnection.ClearPool(own);
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

public sealed class TwoPostgresNodes : TwoNodes
{
    private readonly string _database = $"lma_test_{Guid.NewGuid():N}";
    public override bool Available => !string.IsNullOrEmpty(PostgresApp.ServerConnection);
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
    protected override string ConnectionString => new NpgsqlConnectionStringBuilder(PostgresApp.ServerConnection) { Database = _database }.ConnectionString;

    public override async Task InitializeAsync()
    {
        if (!Available)
        {
            if (PostgresApp.Required) throw new InvalidOperationException("LMA_TEST_POSTGRES_REQUIRED is set but LMA_TEST_POSTGRES is not.");
            return;
        }
        await using (var connection = new NpgsqlConnection(PostgresApp.ServerConnection))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (!Available) return;
        using (var own = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(own);
        await using var connection = new NpgsqlConnection(PostgresApp.ServerConnection);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// Issue 12 part 4: a token states the license as the database has it now; the check's cache is dropped on the node
/// that saved a change, and only when the change was saved.
/// </summary>
public abstract class CheckCacheAcrossNodesTests(TwoNodes nodes)
{
    private static readonly LicenseDefaults ActiveSiteLicense = new(LicenseStatus.Active, null, null);
    private static readonly object Suspend = new { status = "Suspended", siteLicense = true, doesNotExpire = true };

    private void RequireNodes() => Skip.IfNot(nodes.Available, "PostgreSQL is not configured on this machine (set LMA_TEST_POSTGRES); .ci/run requires it.");

    [SkippableFact]
    public async Task A_token_issued_on_one_node_states_a_suspension_made_through_another_nodes_API()
    {
        RequireNodes();
        var org = await nodes.Node1.LicensedOrgAsync(ActiveSiteLicense);
        var node1 = nodes.Node1.ApiClient(await nodes.Node1.CreateKeyAsync());
        var node2 = nodes.Node2.ApiClient(await nodes.Node2.CreateKeyAsync());
        Assert.Equal("OK", await node1.CheckCodeAsync(org.CheckUrl())); // node 1 now holds "Active" in its cache

        var etag = (await node2.GetAsync($"/api/v1/licenses/{org.LicenseName}")).Headers.ETag!.Tag;
        var suspended = await node2.PostJsonAsync($"/api/v1/licenses/{org.LicenseName}/modify", Suspend, etag);
        Assert.Equal(HttpStatusCode.OK, suspended.StatusCode);

        var token = await TokenClaimsAsync(node1, org);
        Assert.Equal("Suspended", token.GetProperty("status").GetString());
        Assert.False(token.GetProperty("licensed").GetBoolean());
        Assert.Equal("SUSPENDED", token.GetProperty("code").GetString());
    }

    [SkippableFact]
    public async Task A_token_issued_on_one_node_states_a_suspension_saved_on_another_nodes_Modify_License_page()
    {
        RequireNodes();
        var org = await nodes.Node1.LicensedOrgAsync(ActiveSiteLicense);
        var node1 = nodes.Node1.ApiClient(await nodes.Node1.CreateKeyAsync());
        Assert.Equal("OK", await node1.CheckCodeAsync(org.CheckUrl()));

        using var page = await nodes.Node2.SignInAsAdminAsync();
        var saved = await page.PostFormAsync($"/licenses/{org.LicenseName}/modify", await SuspendFormAsync(nodes.Node2, org));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        var token = await TokenClaimsAsync(node1, org);
        Assert.Equal("Suspended", token.GetProperty("status").GetString());
        Assert.False(token.GetProperty("licensed").GetBoolean());
    }

    [SkippableFact]
    public async Task A_Modify_License_page_save_is_answered_at_once_by_the_check_on_the_same_node()
    {
        RequireNodes();
        var org = await nodes.Node1.LicensedOrgAsync(ActiveSiteLicense);
        var node1 = nodes.Node1.ApiClient(await nodes.Node1.CreateKeyAsync());
        Assert.Equal("OK", await node1.CheckCodeAsync(org.CheckUrl()));

        using var page = await nodes.Node1.SignInAsAdminAsync();
        var saved = await page.PostFormAsync($"/licenses/{org.LicenseName}/modify", await SuspendFormAsync(nodes.Node1, org));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        Assert.Equal("SUSPENDED", await node1.CheckCodeAsync(org.CheckUrl()));
    }

    [SkippableFact]
    public async Task A_license_deleted_on_a_node_is_not_found_at_once_by_the_check_on_that_node()
    {
        RequireNodes();
        var org = await nodes.Node1.LicensedOrgAsync(ActiveSiteLicense);
        var node1 = nodes.Node1.ApiClient(await nodes.Node1.CreateKeyAsync());
        Assert.Equal("OK", await node1.CheckCodeAsync(org.CheckUrl()));

        using var page = await nodes.Node1.SignInAsAdminAsync();
        var deleted = await page.PostFormAsync($"/licenses/{org.LicenseName}/delete", new() { ["confirmOrgId"] = org.OrgId }, tokenFrom: $"/licenses/{org.LicenseName}");
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);

        Assert.Equal("NOT_FOUND", await node1.CheckCodeAsync(org.CheckUrl()));
    }

    /// <summary>
    /// The cache is not observable directly; what is: node 1 serves its cached "Active" after node 2 suspended the license
    /// (within CheckCacheSeconds, as documented). Had a failed modify on node 1 dropped the cache, node 1 would answer
    /// SUSPENDED afterwards; it keeps answering OK until a change is actually saved on it.
    /// </summary>
    [SkippableFact]
    public async Task A_failed_API_modify_does_not_drop_the_cached_check_answer()
    {
        RequireNodes();
        var org = await nodes.Node1.LicensedOrgAsync(ActiveSiteLicense);
        var node1 = nodes.Node1.ApiClient(await nodes.Node1.CreateKeyAsync());
        var node2 = nodes.Node2.ApiClient(await nodes.Node2.CreateKeyAsync());
        var url = $"/api/v1/licenses/{org.LicenseName}";
        var staleEtag = (await node1.GetAsync(url)).Headers.ETag!.Tag;
        Assert.Equal("OK", await node1.CheckCodeAsync(org.CheckUrl()));
        var suspended = await node2.PostJsonAsync(url + "/modify", Suspend, staleEtag);
        Assert.Equal(HttpStatusCode.OK, suspended.StatusCode);
        Assert.Equal("OK", await node1.CheckCodeAsync(org.CheckUrl())); // cached on node 1, as documented

        var stale = await node1.PostJsonAsync(url + "/modify", new { status = "Active", siteLicense = true, doesNotExpire = true }, staleEtag);
        Assert.Equal((HttpStatusCode.PreconditionFailed, "concurrency_conflict"), (stale.StatusCode, await stale.ProblemCodeAsync()));
        var badIfMatch = await node1.PostJsonAsync(url + "/modify", Suspend, "\"not-ours\"");
        Assert.Equal((HttpStatusCode.BadRequest, "if_match_invalid"), (badIfMatch.StatusCode, await badIfMatch.ProblemCodeAsync()));
        var current = suspended.Headers.ETag!.Tag;
        var backToTrial = await node1.PostJsonAsync(url + "/modify", new { status = "Trial", siteLicense = true, doesNotExpire = false, expirationDate = TestClock.Today(nodes.Node1.Clock).AddDays(10) }, current);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, backToTrial.StatusCode);

        Assert.Equal("OK", await node1.CheckCodeAsync(org.CheckUrl())); // nothing was saved on node 1: its cache stands

        var saved = await node1.PostJsonAsync(url + "/modify", Suspend, current);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("SUSPENDED", await node1.CheckCodeAsync(org.CheckUrl())); // saved on node 1: seen at once
    }

    private static async Task<Dictionary<string, string>> SuspendFormAsync(LmaApp app, ApiTestKit.LicensedOrg org)
    {
        var version = await app.WithDb(db => db.Licenses.Where(l => l.Id == org.LicenseName).Select(l => l.Version).SingleAsync());
        return new()
        {
            ["Status"] = "Suspended", ["SiteLicense"] = "true", ["Seats"] = "", ["DoesNotExpire"] = "true", ["ExpirationDate"] = "",
            ["Version"] = version.ToString(),
        };
    }

    private static async Task<JsonElement> TokenClaimsAsync(HttpClient api, ApiTestKit.LicensedOrg org)
    {
        var issued = await api.PostAsync($"/api/v1/licenses/{org.Package.PackageId}/{org.OrgId}/token", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var token = (await issued.JsonAsync()).GetProperty("token").GetString()!;
        return JsonDocument.Parse(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.Split('.')[1]))).RootElement;
    }
}

public sealed class CheckCacheAcrossNodesTests_Sqlite(TwoSqliteNodes nodes) : CheckCacheAcrossNodesTests(nodes), IClassFixture<TwoSqliteNodes>;
public sealed class CheckCacheAcrossNodesTests_PostgreSql(TwoPostgresNodes nodes) : CheckCacheAcrossNodesTests(nodes), IClassFixture<TwoPostgresNodes>;
