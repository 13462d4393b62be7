using LicenseManager.Web.Infrastructure;

namespace LicenseManager.Web.Features.Installs;

/// <summary>
/// Install events: the signed ingest endpoint's intake (every node), the installation log, the processor with its
/// nudges and sweep, and Refresh Licenses. Schedules are in <see cref="Jobs.JobsSetup.RegisterRecurringJobs"/>.
/// </summary>
public static class InstallsSetup
{
    public static IServiceCollection AddInstalls(this IServiceCollection services, LmaOptions options)
    {
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IngestSignature>();
        // Every web node stores its own requests' events (group commit), whether or not it runs the job server.
        services.AddSingleton<InstallEventIntake>();
        services.AddHostedService(sp => sp.GetRequiredService<InstallEventIntake>());
        services.AddScoped<InstallEventLog>();
        services.AddSingleton<InstallEventSignal>();
        services.AddSingleton<InstallEventProcessor>();
        services.AddScoped<ProcessInstallEventsJob>();
        services.AddSingleton<LicenseRefresher>();
        services.AddScoped<RefreshLicensesJob>();
        services.AddScoped<WeeklyRefreshJob>();
        // The pump drains what this node's nudges ask for; only nodes that run jobs process events.
        if (options.Jobs.RunServer) services.AddHostedService<InstallEventPump>();
        return services;
    }
}
