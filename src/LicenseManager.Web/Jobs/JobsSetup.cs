using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.SqlServer;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Alerts;
using LicenseManager.Web.Features.Dashboard;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Infrastructure;

namespace LicenseManager.Web.Jobs;

/// <summary>
/// Hangfire runs the work; the LMA's own tables are the durable source of truth. PostgreSQL and SQL Server share
/// Hangfire storage through the database so several nodes share the work and recurring jobs run once per period.
/// The single-node SQLite mode uses in-memory storage: pending events and outbox rows are picked up again from
/// the LMA's tables after a restart.
/// </summary>
public static class JobsSetup
{
    public static IServiceCollection AddLmaJobs(this IServiceCollection services, DatabaseSettings database, LmaOptions options)
    {
        services.AddSingleton<SingletonLeases>();

        services.AddHangfire(config =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            switch (database.Provider)
            {
                case DatabaseProvider.PostgreSql:
                    config.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(database.ConnectionString),
                        new PostgreSqlStorageOptions { QueuePollInterval = TimeSpan.FromMilliseconds(500), PrepareSchemaIfNecessary = false, SchemaName = HangfireSchema });
                    break;
                case DatabaseProvider.SqlServer:
                    config.UseSqlServerStorage(database.ConnectionString,
                        new SqlServerStorageOptions { QueuePollInterval = TimeSpan.FromMilliseconds(500), PrepareSchemaIfNecessary = false, SchemaName = HangfireSchema });
                    break;
                default:
                    config.UseInMemoryStorage();
                    break;
            }
        });

        if (options.Jobs.RunServer)
        {
            services.AddHostedService<RecurringJobsRegistrar>();
            services.AddHangfireServer(o => o.WorkerCount = Math.Max(2, Environment.ProcessorCount));
        }
        return services;
    }

    private const string HangfireSchema = "hangfire";

    /// <summary>
    /// Creates or upgrades Hangfire's tables, called by the database initializer once the database is reachable
    /// (the storages would otherwise connect, and retry without end, while the app is still being built).
    /// </summary>
    public static async Task InstallStorageSchemaAsync(DatabaseSettings database, CancellationToken ct)
    {
        switch (database.Provider)
        {
            case DatabaseProvider.PostgreSql:
            {
                await using var connection = new Npgsql.NpgsqlConnection(database.ConnectionString);
                await connection.OpenAsync(ct);
                PostgreSqlObjectsInstaller.Install(connection, HangfireSchema);
                break;
            }
            case DatabaseProvider.SqlServer:
            {
                await using var connection = new Microsoft.Data.SqlClient.SqlConnection(database.ConnectionString);
                await connection.OpenAsync(ct);
                SqlServerObjectsInstaller.Install(connection, HangfireSchema, enableHeavyMigrations: true);
                break;
            }
        }
    }

    /// <summary>All recurring schedules, in one place.</summary>
    public static void RegisterRecurringJobs(IRecurringJobManager jobs)
    {
        jobs.AddOrUpdate<ProcessInstallEventsJob>("install-events-sweep", j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        jobs.AddOrUpdate<WeeklyRefreshJob>("refresh-licenses-weekly", j => j.RunAsync(CancellationToken.None), Cron.Weekly(DayOfWeek.Sunday, 3));
        jobs.AddOrUpdate<SendAlertEmailsJob>("alert-emails-sweep", j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        jobs.AddOrUpdate<ExpiryAlertScanJob>("alert-expiry-scan-daily", j => j.RunAsync(CancellationToken.None), Cron.Daily(6));
        // Every minute, computing only when the period (Lma:Dashboard:RefreshInterval) has passed.
        jobs.AddOrUpdate<DashboardSnapshotJob>(DashboardSnapshotJobId, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
    }

    public const string DashboardSnapshotJobId = "dashboard-snapshot";

    public const string DashboardPath = "/hangfire";

    public static WebApplication UseLmaJobs(this WebApplication app)
    {
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [new AdministratorDashboardFilter()],
            AppPath = "/",
            DashboardTitle = "LicenseManager jobs",
        }).RequireAuthorization(Policies.Administer);
        return app;
    }

    private sealed class AdministratorDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Administrator);
    }
}

/// <summary>Registers the recurring schedules once the database is known to be reachable and migrated.</summary>
internal sealed class RecurringJobsRegistrar(IRecurringJobManager jobs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        JobsSetup.RegisterRecurringJobs(jobs);
        // A node that starts refreshes stale dashboard figures now rather than at the next minute (nothing if they are current).
        jobs.Trigger(JobsSetup.DashboardSnapshotJobId);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
