using LicenseManager.Web.Jobs;

namespace LicenseManager.Web.Features.Dashboard;

public static class DashboardSetup
{
    /// <summary>The figures, their snapshots and the job that refreshes them. The schedule is in <see cref="JobsSetup.RegisterRecurringJobs"/>.</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddOptions<DashboardRefreshOptions>().BindConfiguration(DashboardRefreshOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<DashboardQueries>();
        services.AddScoped<DashboardSnapshots>();
        services.AddScoped<DashboardSnapshotJob>();
        return services;
    }
}
