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
