using LicenseManager.Core.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;

namespace LicenseManager.Web.Infrastructure;

/// <summary>The provider and connection string the app runs on, resolved once from configuration.</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString);

public static class DatabaseSetup
{
    /// <summary>Reads Database:Provider and ConnectionStrings:Lma; throws <see cref="ConfigurationProblemException"/> on a bad value.</summary>
    public static DatabaseSettings ResolveDatabase(IConfiguration configuration, string dataDirectory)
    {
        var provider = LmaDatabase.ParseProvider(configuration[LmaDatabase.ProviderSetting]);
        var connectionString = configuration.GetConnectionString("Lma");
        if (string.IsNullOrWhiteSpace(connectionString) && provider == DatabaseProvider.Sqlite)
            connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "licensemanager.db") }.ConnectionString;
        connectionString = LmaDatabase.ValidateConnectionString(provider, connectionString);
        if (provider == DatabaseProvider.Sqlite)
        {
            // Writers wait for each other instead of failing with "database is locked".
            var sqlite = new SqliteConnectionStringBuilder(connectionString);
            if (sqlite.DefaultTimeout < 30) sqlite.DefaultTimeout = 30;
            connectionString = sqlite.ConnectionString;
        }
        if (provider == DatabaseProvider.PostgreSql)
        {
            // The hot queries (license check, ingest, processor, list pages) repeat with new values: let Npgsql keep
            // them prepared on each connection so PostgreSQL skips parsing and planning. An explicit setting wins
            // (use Max Auto Prepare=0 behind a pooler in transaction mode).
            var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
            if (!given.Keys.Cast<string>().Any(k => k.Replace(" ", "").Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
                connectionString = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64 }.ConnectionString;
        }
        return new DatabaseSettings(provider, connectionString);
    }

    public static IServiceCollection AddLmaDatabase(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<SqliteWriteGate>();
        services.AddDbContext<LicenseManagerDbContext>(o =>
        {
            LmaDatabase.Configure(o, settings.Provider, settings.ConnectionString);
            if (settings.Provider == DatabaseProvider.Sqlite) o.AddInterceptors(new SqlitePragmaInterceptor());
        });
        // Keys in the database: every node decrypts every other node's cookies and antiforgery tokens.
        services.AddDataProtection()
            .SetApplicationName("LicenseManager")
            .PersistKeysToDbContext<LicenseManagerDbContext>();
        return services;
    }
}
