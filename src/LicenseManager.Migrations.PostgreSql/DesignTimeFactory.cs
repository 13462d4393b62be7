using LicenseManager.Core.Data;

namespace LicenseManager.Migrations.PostgreSql;

/// <summary>Lets `dotnet ef` build the model for PostgreSql without starting the app.</summary>
public sealed class DesignTimeFactory() : DesignTimeDbContextFactory(DatabaseProvider.PostgreSql);
