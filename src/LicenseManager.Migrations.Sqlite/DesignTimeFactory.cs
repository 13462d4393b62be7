using LicenseManager.Core.Data;

namespace LicenseManager.Migrations.Sqlite;

/// <summary>Lets `dotnet ef` build the model for Sqlite without starting the app.</summary>
public sealed class DesignTimeFactory() : DesignTimeDbContextFactory(DatabaseProvider.Sqlite);
