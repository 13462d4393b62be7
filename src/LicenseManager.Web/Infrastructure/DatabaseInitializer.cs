using System.Data.Common;
using System.Security.Cryptography;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Alerts;
using LicenseManager.Web.Features.Demo;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Infrastructure;

/// <summary>
/// Runs before the web server starts: applies migrations, creates the roles, the first administrator, the default
/// alert rules and the Data Protection key, and loads the demo data when asked. Several nodes may start at once:
/// on PostgreSQL and SQL Server all of it runs under one database lock (<see cref="StartupLock"/>), so one node
/// migrates and seeds while the others wait and then find nothing to do; on SQLite EF's migration lock covers the
/// migrations and every seed tolerates a concurrent seeder.
/// A failure is reported as what it is: a connection that can't be opened names the ConnectionStrings:Lma setting;
/// a database that fails while being migrated or seeded says so (<see cref="DatabaseStartupException"/>).
/// </summary>
public sealed class DatabaseInitializer(
    IServiceScopeFactory scopes,
    DatabaseSettings database,
    SingletonLeases leases,
    IOptions<LmaOptions> options,
    IHostEnvironment environment,
    IServer server,
    ILogger<DatabaseInitializer> logger) : IHostedLifecycleService
{
    public const string DemoDataLease = "demo-data-seed";

    public Task StartingAsync(CancellationToken cancellationToken) => InitializeAsync(options.Value.SeedDemoData, cancellationToken);

    public async Task InitializeAsync(bool seedDemoData, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        await OpenAsync(db, cancellationToken);
        IAsyncDisposable? startupLock = null;
        await StepAsync("locking", async () => startupLock = await StartupLock.AcquireAsync(database, logger, cancellationToken));
        await using (startupLock)
        {
            await StepAsync("migrating", () => MigrateAsync(db, cancellationToken));
            await StepAsync("seeding", async () =>
            {
                await EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());
                await EnsureAdministratorAsync(scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>());
                await scope.ServiceProvider.GetRequiredService<AlertDefaults>().EnsureAsync(cancellationToken);
                // The first Data Protection key, made here under the lock: nodes started together share one key
                // instead of each making its own, so a cookie or form token from one node is read by every other.
                scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>().CreateProtector("LicenseManager.Startup").Protect("key ring");
            });
            if (seedDemoData)
                await StepAsync("loading demo data into", async () =>
                {
                    var run = await leases.RunAsync(DemoDataLease, async ct =>
                    {
                        await using var demoScope = scopes.CreateAsyncScope();
                        await demoScope.ServiceProvider.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync(ct);
                    }, cancellationToken);
                    if (run == LeaseRun.NotAcquired) logger.LogInformation("Another node is loading the demo data");
                });
        }
    }

    /// <summary>A database failure after the connection opened: the setting was right, the database said no.</summary>
    private async Task StepAsync(string what, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is not (OperationCanceledException or ConfigurationProblemException or DatabaseStartupException))
        {
            throw new DatabaseStartupException($"{what} the {database.Provider} database failed: {e.GetBaseException().Message}", e);
        }
    }

    /// <summary>
    /// Opens the database once, bounded in time: a connection that can't be opened is a bad or unreachable
    /// ConnectionStrings:Lma and is reported at once instead of being retried by the migrator. A PostgreSQL or SQL
    /// Server database that doesn't exist yet is fine: the start-up lock creates it.
    /// </summary>
    private async Task OpenAsync(LicenseManagerDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            if (database.Provider == DatabaseProvider.Sqlite)
            {
                var file = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
                var folder = Path.GetDirectoryName(Path.GetFullPath(file));
                if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            }
            await ProbeAsync(db, cancellationToken);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or UnauthorizedAccessException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new ConfigurationProblemException(LmaDatabase.ConnectionStringSetting,
                $"can't open the {database.Provider} database: {e.GetBaseException().Message}");
        }
    }

    private async Task MigrateAsync(LicenseManagerDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.MigrateAsync(cancellationToken);
        if (database.Provider == DatabaseProvider.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        await Jobs.JobsSetup.InstallStorageSchemaAsync(database, cancellationToken);
    }

    private static async Task ProbeAsync(LicenseManagerDbContext db, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var connection = db.Database.GetDbConnection();
        try
        {
            await connection.OpenAsync(timeout.Token);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == "3D000") { /* database missing: created under the start-up lock */ }
        catch (Microsoft.Data.SqlClient.SqlException e) when (e.Number == 4060) { /* database missing: created under the start-up lock */ }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("no answer within 30 seconds");
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    private static async Task EnsureRolesAsync(RoleManager<IdentityRole> roles)
    {
        foreach (var role in Roles.All)
        {
            if (await roles.RoleExistsAsync(role)) continue;
            string? failure;
            try
            {
                var created = await roles.CreateAsync(new IdentityRole(role));
                failure = created.Succeeded ? null : string.Join(" ", created.Errors.Select(e => e.Description));
            }
            catch (DbUpdateException e)
            {
                failure = e.GetBaseException().Message;
            }
            // Another node creating it at the same moment (unique role name) is not a failure.
            if (failure is not null && !await roles.RoleExistsAsync(role))
                throw new InvalidOperationException($"creating the role {role} failed: {failure}");
        }
    }

    private async Task EnsureAdministratorAsync(UserManager<ApplicationUser> users)
    {
        if ((await users.GetUsersInRoleAsync(Roles.Administrator)).Count > 0) return;
        try
        {
            await CreateAdministratorAsync(users);
        }
        catch (DbUpdateException)
        {
            // Another node created the administrator at the same moment (unique user name, unique role membership).
            if ((await users.GetUsersInRoleAsync(Roles.Administrator)).Count == 0) throw;
        }
    }

    private async Task CreateAdministratorAsync(UserManager<ApplicationUser> users)
    {

        var settings = options.Value.Admin;
        var generated = string.IsNullOrEmpty(settings.Password);
        var password = generated ? GeneratePassword() : settings.Password!;
        var admin = await users.FindByEmailAsync(settings.Email);
        if (admin is not null)
        {
            // An existing user becomes the administrator with the password it already has; nothing to print.
            var promoted = await users.AddToRoleAsync(admin, Roles.Administrator);
            if (promoted.Succeeded) logger.LogWarning("No administrator existed: made the existing user {Email} an administrator", settings.Email);
            return;
        }
        admin = new ApplicationUser
        {
            UserName = settings.Email,
            Email = settings.Email,
            EmailConfirmed = true,
            DisplayName = "Administrator",
            MustChangePassword = generated,
            CreatedAt = DateTime.UtcNow,
        };
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded && created.Errors.Any(e => e.Code is "DuplicateUserName" or "DuplicateEmail")
            && (await users.GetUsersInRoleAsync(Roles.Administrator)).Count > 0)
            return; // another node created it between our check and our insert
        if (!created.Succeeded)
            throw new ConfigurationProblemException(generated ? "Lma:Admin:Email" : "Lma:Admin:Password",
                string.Join(" ", created.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(admin, Roles.Administrator);

        if (generated)
        {
            // Printed once, to the console only; the first login must replace it.
            Console.WriteLine($"""

                ==> LicenseManager administrator created
                    Email:    {settings.Email}
                    Password: {password}
                    (shown only now; you will be asked to choose a new password at first login)

                """);
            logger.LogWarning("Created administrator {Email} with a generated password (printed to the console once)", settings.Email);
        }
        else
        {
            logger.LogInformation("Created administrator {Email} from configuration", settings.Email);
        }
    }

    internal static string GeneratePassword()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        Span<char> chars = stackalloc char[20];
        for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        // Guarantee each class the password policy asks for.
        chars[0] = (char)('A' + RandomNumberGenerator.GetInt32(26));
        chars[1] = (char)('a' + RandomNumberGenerator.GetInt32(26));
        chars[2] = (char)('2' + RandomNumberGenerator.GetInt32(8));
        return string.Concat(new string(chars[..5]), "-", new string(chars[5..10]), "-", new string(chars[10..15]), "-", new string(chars[15..]));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        Console.WriteLine($"==> LicenseManager is running on {database.Provider} ({environment.EnvironmentName}): open {string.Join(" or ", addresses)} and log in as {options.Value.Admin.Email}");
        return Task.CompletedTask;
    }
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
