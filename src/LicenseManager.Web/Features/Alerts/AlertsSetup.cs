using LicenseManager.Web.Jobs;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.Alerts;

public static class AlertsSetup
{
    /// <summary>Alert rules, templates, the outbox sender and the expiry scan. Schedules are in <see cref="JobsSetup.RegisterRecurringJobs"/>.</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SmtpMailTransport>();
        services.AddSingleton<PickupFolderMailTransport>();
        services.AddSingleton<IMailTransport>(sp => sp.GetRequiredService<IOptions<SmtpOptions>>().Value.UsesSmtp
            ? sp.GetRequiredService<SmtpMailTransport>()
            : sp.GetRequiredService<PickupFolderMailTransport>());
        services.AddScoped<AlertComposer>();
        services.AddSingleton<AlertEmailSender>();
        services.AddSingleton<StatusChangeAlerts>();
        services.AddSingleton<ExpiryAlertScan>();
        services.AddScoped<EditEmailTemplate>();
        services.AddScoped<EditAlertRule>();
        services.AddScoped<SendAlertEmailsJob>();
        services.AddScoped<ExpiryAlertScanJob>();
        services.AddScoped<AlertDefaults>();
        return services;
    }
}
