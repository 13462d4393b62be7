using LicenseManager.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace LicenseManager.Tests.Persistence;

/// <summary>Each provider's migrations are in step with the model: no provider falls behind (no database needed).</summary>
public class MigrationsTests
{
    public static TheoryData<DatabaseProvider> Providers => new() { DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql, DatabaseProvider.SqlServer };

    private static LicenseManagerDbContext Context(DatabaseProvider provider)
    {
        var connection = provider switch
        {
            DatabaseProvider.Sqlite => "Data Source=:memory:",
            DatabaseProvider.PostgreSql => "Host=localhost;Database=unused",
            _ => "Server=nowhere.invalid;Database=unused;TrustServerCertificate=True",
        };
        var options = new DbContextOptionsBuilder<LicenseManagerDbContext>();
        LmaDatabase.Configure(options, provider, connection);
        return new LicenseManagerDbContext(options.Options);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Migrations_are_in_step_with_the_model(DatabaseProvider provider)
    {
        using var db = Context(provider);
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} migrations are behind the model: run scripts/add-migration.sh");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_provider_has_the_same_migrations(DatabaseProvider provider)
    {
        using var db = Context(provider);
        using var sqlite = Context(DatabaseProvider.Sqlite);
        static IEnumerable<string> Names(LicenseManagerDbContext c) => c.Database.GetMigrations().Select(m => m[(m.IndexOf('_') + 1)..]);
        Assert.Equal(Names(sqlite), Names(db));
    }

    [Fact]
    public void Sql_Server_migrations_generate_a_script_offline()
    {
        using var db = Context(DatabaseProvider.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        Assert.Contains("CREATE TABLE [Licenses]", script);
        Assert.Contains("IX_Licenses_PackageKey_SubscriberOrgId", script);
    }
}
