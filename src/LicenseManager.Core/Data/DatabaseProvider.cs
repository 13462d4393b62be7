using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LicenseManager.Core.Data;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
    SqlServer,
}

/// <summary>A configuration value that stops start-up: the setting it concerns and one line saying what is wrong.</summary>
public sealed class ConfigurationProblemException(string setting, string problem) : Exception($"{setting}: {problem}")
{
    public string Setting { get; } = setting;
}

/// <summary>
/// The database was reached (the setting is right) but failed while being created, migrated or seeded at start-up:
/// the message says which step and what the database answered.
/// </summary>
public sealed class DatabaseStartupException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Selects the EF Core provider and its migrations assembly from the Database:Provider setting.</summary>
public static class LmaDatabase
{
    public const string ProviderSetting = "Database:Provider";
    public const string ConnectionStringSetting = "ConnectionStrings:Lma";

    public static DatabaseProvider ParseProvider(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return DatabaseProvider.Sqlite;
        return Enum.TryParse<DatabaseProvider>(value.Trim(), ignoreCase: true, out var provider) && Enum.IsDefined(provider) && !int.TryParse(value, out _)
            ? provider
            : throw new ConfigurationProblemException(ProviderSetting, $"unknown database provider '{value}'; use Sqlite, PostgreSql or SqlServer.");
    }

    public static string MigrationsAssembly(DatabaseProvider provider) => $"LicenseManager.Migrations.{provider}";

    /// <summary>Parses the connection string with the provider's own builder so a typo is reported at start-up.</summary>
    public static string ValidateConnectionString(DatabaseProvider provider, string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ConfigurationProblemException(ConnectionStringSetting, $"a connection string is required for {provider}.");
        try
        {
            DbConnectionStringBuilder builder = provider switch
            {
                DatabaseProvider.Sqlite => new SqliteConnectionStringBuilder(connectionString),
                DatabaseProvider.PostgreSql => new NpgsqlConnectionStringBuilder(connectionString),
                _ => new SqlConnectionStringBuilder(connectionString),
            };
            return builder.ConnectionString;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ConfigurationProblemException(ConnectionStringSetting, $"the {provider} connection string can't be parsed: {e.Message}");
        }
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString)
    {
        var migrations = MigrationsAssembly(provider);
        return provider switch
        {
            DatabaseProvider.Sqlite => options.UseSqlite(connectionString, o => o.MigrationsAssembly(migrations)),
            DatabaseProvider.PostgreSql => options.UseNpgsql(connectionString, o => o.MigrationsAssembly(migrations)),
            DatabaseProvider.SqlServer => options.UseSqlServer(connectionString, o => o.MigrationsAssembly(migrations).EnableRetryOnFailure()),
            _ => throw new ArgumentOutOfRangeException(nameof(provider)),
        };
    }
}
