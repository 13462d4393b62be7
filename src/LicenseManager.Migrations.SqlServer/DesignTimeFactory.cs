using LicenseManager.Core.Data;

namespace LicenseManager.Migrations.SqlServer;

/// <summary>Lets `dotnet ef` build the model for SqlServer without starting the app.</summary>
public sealed class DesignTimeFactory() : DesignTimeDbContextFactory(DatabaseProvider.SqlServer);
