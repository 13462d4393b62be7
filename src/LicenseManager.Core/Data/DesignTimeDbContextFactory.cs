using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LicenseManager.Core.Data;

/// <summary>
/// Used by `dotnet ef` only, through the factory in each migrations project, which fixes the provider.
/// No database is contacted to add migrations or script them; `-- --ConnectionStrings:Lma=...` overrides the default.
/// </summary>
public abstract class DesignTimeDbContextFactory(DatabaseProvider provider) : IDesignTimeDbContextFactory<LicenseManagerDbContext>
{
    public LicenseManagerDbContext CreateDbContext(string[] args)
    {
        string? Arg(string name) => args
            .Select(a => a.TrimStart('-'))
            .Where(a => a.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase))
            .Select(a => a[(name.Length + 1)..])
            .LastOrDefault();

        var connectionString = Arg(LmaDatabase.ConnectionStringSetting) ?? provider switch
        {
            DatabaseProvider.Sqlite => "Data Source=design-time.db",
            DatabaseProvider.PostgreSql => "Host=localhost;Database=licensemanager",
            _ => "Server=localhost;Database=licensemanager;TrustServerCertificate=True",
        };
        var options = new DbContextOptionsBuilder<LicenseManagerDbContext>();
        LmaDatabase.Configure(options, provider, connectionString);
        return new LicenseManagerDbContext(options.Options);
    }
}
