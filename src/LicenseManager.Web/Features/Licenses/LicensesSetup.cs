namespace LicenseManager.Web.Features.Licenses;

/// <summary>Licenses: Modify License, the license check (with its short cache) and seat assignments.</summary>
public static class LicensesSetup
{
    public static IServiceCollection AddLicenses(this IServiceCollection services)
    {
        services.AddScoped<ModifyLicense>();
        services.AddSingleton<LicenseCheck>();
        services.AddScoped<SeatAssignments>();
        return services;
    }
}
