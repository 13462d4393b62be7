using Microsoft.Extensions.Configuration;
using System.Diagnostics;

namespace LicenseManager.Tests.Persistence;

/// <summary>Bad configuration stops start-up with one clear line naming the setting and a non-zero exit code.</summary>
public class StartupTests
{
    private static async Task<(int ExitCode, string StdErr, string StdOut)> RunAppAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "LicenseManager.Web.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        start.ArgumentList.Add("--Lma:DataDirectory=" + Path.Combine(Path.GetTempPath(), "lma-startup-" + Guid.NewGuid().ToString("N")));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(true); throw; }
        return (process.ExitCode, (await stderr).Trim(), await stdout);
    }

    [Fact]
    public async Task Unknown_provider_prints_one_line_and_exits_non_zero()
    {
        var (code, stderr, _) = await RunAppAsync("--Database:Provider=Oracle");
        Assert.NotEqual(0, code);
        Assert.Equal("LicenseManager cannot start: Database:Provider: unknown database provider 'Oracle'; use Sqlite, PostgreSql or SqlServer.", stderr);
    }

    /// <summary>Every options section is validated before the app starts: a bad value is one line naming it, exit 2.</summary>
    [Theory]
    [InlineData("--Lma:Ingest:Tolerance=-00:05:00", "Tolerance")]
    [InlineData("--Lma:Ingest:MaxBodyBytes=0", "MaxBodyBytes")]
    [InlineData("--Lma:Refresh:MinimumInterval=-1.00:00:00", "MinimumInterval")]
    [InlineData("--Lma:Api:CheckCacheSeconds=-1", "CheckCacheSeconds")]
    [InlineData("--Lma:Smtp:Port=0", "Port")]
    [InlineData("--Lma:SignIn:FailuresPerAddress=0", "FailuresPerAddress")]
    [InlineData("--Lma:Admin:Email=not-an-email", "Lma:Admin:Email")]
    [InlineData("--Lma:Dashboard:RefreshInterval=00:00:10", "RefreshInterval")]
    public async Task A_bad_option_value_stops_start_up_naming_the_option(string setting, string named)
    {
        var (code, stderr, _) = await RunAppAsync(setting);
        Assert.Equal(2, code);
        Assert.Single(stderr.Split('\n'));
        Assert.StartsWith("LicenseManager cannot start: invalid configuration:", stderr);
        Assert.Contains(named, stderr);
    }

    [Fact]
    public async Task Unparsable_connection_string_names_the_setting()
    {
        var (code, stderr, _) = await RunAppAsync("--Database:Provider=PostgreSql", "--ConnectionStrings:Lma=Hots=x;;=bad");
        Assert.NotEqual(0, code);
        Assert.Single(stderr.Split('\n'));
        Assert.StartsWith("LicenseManager cannot start: ConnectionStrings:Lma: the PostgreSql connection string can't be parsed", stderr);
    }

    [Fact]
    public async Task Unreachable_database_names_the_setting()
    {
        var (code, stderr, _) = await RunAppAsync("--Database:Provider=PostgreSql", "--ConnectionStrings:Lma=Host=127.0.0.1;Port=1;Database=x;Username=x;Password=x;Timeout=3");
        Assert.NotEqual(0, code);
        Assert.Single(stderr.Split('\n'));
        Assert.StartsWith("LicenseManager cannot start: ConnectionStrings:Lma: can't open the PostgreSql database", stderr);
    }

    [SkippableFact]
    public async Task A_database_error_during_migration_is_reported_as_such_not_as_a_bad_setting_on_PostgreSQL()
    {
        Skip.If(string.IsNullOrEmpty(Infrastructure.PostgresApp.ServerConnection) && !Infrastructure.PostgresApp.Required, "PostgreSQL is not configured here");
        var name = $"lma_startup_{Guid.NewGuid():N}";
        await using (var server = new Npgsql.NpgsqlConnection(Infrastructure.PostgresApp.ServerConnection))
        {
            await server.OpenAsync();
            await new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name}\"", server).ExecuteNonQueryAsync();
        }
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(Infrastructure.PostgresApp.ServerConnection) { Database = name }.ConnectionString;
        try
        {
            // The server is reachable and the setting is right; the database holds a table the first migration creates.
            await using (var db = new Npgsql.NpgsqlConnection(connectionString))
            {
                await db.OpenAsync();
                await new Npgsql.NpgsqlCommand("""CREATE TABLE "AspNetRoles" ("Unrelated" int)""", db).ExecuteNonQueryAsync();
            }
            var (code, stderr, _) = await RunAppAsync("--Database:Provider=PostgreSql", $"--ConnectionStrings:Lma={connectionString}");
            Assert.NotEqual(0, code);
            Assert.Single(stderr.Split('\n'));
            Assert.StartsWith("LicenseManager cannot start: migrating the PostgreSql database failed: ", stderr);
            Assert.Contains("already exists", stderr);
            Assert.DoesNotContain("ConnectionStrings:Lma", stderr);
        }
        finally
        {
            using (var own = new Npgsql.NpgsqlConnection(connectionString)) Npgsql.NpgsqlConnection.ClearPool(own);
            await using var server = new Npgsql.NpgsqlConnection(Infrastructure.PostgresApp.ServerConnection);
            await server.OpenAsync();
            await new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", server).ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_database_error_during_migration_is_reported_as_such_not_as_a_bad_setting_on_SQLite()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lma-startup-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "lma.db");
        try
        {
            await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}"))
            {
                await db.OpenAsync();
                await using var create = db.CreateCommand();
                create.CommandText = """CREATE TABLE "AspNetRoles" ("Unrelated" int)""";
                await create.ExecuteNonQueryAsync();
            }
            using (var own = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}")) Microsoft.Data.Sqlite.SqliteConnection.ClearPool(own);
            var (code, stderr, _) = await RunAppAsync("--Database:Provider=Sqlite", $"--ConnectionStrings:Lma=Data Source={file}");
            Assert.NotEqual(0, code);
            Assert.Single(stderr.Split('\n'));
            Assert.StartsWith("LicenseManager cannot start: migrating the Sqlite database failed: ", stderr);
            Assert.Contains("already exists", stderr);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}

/// <summary>Connection-string defaults the app adds, and that an explicit setting always wins over them.</summary>
public class ConnectionStringDefaultsTests
{
    private static string Resolve(string provider, string connectionString) =>
        LicenseManager.Web.Infrastructure.DatabaseSetup.ResolveDatabase(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = provider,
                ["ConnectionStrings:Lma"] = connectionString,
            }).Build(), Path.GetTempPath()).ConnectionString;

    [Fact]
    public void PostgreSQL_statements_are_auto_prepared_unless_the_connection_string_says_otherwise()
    {
        Assert.Equal(64, new Npgsql.NpgsqlConnectionStringBuilder(Resolve("PostgreSql", "Host=db;Username=lma;Password=x")).MaxAutoPrepare);
        Assert.Equal(0, new Npgsql.NpgsqlConnectionStringBuilder(Resolve("PostgreSql", "Host=db;Username=lma;Password=x;Max Auto Prepare=0")).MaxAutoPrepare);
        Assert.Equal(5, new Npgsql.NpgsqlConnectionStringBuilder(Resolve("PostgreSql", "Host=db;Username=lma;Password=x;MaxAutoPrepare=5")).MaxAutoPrepare);
    }
}
