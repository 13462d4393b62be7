namespace LicenseManager.Web.Features.Packages;

/// <summary>Packages: association, defaults, lead manager, retry and Refresh Licenses requests.</summary>
public static class PackagesSetup
{
    public static IServiceCollection AddPackages(this IServiceCollection services)
    {
        services.AddOptions<RefreshOptions>().BindConfiguration(RefreshOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<PackageCommands>();
        return services;
    }
}
