using System.Data.Common;
using System.Security.Cryptography;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Demo;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Infrastructure;

/// <summary>
/// Runs before the web server starts: applies migrations, creates the roles and the first administrator,
/// and loads the demo data when asked. Safe on several nodes at once (EF's migration lock, unique names).
/// </summary>
public sealed class DatabaseInitializer(
    IServiceScopeFactory scopes,
    DatabaseSettings database,
    IOptions<LmaOptions> options,
    IHostEnvironment environment,
    IServer server,
    ILogger<DatabaseInitializer> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => InitializeAsync(options.Value.SeedDemoData, cancellationToken);

    public async Task InitializeAsync(bool seedDemoData, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        await MigrateAsync(db, cancellationToken);
        await EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());
        await EnsureAdministratorAsync(scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>());
        if (seedDemoData)
            await scope.ServiceProvider.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync(cancellationToken);
    }

    private async Task MigrateAsync(LicenseManagerDbContext db, CancellationToken cancellationToken)
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
            await db.Database.MigrateAsync(cancellationToken);
            if (database.Provider == DatabaseProvider.Sqlite)
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await Jobs.JobsSetup.InstallStorageSchemaAsync(database, cancellationToken);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or UnauthorizedAccessException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new ConfigurationProblemException(LmaDatabase.ConnectionStringSetting,
                $"can't open the {database.Provider} database: {e.GetBaseException().Message}");
        }
    }

    /// <summary>
    /// One plain connection attempt, bounded in time, so an unreachable server is reported at once instead of
    /// being retried by the migrator. A PostgreSQL or SQL Server database that doesn't exist yet is fine: Migrate creates it.
    /// </summary>
    private static async Task ProbeAsync(LicenseManagerDbContext db, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var connection = db.Database.GetDbConnection();
        try
        {
            await connection.OpenAsync(timeout.Token);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == "3D000") { /* database missing: created by Migrate */ }
        catch (Microsoft.Data.SqlClient.SqlException e) when (e.Number == 4060) { /* database missing: created by Migrate */ }
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
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole(role));
    }

    private async Task EnsureAdministratorAsync(UserManager<ApplicationUser> users)
    {
        if ((await users.GetUsersInRoleAsync(Roles.Administrator)).Count > 0) return;

        var settings = options.Value.Admin;
        var generated = string.IsNullOrEmpty(settings.Password);
        var password = generated ? GeneratePassword() : settings.Password!;
        var admin = await users.FindByEmailAsync(settings.Email);
        if (admin is not null)
        {
            // An existing user becomes the administrator with the password it already has; nothing to print.
            await users.AddToRoleAsync(admin, Roles.Administrator);
            logger.LogWarning("No administrator existed: made the existing user {Email} an administrator", settings.Email);
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
