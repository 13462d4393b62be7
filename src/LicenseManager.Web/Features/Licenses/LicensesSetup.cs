using LicenseManager.Web.Infrastructure;

namespace LicenseManager.Web.Features.Licenses;

/// <summary>Licenses: Modify License, the license check (with its short cache) and seat assignments.</summary>
public static class LicensesSetup
{
    public static IServiceCollection AddLicenses(this IServiceCollection services)
    {
        services.AddScoped<ModifyLicense>();
        // The check's reads: prepared ADO.NET on SQLite and PostgreSQL, EF on SQL Server (LicenseCheckReads).
        services.AddSingleton(sp => LicenseCheckReads.For(sp.GetRequiredService<DatabaseSettings>(), sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<LicenseCheck>();
        services.AddScoped<SeatAssignments>();
        return services;
    }
}
